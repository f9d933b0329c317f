/* fcgi/tmpl.c: template compiler and renderer (Mustache subset), and the
 * registry of templates and static files embedded at build time */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tmpl.h"
#include "log.h"

#define TMPL_MAX_NAME 128	/* bytes of one tag name */

enum node_type { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL };

/* A template is a flat node list. A section's children are the nodes
 * (i, end): rendering walks ranges, so no tree is needed. */
struct node {
	enum node_type type;
	const char *s;		/* N_TEXT: bytes in t->text; others: name in t->names */
	size_t n;
	size_t end;		/* sections: index of the node after the section */
};

struct tmpl {
	struct node *nodes;
	size_t nnodes;
	char *text;		/* a copy of the source; text nodes point into it */
	char *names;		/* NUL-terminated names, back to back */
};

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->nodes);
	free(t->text);
	free(t->names);
	free(t);
}

/* The 1-based line of byte off in src. */
static unsigned
line_of(const char *src, size_t off)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (src[i] == '\n')
			line++;
	return line;
}

static void
seterr(char *err, size_t errsz, const char *src, size_t off, const char *what)
{
	if (err && errsz)
		snprintf(err, errsz, "line %u: %s", line_of(src, off), what);
}

/* Offset of the first "pat" (plen bytes) in s[from..n), or n. */
static size_t
find(const char *s, size_t n, size_t from, const char *pat, size_t plen)
{
	size_t i;

	for (i = from; i + plen <= n; i++)
		if (s[i] == pat[0] && memcmp(s + i, pat, plen) == 0)
			return i;
	return n;
}

/* "." or [A-Za-z0-9_-]+ segments joined by single dots. */
static int
valid_name(const char *s, size_t n)
{
	size_t i, seg = 0;

	if (n == 1 && s[0] == '.')
		return 1;
	if (n == 0 || n > TMPL_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')
			seg++;
		else
			return 0;
	}
	return seg > 0;
}

static int
add_node(struct tmpl *t, size_t *cap, enum node_type type, const char *s, size_t n)
{
	struct node *nv;

	if (t->nnodes == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		if ((nv = realloc(t->nodes, nc * sizeof(*nv))) == NULL)
			return GW_ENOMEM;
		t->nodes = nv;
		*cap = nc;
	}
	t->nodes[t->nnodes].type = type;
	t->nodes[t->nnodes].s = s;
	t->nodes[t->nnodes].n = n;
	t->nodes[t->nnodes].end = 0;
	t->nnodes++;
	return GW_OK;
}

/*
 * Compile: scan for "{{", emit the text before it, then classify the tag
 * by its first character ('{' raw, '#' '^' '/' sections, '>' partial,
 * '!' comment, else a variable). Open sections are kept on a stack of node
 * indexes; a close tag must name the innermost open section.
 */
int
tmpl_parse(const char *src, size_t n, struct tmpl **out, char *err, size_t errsz)
{
	struct tmpl *t;
	size_t open[TMPL_MAX_NEST];
	size_t nopen = 0, cap = 0, i = 0, nameo = 0;
	int rc = GW_ENOMEM;

	*out = NULL;
	if (err && errsz)
		err[0] = '\0';
	if (n > TMPL_MAX_SRC) {
		seterr(err, errsz, "", 0, "template too long");
		return GW_ETOOBIG;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return GW_ENOMEM;
	if ((t->text = malloc(n + 1)) == NULL || (t->names = malloc(n + 1)) == NULL)
		goto fail;
	if (n)
		memcpy(t->text, src, n);
	t->text[n] = '\0';
	src = t->text;

	while (i < n) {
		size_t o = find(src, n, i, "{{", 2), b, e, close, ls;
		enum node_type type = N_VAR;
		char sigil = 0;

		if (o >= n) {
			if ((rc = add_node(t, &cap, N_TEXT, src + i, n - i)) != GW_OK)
				goto fail;
			break;
		}
		b = o + 2;
		if (b < n && src[b] == '{') {
			type = N_RAW;
			b++;
			close = find(src, n, b, "}}}", 3);
			e = close + 3;
		} else {
			if (b < n && src[b] != '\0' && strchr("#^/>!", src[b]) != NULL)
				sigil = src[b++];
			close = find(src, n, b, "}}", 2);
			e = close + 2;
		}
		if (close >= n) {
			seterr(err, errsz, src, o, "unclosed tag");
			rc = GW_EINPUT;
			goto fail;
		}
		/* Mustache "standalone" tags: a section, comment or partial tag
		 * alone on its line takes the whole line with it */
		ls = o;
		while (ls > i && (src[ls - 1] == ' ' || src[ls - 1] == '\t'))
			ls--;
		if (sigil && (ls == 0 || src[ls - 1] == '\n')) {
			size_t k = e;
			while (k < n && (src[k] == ' ' || src[k] == '\t'))
				k++;
			if (k < n && src[k] == '\r' && k + 1 < n && src[k + 1] == '\n')
				k++;
			if (k >= n || src[k] == '\n') {
				o = ls;
				e = k < n ? k + 1 : n;
			}
		}
		if (o > i && (rc = add_node(t, &cap, N_TEXT, src + i, o - i)) != GW_OK)
			goto fail;
		i = e;
		if (sigil == '!')
			continue;
		while (b < close && (src[b] == ' ' || src[b] == '\t'))
			b++;
		while (close > b && (src[close - 1] == ' ' || src[close - 1] == '\t'))
			close--;
		if (!valid_name(src + b, close - b)) {
			seterr(err, errsz, src, o, "bad tag name");
			rc = GW_EINPUT;
			goto fail;
		}
		if (sigil == '/') {
			struct node *sec;
			if (nopen == 0) {
				seterr(err, errsz, src, o, "close tag without an open section");
				rc = GW_EINPUT;
				goto fail;
			}
			sec = &t->nodes[open[nopen - 1]];
			if (sec->n != close - b || memcmp(sec->s, src + b, sec->n) != 0) {
				seterr(err, errsz, src, o, "close tag does not match the open section");
				rc = GW_EINPUT;
				goto fail;
			}
			sec->end = t->nnodes;
			nopen--;
			continue;
		}
		if (sigil == '#')
			type = N_SECTION;
		else if (sigil == '^')
			type = N_INVERTED;
		else if (sigil == '>')
			type = N_PARTIAL;
		if ((type == N_SECTION || type == N_INVERTED) && nopen == TMPL_MAX_NEST) {
			seterr(err, errsz, src, o, "sections nested too deep");
			rc = GW_EINPUT;
			goto fail;
		}
		memcpy(t->names + nameo, src + b, close - b);
		t->names[nameo + (close - b)] = '\0';
		if ((rc = add_node(t, &cap, type, t->names + nameo, close - b)) != GW_OK)
			goto fail;
		nameo += close - b + 1;
		if (type == N_SECTION || type == N_INVERTED)
			open[nopen++] = t->nnodes - 1;
	}
	if (nopen) {
		if (err && errsz)
			snprintf(err, errsz, "unclosed section {{#%s}}", t->nodes[open[nopen - 1]].s);
		rc = GW_EINPUT;
		goto fail;
	}
	*out = t;
	return GW_OK;
fail:
	if (rc == GW_ENOMEM && err && errsz && err[0] == '\0')
		snprintf(err, errsz, "out of memory");
	tmpl_free(t);
	return rc;
}

/* Rendering. */

struct rstate {
	json_t *stack[TMPL_MAX_STACK];
	int depth;
	int partials;
	unsigned long steps;
	tmpl_resolve_fn resolve;
	void *arg;
	struct buf *out;
};

int
tmpl_escape(struct buf *out, const char *s, size_t n)
{
	size_t i, run = 0;
	int rc;

	for (i = 0; i < n; i++) {
		const char *ent;
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		if (i > run && (rc = buf_add(out, s + run, i - run)) != GW_OK)
			return rc;
		if ((rc = buf_adds(out, ent)) != GW_OK)
			return rc;
		run = i + 1;
	}
	if (n > run)
		return buf_add(out, s + run, n - run);
	return GW_OK;
}

/* The value of a name: "." is the innermost frame; otherwise the first
 * segment is searched from the innermost object frame outwards, and the
 * rest descend from there. NULL when absent. */
static json_t *
lookup(const struct rstate *st, const char *name)
{
	char seg[TMPL_MAX_NAME + 1];
	const char *p = name, *dot;
	json_t *v = NULL;
	int i;

	if (name[0] == '.' && name[1] == '\0')
		return st->depth ? st->stack[st->depth - 1] : NULL;
	dot = strchr(p, '.');
	if (dot == NULL)
		dot = p + strlen(p);
	memcpy(seg, p, (size_t)(dot - p));
	seg[dot - p] = '\0';
	for (i = st->depth - 1; i >= 0 && v == NULL; i--)
		if (json_is_object(st->stack[i]))
			v = json_object_get(st->stack[i], seg);
	while (v && *dot == '.') {
		p = dot + 1;
		dot = strchr(p, '.');
		if (dot == NULL)
			dot = p + strlen(p);
		memcpy(seg, p, (size_t)(dot - p));
		seg[dot - p] = '\0';
		if (json_is_object(v))
			v = json_object_get(v, seg);
		else if (json_is_array(v) && seg[0] && strspn(seg, "0123456789") == strlen(seg) &&
		    strlen(seg) < 10)
			v = json_array_get(v, strtoul(seg, NULL, 10));
		else
			v = NULL;
	}
	return v;
}

static int
truthy(const json_t *v)
{
	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_OBJECT: return 1;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0.0;
	case JSON_TRUE: return 1;
	default: return 0;
	}
}

static int
put_value(struct buf *out, const json_t *v, int raw)
{
	char num[64];

	if (v == NULL)
		return GW_OK;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return raw ? buf_add(out, json_string_value(v), json_string_length(v)) :
		    tmpl_escape(out, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf_adds(out, num);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		return buf_adds(out, num);
	case JSON_TRUE:
		return buf_adds(out, "true");
	default:
		return GW_OK;
	}
}

static int render_range(struct rstate *st, const struct tmpl *t, size_t from, size_t to);

static int
push(struct rstate *st, json_t *v)
{
	if (st->depth == TMPL_MAX_STACK)
		return GW_EINPUT;
	st->stack[st->depth++] = v;
	return GW_OK;
}

static int
render_section(struct rstate *st, const struct tmpl *t, size_t i)
{
	const struct node *nd = &t->nodes[i];
	json_t *v = lookup(st, nd->s);
	size_t k;
	int rc = GW_OK;

	if (nd->type == N_INVERTED)
		return truthy(v) ? GW_OK : render_range(st, t, i + 1, nd->end);
	if (!truthy(v))
		return GW_OK;
	if (json_is_array(v)) {
		for (k = 0; k < json_array_size(v) && rc == GW_OK; k++) {
			if ((rc = push(st, json_array_get(v, k))) != GW_OK)
				break;
			rc = render_range(st, t, i + 1, nd->end);
			st->depth--;
		}
		return rc;
	}
	if ((rc = push(st, v)) != GW_OK)
		return rc;
	rc = render_range(st, t, i + 1, nd->end);
	st->depth--;
	return rc;
}

static int
render_range(struct rstate *st, const struct tmpl *t, size_t from, size_t to)
{
	size_t i = from;
	int rc = GW_OK;

	while (i < to && rc == GW_OK) {
		const struct node *nd = &t->nodes[i];
		const struct tmpl *p;

		if (++st->steps > TMPL_MAX_STEPS)
			return GW_EINPUT;
		switch (nd->type) {
		case N_TEXT:
			rc = buf_add(st->out, nd->s, nd->n);
			break;
		case N_VAR:
		case N_RAW:
			rc = put_value(st->out, lookup(st, nd->s), nd->type == N_RAW);
			break;
		case N_SECTION:
		case N_INVERTED:
			rc = render_section(st, t, i);
			i = nd->end;
			continue;
		case N_PARTIAL:
			if (st->resolve == NULL || st->partials == TMPL_MAX_PARTIAL ||
			    (p = st->resolve(st->arg, nd->s)) == NULL)
				return GW_EINPUT;
			st->partials++;
			rc = render_range(st, p, 0, p->nnodes);
			st->partials--;
			break;
		}
		i++;
	}
	return rc;
}

int
tmpl_render(const struct tmpl *t, json_t *ctx, tmpl_resolve_fn resolve, void *arg,
    struct buf *out)
{
	struct rstate st;

	st.depth = 0;
	st.partials = 0;
	st.steps = 0;
	st.resolve = resolve;
	st.arg = arg;
	st.out = out;
	if (ctx)
		st.stack[st.depth++] = ctx;
	return render_range(&st, t, 0, t->nnodes);
}

/* The embedded files. */

struct tmpl_asset {
	const char *path;	/* "templates/login.html", "static/style.css" */
	const unsigned char *data;	/* NUL-terminated */
	size_t len;
};

#include "templates/assets.h"	/* generated: static const struct tmpl_asset tmpl_assets[] */

#define NASSETS (sizeof(tmpl_assets) / sizeof(tmpl_assets[0]))
#define TDIR "templates/"
#define SDIR "static/"

static struct tmpl *compiled[NASSETS];
static int compile_failed;
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

/* "templates/<name>.html" == path? */
static int
is_template(const char *path, const char *name)
{
	size_t tl = strlen(TDIR), nl = strlen(name);

	return strncmp(path, TDIR, tl) == 0 && strncmp(path + tl, name, nl) == 0 &&
	    strcmp(path + tl + nl, ".html") == 0;
}

static void
compile_all(void)
{
	char err[160];
	size_t i;

	for (i = 0; i < NASSETS; i++) {
		if (strncmp(tmpl_assets[i].path, TDIR, strlen(TDIR)) != 0)
			continue;
		if (tmpl_parse((const char *)tmpl_assets[i].data, tmpl_assets[i].len, &compiled[i],
		    err, sizeof(err)) != GW_OK) {
			log_error("template %s: %s", tmpl_assets[i].path, err);
			compile_failed = 1;
		}
	}
}

const struct tmpl *
tmpl_get(const char *name)
{
	size_t i;

	(void)pthread_once(&compile_once, compile_all);
	for (i = 0; i < NASSETS; i++)
		if (is_template(tmpl_assets[i].path, name))
			return compiled[i];
	return NULL;
}

const struct tmpl *
tmpl_resolve_embedded(void *arg, const char *name)
{
	(void)arg;
	return tmpl_get(name);
}

int
tmpl_check_all(void)
{
	(void)pthread_once(&compile_once, compile_all);
	return compile_failed ? GW_EINPUT : GW_OK;
}

const char *
tmpl_static(const char *name, size_t *len)
{
	size_t i, sl = strlen(SDIR);

	for (i = 0; i < NASSETS; i++)
		if (strncmp(tmpl_assets[i].path, SDIR, sl) == 0 &&
		    strcmp(tmpl_assets[i].path + sl, name) == 0) {
			*len = tmpl_assets[i].len;
			return (const char *)tmpl_assets[i].data;
		}
	return NULL;
}

static char static_v[17];
static pthread_once_t static_v_once = PTHREAD_ONCE_INIT;

/* FNV-1a over the paths and bytes of the static files. */
static void
hash_static(void)
{
	uint64_t h = 1469598103934665603ull;
	size_t i, k;

	for (i = 0; i < NASSETS; i++) {
		if (strncmp(tmpl_assets[i].path, SDIR, strlen(SDIR)) != 0)
			continue;
		for (k = 0; tmpl_assets[i].path[k]; k++)
			h = (h ^ (unsigned char)tmpl_assets[i].path[k]) * 1099511628211ull;
		for (k = 0; k < tmpl_assets[i].len; k++)
			h = (h ^ tmpl_assets[i].data[k]) * 1099511628211ull;
	}
	snprintf(static_v, sizeof(static_v), "%016llx", (unsigned long long)h);
}

const char *
tmpl_static_version(void)
{
	(void)pthread_once(&static_v_once, hash_static);
	return static_v;
}
