# test/unit/users.mk: users, sessions, passwords and schema: extra sources and unit tests (Check)
libgw_a_SOURCES += fcgi/logs.c fcgi/logs.h

if HAVE_CHECK
check_PROGRAMS += test/unit/t_password
TESTS += test/unit/t_password
test_unit_t_password_SOURCES = test/unit/t_password.c test/unit/t_core.h
test_unit_t_password_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_password_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_session
TESTS += test/unit/t_session
test_unit_t_session_SOURCES = test/unit/t_session.c test/unit/t_core.h
test_unit_t_session_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_session_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_schema
TESTS += test/unit/t_schema
test_unit_t_schema_SOURCES = test/unit/t_schema.c test/unit/t_core.h
test_unit_t_schema_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_schema_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif
