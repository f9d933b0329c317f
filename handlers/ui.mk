# handlers/ui.mk: the admin UI: template engine, pages, embedded templates and
# static files, and their unit test and fuzz target.
UI_ASSETS = \
	templates/layout_head.html templates/layout_foot.html templates/error.html \
	templates/login.html templates/dashboard.html templates/channels.html \
	templates/tokens.html templates/users.html templates/pager.html \
	templates/channel_fields.html templates/channel_edit.html \
	templates/token_fields.html templates/token_edit.html templates/user_edit.html \
	templates/logs.html templates/profile.html templates/settings.html templates/about.html \
	templates/redemptions.html templates/topup.html templates/models.html templates/register.html templates/reset.html \
	static/style.css static/ui.js static/favicon.svg

libgw_a_SOURCES += fcgi/tmpl.c fcgi/tmpl.h \
	handlers/ui.c handlers/ui.h handlers/ui_channels.c handlers/ui_tokens.c \
	handlers/ui_users.c handlers/ui_i18n.c handlers/ui_logs.c handlers/ui_account.c \
	handlers/ui_settings.c handlers/ui_redemptions.c handlers/api_redemption.c \
	fcgi/redemptions.c fcgi/redemptions.h handlers/ui_channel_test.c \
	handlers/ui_reset.c fcgi/mail.c fcgi/mail.h

# Templates and static files are compiled into the binary: nothing is read
# from disk at run time.
templates/assets.h: $(UI_ASSETS:%=$(top_srcdir)/%) $(top_srcdir)/contrib/tmpl2c.sh
	@mkdir -p templates
	$(AM_V_GEN)sh $(top_srcdir)/contrib/tmpl2c.sh $(top_srcdir) $(UI_ASSETS) > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += templates/assets.h
# BUILT_SOURCES only covers all/check/install: targets like "make fuzz" need
# the edge spelled out.
fcgi/tmpl.$(OBJEXT): templates/assets.h
CLEANFILES += templates/assets.h

if HAVE_CHECK
check_PROGRAMS += test/unit/t_tmpl
TESTS += test/unit/t_tmpl
test_unit_t_tmpl_SOURCES = test/unit/t_tmpl.c test/unit/t_core.h
test_unit_t_tmpl_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_tmpl_LDADD = $(GW_LIBS) $(CHECK_LIBS)
check_PROGRAMS += test/unit/t_ui
TESTS += test/unit/t_ui
test_unit_t_ui_SOURCES = test/unit/t_ui.c test/unit/t_core.h
test_unit_t_ui_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_t_ui_LDADD = $(GW_LIBS) $(CHECK_LIBS)
endif

# The fuzz target (./configure --enable-fuzz CC=clang; make fuzz).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fz_tmpl
test_fuzz_fz_tmpl_SOURCES = test/fuzz/fz_tmpl.c
test_fuzz_fz_tmpl_LDADD = $(GW_LIBS)
test_fuzz_fz_tmpl_LDFLAGS = $(FUZZ_LD)
noinst_PROGRAMS += test/fuzz/fz_ui
test_fuzz_fz_ui_SOURCES = test/fuzz/fz_ui.c
test_fuzz_fz_ui_LDADD = $(GW_LIBS)
test_fuzz_fz_ui_LDFLAGS = $(FUZZ_LD)
endif
