# test/fuzz/fuzz.mk: libFuzzer targets (./configure --enable-fuzz CC=clang; make fuzz)
# Each target links libgw.a; seeds are in test/fuzz/corpus/<name>/.
FUZZ_LD = -fsanitize=fuzzer,address,undefined
noinst_PROGRAMS += test/fuzz/fz_kv test/fuzz/fz_json test/fuzz/fz_route test/fuzz/fz_sse test/fuzz/fz_session test/fuzz/fz_mgmt
test_fuzz_fz_kv_SOURCES = test/fuzz/fz_kv.c
test_fuzz_fz_kv_LDADD = $(GW_LIBS)
test_fuzz_fz_kv_LDFLAGS = $(FUZZ_LD)
test_fuzz_fz_json_SOURCES = test/fuzz/fz_json.c
test_fuzz_fz_json_LDADD = $(GW_LIBS)
test_fuzz_fz_json_LDFLAGS = $(FUZZ_LD)
test_fuzz_fz_route_SOURCES = test/fuzz/fz_route.c
test_fuzz_fz_route_LDADD = $(GW_LIBS)
test_fuzz_fz_route_LDFLAGS = $(FUZZ_LD)
test_fuzz_fz_sse_SOURCES = test/fuzz/fz_sse.c
test_fuzz_fz_sse_LDADD = $(GW_LIBS)
test_fuzz_fz_sse_LDFLAGS = $(FUZZ_LD)
test_fuzz_fz_session_SOURCES = test/fuzz/fz_session.c
test_fuzz_fz_session_LDADD = $(GW_LIBS)
test_fuzz_fz_session_LDFLAGS = $(FUZZ_LD)
test_fuzz_fz_mgmt_SOURCES = test/fuzz/fz_mgmt.c
test_fuzz_fz_mgmt_LDADD = $(GW_LIBS)
test_fuzz_fz_mgmt_LDFLAGS = $(FUZZ_LD)
noinst_PROGRAMS += test/fuzz/fz_subnet
test_fuzz_fz_subnet_SOURCES = test/fuzz/fz_subnet.c
test_fuzz_fz_subnet_LDADD = $(GW_LIBS)
test_fuzz_fz_subnet_LDFLAGS = $(FUZZ_LD)
# the format codecs: request bodies, answers and streams split anywhere
noinst_PROGRAMS += test/fuzz/fz_fmt_chat test/fuzz/fz_fmt_claude test/fuzz/fz_fmt_responses test/fuzz/fz_fmt_gemini
test_fuzz_fz_fmt_chat_SOURCES = test/fuzz/fz_fmt_chat.c
test_fuzz_fz_fmt_chat_LDADD = $(GW_LIBS)
test_fuzz_fz_fmt_chat_LDFLAGS = $(FUZZ_LD)
test_fuzz_fz_fmt_claude_SOURCES = test/fuzz/fz_fmt_claude.c
test_fuzz_fz_fmt_claude_LDADD = $(GW_LIBS)
test_fuzz_fz_fmt_claude_LDFLAGS = $(FUZZ_LD)
test_fuzz_fz_fmt_responses_SOURCES = test/fuzz/fz_fmt_responses.c
test_fuzz_fz_fmt_responses_LDADD = $(GW_LIBS)
test_fuzz_fz_fmt_responses_LDFLAGS = $(FUZZ_LD)
test_fuzz_fz_fmt_gemini_SOURCES = test/fuzz/fz_fmt_gemini.c
test_fuzz_fz_fmt_gemini_LDADD = $(GW_LIBS)
test_fuzz_fz_fmt_gemini_LDFLAGS = $(FUZZ_LD)
# the FastCGI records the event loop reads from the web server
noinst_PROGRAMS += test/fuzz/fz_fcgi
test_fuzz_fz_fcgi_SOURCES = test/fuzz/fz_fcgi.c
test_fuzz_fz_fcgi_LDADD = $(GW_LIBS)
test_fuzz_fz_fcgi_LDFLAGS = $(FUZZ_LD)
# issue 10: masking a channel key echoed by an upstream
noinst_PROGRAMS += test/fuzz/fz_scrub
test_fuzz_fz_scrub_SOURCES = test/fuzz/fz_scrub.c
test_fuzz_fz_scrub_LDADD = $(GW_LIBS)
test_fuzz_fz_scrub_LDFLAGS = $(FUZZ_LD)
noinst_PROGRAMS += test/fuzz/fz_origin
test_fuzz_fz_origin_SOURCES = test/fuzz/fz_origin.c
test_fuzz_fz_origin_LDADD = $(GW_LIBS)
test_fuzz_fz_origin_LDFLAGS = $(FUZZ_LD)
