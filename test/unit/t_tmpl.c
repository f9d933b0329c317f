/* test/unit/t_tmpl.c: template engine: escaping, raw output, sections, partials, errors */
#include <string.h>
#include "t_core.h"
#include "tmpl.h"

/* Render src with the JSON context text ctx; returns a malloc'd string or
 * NULL, *rc gets the parse or render result. */
static char *
render(const char *src, const char *ctx, int *rc)
{
	struct tmpl *t;
	struct buf b = BUF_INIT(1u << 20);
	json_t *j = ctx ? json_loads(ctx, 0, NULL) : NULL;
	char err[128], *out;

	if (ctx)
		ck_assert_msg(j != NULL, "bad test JSON: %s", ctx);
	*rc = tmpl_parse(src, strlen(src), &t, err, sizeof(err));
	if (*rc != GW_OK) {
		json_decref(j);
		return NULL;
	}
	*rc = tmpl_render(t, j, NULL, NULL, &b);
	tmpl_free(t);
	json_decref(j);
	if (*rc != GW_OK) {
		buf_release(&b);
		return NULL;
	}
	out = strdup(buf_cstr(&b));
	buf_release(&b);
	return out;
}

#define ck_render(src, ctx, want) do { \
	int rc_; \
	char *got_ = render((src), (ctx), &rc_); \
	ck_assert_int_eq(rc_, GW_OK); \
	ck_assert_str_eq(got_, (want)); \
	free(got_); \
} while (0)

static int
parse_rc(const char *src, char *err, size_t errsz)
{
	struct tmpl *t = NULL;
	int rc = tmpl_parse(src, strlen(src), &t, err, errsz);

	if (rc == GW_OK)
		tmpl_free(t);
	else
		ck_assert_ptr_null(t);
	return rc;
}

START_TEST(escapes_all_five_in_text)
{
	ck_render("<p>{{v}}</p>", "{\"v\": \"<script>alert('x') & \\\"y\\\"</script>\"}",
	    "<p>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</p>");
	ck_render("{{v}}", "{\"v\": \"&amp;\"}", "&amp;amp;");	/* no double-decoding tricks */
	ck_render("{{v}}", "{\"v\": \"plain text, ünïcode ✓\"}", "plain text, ünïcode ✓");
}
END_TEST

START_TEST(escapes_in_attributes)
{
	ck_render("<input value=\"{{v}}\">", "{\"v\": \"\\\" autofocus onfocus=\\\"alert(1)\"}",
	    "<input value=\"&quot; autofocus onfocus=&quot;alert(1)\">");
	ck_render("<input value='{{v}}'>", "{\"v\": \"' onclick='x\"}",
	    "<input value='&#39; onclick=&#39;x'>");
	ck_render("<a title=\"{{ v }}\">", "{\"v\": \"a<b>c\"}", "<a title=\"a&lt;b&gt;c\">");
}
END_TEST

START_TEST(raw_only_with_triple_braces)
{
	const char *ctx = "{\"h\": \"<b>bold</b> & 'q'\"}";

	ck_render("{{{h}}}", ctx, "<b>bold</b> & 'q'");
	ck_render("{{{ h }}}", ctx, "<b>bold</b> & 'q'");
	ck_render("{{h}}", ctx, "&lt;b&gt;bold&lt;/b&gt; &amp; &#39;q&#39;");
	/* a value cannot smuggle in tags: it is output, never re-parsed */
	ck_render("{{v}}", "{\"v\": \"{{{h}}}\", \"h\": \"<i>\"}", "{{{h}}}");
}
END_TEST

START_TEST(scalars)
{
	ck_render("{{i}} {{r}} {{t}} [{{f}}] [{{n}}] [{{o}}] [{{a}}] [{{missing}}]",
	    "{\"i\": -42, \"r\": 1.5, \"t\": true, \"f\": false, \"n\": null, \"o\": {}, \"a\": [1]}",
	    "-42 1.5 true [] [] [] [] []");
	ck_render("{{big}}", "{\"big\": 500000000000000}", "500000000000000");
	ck_render("no tags at all", NULL, "no tags at all");
	ck_render("", NULL, "");
	ck_render("a {{! a comment, <b>{x}</b> }}b", "{}", "a b");
}
END_TEST

START_TEST(loops)
{
	ck_render("{{#items}}[{{name}}]{{/items}}", "{\"items\": [{\"name\": \"a\"}, {\"name\": \"<b>\"}]}",
	    "[a][&lt;b&gt;]");
	ck_render("{{#tags}}<{{.}}>{{/tags}}", "{\"tags\": [\"x\", \"y&z\", 3]}", "<x><y&amp;z><3>");
	/* names not in the element are found in outer contexts */
	ck_render("{{#rows}}{{id}}:{{csrf}} {{/rows}}", "{\"csrf\": \"t\", \"rows\": [{\"id\": 1}, {\"id\": 2}]}",
	    "1:t 2:t ");
	/* nested loops */
	ck_render("{{#a}}({{#b}}{{.}}{{/b}}){{/a}}", "{\"a\": [{\"b\": [1, 2]}, {\"b\": []}, {\"b\": [3]}]}",
	    "(12)()(3)");
	/* an object section pushes the object; a truthy scalar renders once */
	ck_render("{{#user}}{{name}} in {{group}}{{/user}}", "{\"user\": {\"name\": \"r\", \"group\": \"default\"}}",
	    "r in default");
	ck_render("{{#flag}}yes{{/flag}}{{#s}}={{.}}{{/s}}", "{\"flag\": true, \"s\": \"str\"}", "yes=str");
	/* dotted names and array indexes */
	ck_render("{{user.name}}|{{rows.0.id}}|{{#rows.1}}two{{/rows.1}}|{{#rows.5}}x{{/rows.5}}",
	    "{\"user\": {\"name\": \"n\"}, \"rows\": [{\"id\": 7}, {\"id\": 8}]}", "n|7|two|");
	ck_render("{{rows.0x}}", "{\"rows\": [1]}", "");
}
END_TEST

START_TEST(standalone_lines)
{
	/* a section/comment line disappears whole; variables never do */
	ck_render("<ul>\n  {{#xs}}\n  <li>{{.}}</li>\n  {{/xs}}\n</ul>\n", "{\"xs\": [1, 2]}",
	    "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
	ck_render("a\r\n{{! note }}\r\nb", "{}", "a\r\nb");
	ck_render("a\n{{v}}\nb", "{\"v\": \"V\"}", "a\nV\nb");
	ck_render("a {{#t}}x{{/t}} b\n", "{\"t\": true}", "a x b\n");
	ck_render("{{#t}}\nend\n{{/t}}", "{\"t\": false}", "");
	ck_render("{{^t}}\nend\n{{/t}}", "{}", "end\n");
}
END_TEST

START_TEST(inverted_sections)
{
	const char *src = "{{^v}}empty{{/v}}{{#v}}full{{/v}}";

	ck_render(src, "{\"v\": []}", "empty");
	ck_render(src, "{\"v\": false}", "empty");
	ck_render(src, "{\"v\": null}", "empty");
	ck_render(src, "{\"v\": 0}", "empty");
	ck_render(src, "{\"v\": \"\"}", "empty");
	ck_render(src, "{}", "empty");
	ck_render(src, "{\"v\": [0]}", "full");
	ck_render(src, "{\"v\": 1}", "full");
	ck_render(src, "{\"v\": {}}", "full");
	ck_render(src, "{\"v\": \"x\"}", "full");
}
END_TEST

START_TEST(malformed_rejected)
{
	static const char *bad[] = {
		"{{a", "x {{ a }", "{{{a}}", "{{#a}}", "{{#a}}{{/b}}", "{{/a}}", "{{#a}}{{#b}}{{/a}}{{/b}}",
		"{{a b}}", "{{}}", "{{ }}", "{{#}}", "{{>}}", "{{a..b}}", "{{.a}}", "{{a.}}", "{{a<b}}",
		"{{\"a\"}}", "{{!unclosed comment", "{{^a}}", "{{&a}}",
	};
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_rc(bad[i], err, sizeof(err)) == GW_EINPUT, "accepted: %s", bad[i]);
	ck_assert_int_eq(parse_rc("line 1\nline 2\n  {{#open}}\n", err, sizeof(err)), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(err, "open"));
	ck_assert_int_eq(parse_rc("a\nb\n{{x y}}", err, sizeof(err)), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(err, "line 3"));
	ck_assert_int_eq(parse_rc("{{a}} {{#b}} {{/b}} {{{c}}} {{>d}} {{! e }} {{ f.g }} {{.}}", err,
	    sizeof(err)), GW_OK);
	/* err may be NULL */
	ck_assert_int_eq(parse_rc("{{#a}}", NULL, 0), GW_EINPUT);
	/* a NUL byte is text, not the end */
	{
		struct tmpl *t;
		ck_assert_int_eq(tmpl_parse("a\0{{b", 5, &t, err, sizeof(err)), GW_EINPUT);
	}
}
END_TEST

START_TEST(nesting_limit)
{
	char src[2048];
	size_t o = 0;
	int i, n;
	char err[128];

	for (n = TMPL_MAX_NEST; n <= TMPL_MAX_NEST + 1; n++) {
		o = 0;
		for (i = 0; i < n; i++)
			o += (size_t)snprintf(src + o, sizeof(src) - o, "{{#a}}");
		for (i = 0; i < n; i++)
			o += (size_t)snprintf(src + o, sizeof(src) - o, "{{/a}}");
		ck_assert_int_eq(parse_rc(src, err, sizeof(err)), n <= TMPL_MAX_NEST ? GW_OK : GW_EINPUT);
	}
}
END_TEST

static struct tmpl *partials[2];

static const struct tmpl *
resolve(void *arg, const char *name)
{
	(void)arg;
	if (strcmp(name, "head") == 0)
		return partials[0];
	if (strcmp(name, "self") == 0)
		return partials[1];
	return NULL;
}

START_TEST(partials_and_limits)
{
	struct tmpl *t;
	struct buf b = BUF_INIT(1u << 20);
	json_t *ctx = json_pack("{s:s, s:[i,i,i]}", "title", "<T>", "xs", 1, 2, 3);

	ck_assert_int_eq(tmpl_parse("<h1>{{title}}</h1>", 18, &partials[0], NULL, 0), GW_OK);
	ck_assert_int_eq(tmpl_parse("x{{>self}}", 10, &partials[1], NULL, 0), GW_OK);
	ck_assert_int_eq(tmpl_parse("{{>head}}body", 13, &t, NULL, 0), GW_OK);
	ck_assert_int_eq(tmpl_render(t, ctx, resolve, NULL, &b), GW_OK);
	ck_assert_str_eq(buf_cstr(&b), "<h1>&lt;T&gt;</h1>body");
	/* no resolver, or an unknown name, is an error, not a crash */
	buf_reset(&b);
	ck_assert_int_eq(tmpl_render(t, ctx, NULL, NULL, &b), GW_EINPUT);
	tmpl_free(t);
	ck_assert_int_eq(tmpl_parse("{{>nope}}", 9, &t, NULL, 0), GW_OK);
	buf_reset(&b);
	ck_assert_int_eq(tmpl_render(t, ctx, resolve, NULL, &b), GW_EINPUT);
	tmpl_free(t);
	/* a partial including itself stops at TMPL_MAX_PARTIAL */
	buf_reset(&b);
	ck_assert_int_eq(tmpl_render(partials[1], ctx, resolve, NULL, &b), GW_EINPUT);
	tmpl_free(partials[0]);
	tmpl_free(partials[1]);
	buf_release(&b);
	json_decref(ctx);
}
END_TEST

START_TEST(output_and_work_caps)
{
	struct tmpl *t;
	struct buf b = BUF_INIT(64);
	json_t *ctx = json_pack("{s:s}", "v", "0123456789");
	json_t *big = json_array();
	const char *bomb = "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}.{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}";
	int i;

	ck_assert_int_eq(tmpl_parse("{{v}}{{v}}{{v}}{{v}}{{v}}{{v}}{{v}}", 35, &t, NULL, 0), GW_OK);
	ck_assert_int_eq(tmpl_render(t, ctx, NULL, NULL, &b), GW_ETOOBIG);
	tmpl_free(t);
	buf_release(&b);
	/* 100^5 iterations: stopped by the step budget, not run to the end */
	for (i = 0; i < 100; i++)
		json_array_append_new(big, json_integer(i));
	json_object_set_new(ctx, "a", big);
	buf_init(&b, 1u << 30);
	ck_assert_int_eq(tmpl_parse(bomb, strlen(bomb), &t, NULL, 0), GW_OK);
	ck_assert_int_eq(tmpl_render(t, ctx, NULL, NULL, &b), GW_EINPUT);
	tmpl_free(t);
	buf_release(&b);
	json_decref(ctx);
}
END_TEST

START_TEST(embedded_pages)
{
	const struct tmpl *t;
	struct buf b = BUF_INIT(1u << 20);
	size_t len;
	const char *css;
	json_t *ctx;

	ck_assert_int_eq(tmpl_check_all(), GW_OK);
	ck_assert_ptr_null(tmpl_get("no-such-page"));
	ck_assert_ptr_nonnull(tmpl_get("login"));
	css = tmpl_static("style.css", &len);
	ck_assert_ptr_nonnull(css);
	ck_assert_uint_gt(len, 100);
	ck_assert_uint_eq(strlen(css), len);
	ck_assert_ptr_null(tmpl_static("../templates/login.html", &len));
	ck_assert_uint_eq(strlen(tmpl_static_version()), 16);

	ctx = json_pack("{s:s, s:s, s:s, s:s, s:s}", "system_name", "<One & API>", "title", "Sign in",
	    "error", "\"bad\"", "username", "'><script>x</script>", "request_id", "rid");
	t = tmpl_get("login");
	ck_assert_int_eq(tmpl_render(t, ctx, tmpl_resolve_embedded, NULL, &b), GW_OK);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "&lt;One &amp; API&gt;"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "&#39;&gt;&lt;script&gt;x&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "&quot;bad&quot;"));
	ck_assert_ptr_null(strstr(buf_cstr(&b), "<script>x"));
	ck_assert_ptr_null(strstr(buf_cstr(&b), "<One"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "<!doctype html>"));
	buf_release(&b);
	json_decref(ctx);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("tmpl");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, escapes_all_five_in_text);
	tcase_add_test(tc, escapes_in_attributes);
	tcase_add_test(tc, raw_only_with_triple_braces);
	tcase_add_test(tc, scalars);
	tcase_add_test(tc, loops);
	tcase_add_test(tc, standalone_lines);
	tcase_add_test(tc, inverted_sections);
	tcase_add_test(tc, malformed_rejected);
	tcase_add_test(tc, nesting_limit);
	tcase_add_test(tc, partials_and_limits);
	tcase_add_test(tc, output_and_work_caps);
	tcase_add_test(tc, embedded_pages);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
