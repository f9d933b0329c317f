# test/unit/xlate.mk: the format codecs (providers/fmt_*.c) and image inlining,
# tested on the recorded provider traffic
XLATE_FIXTURES = -DFIXTURES='"$(top_srcdir)/test/fixtures/recorded"'
check_PROGRAMS += test/unit/t_fmt_chat test/unit/t_fmt_claude test/unit/t_fmt_responses \
	test/unit/t_fmt_gemini test/unit/t_image_inline test/unit/t_xlate
TESTS += test/unit/t_fmt_chat test/unit/t_fmt_claude test/unit/t_fmt_responses \
	test/unit/t_fmt_gemini test/unit/t_image_inline test/unit/t_xlate
test_unit_t_fmt_chat_SOURCES = test/unit/t_fmt_chat.c test/unit/t_core.h test/unit/t_fixtures.h
test_unit_t_fmt_chat_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XLATE_FIXTURES)
test_unit_t_fmt_chat_LDADD = $(GW_LIBS) $(CHECK_LIBS)
test_unit_t_fmt_claude_SOURCES = test/unit/t_fmt_claude.c test/unit/t_core.h test/unit/t_fixtures.h
test_unit_t_fmt_claude_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XLATE_FIXTURES)
test_unit_t_fmt_claude_LDADD = $(GW_LIBS) $(CHECK_LIBS)
test_unit_t_fmt_responses_SOURCES = test/unit/t_fmt_responses.c test/unit/t_core.h test/unit/t_fixtures.h
test_unit_t_fmt_responses_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XLATE_FIXTURES)
test_unit_t_fmt_responses_LDADD = $(GW_LIBS) $(CHECK_LIBS)
test_unit_t_fmt_gemini_SOURCES = test/unit/t_fmt_gemini.c test/unit/t_core.h test/unit/t_fixtures.h
test_unit_t_fmt_gemini_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XLATE_FIXTURES)
test_unit_t_fmt_gemini_LDADD = $(GW_LIBS) $(CHECK_LIBS)
test_unit_t_image_inline_SOURCES = test/unit/t_image_inline.c test/unit/t_core.h
test_unit_t_image_inline_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_image_inline_LDADD = $(GW_LIBS) $(CHECK_LIBS)
test_unit_t_xlate_SOURCES = test/unit/t_xlate.c test/unit/t_core.h test/unit/t_fixtures.h
test_unit_t_xlate_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XLATE_FIXTURES)
test_unit_t_xlate_LDADD = $(GW_LIBS) $(CHECK_LIBS)
