# test/unit/mgmt.mk: unit tests of the management models (tokens, channels + abilities, options), Check
if HAVE_CHECK
check_PROGRAMS += test/unit/t_tokens
TESTS += test/unit/t_tokens
test_unit_t_tokens_SOURCES = test/unit/t_tokens.c test/unit/t_core.h test/unit/t_mgmt.h
test_unit_t_tokens_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_tokens_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_channels
TESTS += test/unit/t_channels
test_unit_t_channels_SOURCES = test/unit/t_channels.c test/unit/t_core.h test/unit/t_mgmt.h
test_unit_t_channels_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_channels_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_options
TESTS += test/unit/t_options
test_unit_t_options_SOURCES = test/unit/t_options.c test/unit/t_core.h test/unit/t_mgmt.h
test_unit_t_options_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_options_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif
# relay core: API-key auth and channel selection
if HAVE_CHECK
check_PROGRAMS += test/unit/t_distribute test/unit/t_relay_auth
TESTS += test/unit/t_distribute test/unit/t_relay_auth
test_unit_t_distribute_SOURCES = test/unit/t_distribute.c test/unit/t_core.h test/unit/t_mgmt.h
test_unit_t_distribute_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_distribute_LDADD = $(GW_LIBS) $(CHECK_LIBS)
test_unit_t_relay_auth_SOURCES = test/unit/t_relay_auth.c test/unit/t_core.h test/unit/t_mgmt.h
test_unit_t_relay_auth_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_relay_auth_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif
# billing: until Makefile.am includes test/unit/billing.mk (same lines)
if HAVE_CHECK
check_PROGRAMS += test/unit/t_billing
TESTS += test/unit/t_billing
test_unit_t_billing_SOURCES = test/unit/t_billing.c test/unit/t_core.h test/unit/t_mgmt.h
test_unit_t_billing_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_billing_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif
