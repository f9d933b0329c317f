# test/unit/relay.mk: the relay's answer pipeline (providers/pipeline.c)
check_PROGRAMS += test/unit/t_pipeline
TESTS += test/unit/t_pipeline
test_unit_t_pipeline_SOURCES = test/unit/t_pipeline.c test/unit/t_core.h test/unit/t_fixtures.h
test_unit_t_pipeline_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DFIXTURES='"$(top_srcdir)/test/fixtures/recorded"'
test_unit_t_pipeline_LDADD = $(GW_LIBS) $(CHECK_LIBS)
