/* fcgi/tmpl.h: a tiny Mustache-like HTML template engine, escaping by default */
#ifndef GW_TMPL_H
#define GW_TMPL_H

#include <stddef.h>
#include <jansson.h>
#include "buf.h"
#include "err.h"

/*
 * Syntax (a subset of Mustache, https://mustache.github.io/mustache.5.html):
 *   {{name}}            the value, HTML-escaped: & < > " ' all five, so it is
 *                       safe in element text and in quoted attribute values.
 *                       Never put a value in an unquoted attribute, a URL
 *                       scheme position, <script> or <style>.
 *   {{{name}}}          the value as is. Only for markup we generated: grep
 *                       for "{{{" to audit every use.
 *   {{#name}}..{{/name}} a section: once per element when the value is an
 *                       array (the element is pushed on the context stack;
 *                       {{.}} is the element itself), once with the value
 *                       pushed when it is an object or another truthy value.
 *   {{^name}}..{{/name}} an inverted section: once when the value is falsy.
 *   {{>name}}           a partial: another template, found by the resolver
 *                       given to tmpl_render, rendered with the same context.
 *   {{! text}}          a comment.
 * Names are [A-Za-z0-9_-]+ separated by dots ("user.group"), or "."; blanks
 * inside the braces are allowed. A name is looked up from the innermost
 * context outwards; a dotted name then descends from the first match, a
 * segment of digits indexing an array ("rows.0": is there a first row?).
 * Falsy: missing, null, false, 0, 0.0, "", []. Scalars print as text
 * (integers in decimal, reals with %.15g, true as "true"); null, false,
 * objects and arrays print nothing.
 */

#define TMPL_MAX_NEST	32		/* section nesting inside one template */
#define TMPL_MAX_PARTIAL 8		/* partials inside partials */
#define TMPL_MAX_STACK	64		/* context frames during one render */
#define TMPL_MAX_STEPS	(1u << 22)	/* nodes visited by one render */
#define TMPL_MAX_SRC	(1u << 20)	/* template source bytes */

struct tmpl;

/* Compile src[0..n). On success *out owns a new template (free it with
 * tmpl_free) and GW_OK is returned. On a syntax error returns GW_EINPUT with
 * a one-line reason including the line number in err (errsz bytes; err may
 * be NULL); GW_ENOMEM or GW_ETOOBIG (longer than TMPL_MAX_SRC) otherwise.
 * src need not be NUL-terminated and may hold NUL bytes. */
int tmpl_parse(const char *src, size_t n, struct tmpl **out, char *err, size_t errsz) GW_WUR;
void tmpl_free(struct tmpl *t);

/* Finds a partial by name; NULL when there is none (a render error). */
typedef const struct tmpl *(*tmpl_resolve_fn)(void *arg, const char *name);

/* Render t with the JSON context ctx (borrowed; may be NULL) and append the
 * text to out. resolve may be NULL when t has no partials. Returns GW_OK;
 * GW_ETOOBIG/GW_ENOMEM from out (which is then freed, per buf.h); GW_EINPUT
 * for an unknown partial, partials nested deeper than TMPL_MAX_PARTIAL,
 * more than TMPL_MAX_STACK frames or TMPL_MAX_STEPS nodes. On an error out
 * may hold a partial rendering: discard it. */
int tmpl_render(const struct tmpl *t, json_t *ctx, tmpl_resolve_fn resolve, void *arg,
    struct buf *out) GW_WUR;

/* Append s[0..n) to out with & < > " ' replaced by entities. */
int tmpl_escape(struct buf *out, const char *s, size_t n) GW_WUR;

/*
 * The templates and static files compiled into the binary (templates/NAME.html
 * and static/NAME, embedded by contrib/tmpl2c.sh at build time).
 */

/* The compiled template templates/<name>.html, or NULL when there is no such
 * template or it failed to compile (logged once). All embedded templates are
 * compiled on the first call (thread-safe); they live until exit. */
const struct tmpl *tmpl_get(const char *name);
/* A tmpl_resolve_fn over the embedded templates (arg is unused). */
const struct tmpl *tmpl_resolve_embedded(void *arg, const char *name);
/* Compile every embedded template now; GW_OK or GW_EINPUT when one fails
 * (the reasons are logged). For start-up checks and tests. */
int tmpl_check_all(void) GW_WUR;
/* The bytes of an embedded static file ("style.css"), or NULL. *len gets its
 * size. The data lives for the whole process. */
const char *tmpl_static(const char *name, size_t *len);

/* A short hex hash of all embedded static files, for cache-busting URLs
 * ("/static/style.css?v=..."). Static storage. */
const char *tmpl_static_version(void);

#endif
