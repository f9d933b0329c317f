# test/unit/core.mk: unit tests of the core modules (Check)
if HAVE_CHECK
check_PROGRAMS += test/unit/t_buf
TESTS += test/unit/t_buf
test_unit_t_buf_SOURCES = test/unit/t_buf.c test/unit/t_core.h
test_unit_t_buf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_buf_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_arena
TESTS += test/unit/t_arena
test_unit_t_arena_SOURCES = test/unit/t_arena.c test/unit/t_core.h
test_unit_t_arena_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_arena_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_kv
TESTS += test/unit/t_kv
test_unit_t_kv_SOURCES = test/unit/t_kv.c test/unit/t_core.h
test_unit_t_kv_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_kv_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_route
TESTS += test/unit/t_route
test_unit_t_route_SOURCES = test/unit/t_route.c test/unit/t_core.h
test_unit_t_route_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_route_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_util
TESTS += test/unit/t_util
test_unit_t_util_SOURCES = test/unit/t_util.c test/unit/t_core.h
test_unit_t_util_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_util_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_cfg
TESTS += test/unit/t_cfg
test_unit_t_cfg_SOURCES = test/unit/t_cfg.c test/unit/t_core.h
test_unit_t_cfg_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_cfg_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_jsonx
TESTS += test/unit/t_jsonx
test_unit_t_jsonx_SOURCES = test/unit/t_jsonx.c test/unit/t_core.h
test_unit_t_jsonx_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_jsonx_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_sse
TESTS += test/unit/t_sse
test_unit_t_sse_SOURCES = test/unit/t_sse.c test/unit/t_core.h
test_unit_t_sse_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DFIXTURES='"$(top_srcdir)/test/fixtures/recorded"'
test_unit_t_sse_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_relay
TESTS += test/unit/t_relay
test_unit_t_relay_SOURCES = test/unit/t_relay.c test/unit/t_core.h
test_unit_t_relay_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_relay_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif
