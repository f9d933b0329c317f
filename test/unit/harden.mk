# test/unit/harden.mk: rate limits, sessions and overflow-proof arithmetic (issue 10): unit tests (Check)
if HAVE_CHECK
check_PROGRAMS += test/unit/t_ratelimit
TESTS += test/unit/t_ratelimit
test_unit_t_ratelimit_SOURCES = test/unit/t_ratelimit.c test/unit/t_core.h
test_unit_t_ratelimit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_ratelimit_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif
if HAVE_CHECK
check_PROGRAMS += test/unit/t_scrub
TESTS += test/unit/t_scrub
test_unit_t_scrub_SOURCES = test/unit/t_scrub.c test/unit/t_core.h
test_unit_t_scrub_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_scrub_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif
if HAVE_CHECK
check_PROGRAMS += test/unit/t_origin
TESTS += test/unit/t_origin
test_unit_t_origin_SOURCES = test/unit/t_origin.c test/unit/t_core.h
test_unit_t_origin_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_origin_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif
