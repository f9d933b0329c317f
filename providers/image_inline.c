/* providers/image_inline.c: fetch a request's image URLs with libcurl and
 * inline them as base64 (Gemini takes no image URLs, FORMATS.md §7.5/9) */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include "image_inline.h"
#include "util.h"

#define IMAGE_MAX_REDIRS	3L
#define IMAGE_URL_SHOWN		120	/* url bytes quoted in an error message */
#define U(url)			url_shown(url), (url)	/* for "%.*s" */

struct fetch {
	CURL *easy;
	struct buf body;
	const char *mime;	/* the answer's image type, once checked */
	long status;
	char ctype[96];		/* the answer's Content-Type, parameters cut */
	int checked;		/* status and type looked at */
	int bad;		/* not a 2xx image answer */
	int too_big;
	int nomem;
};

/* How much of url an error message quotes: a prefix that does not cut a
 * UTF-8 sequence (the message becomes a JSON string). */
static int
url_shown(const char *url)
{
	size_t n = strlen(url);

	if (n <= IMAGE_URL_SHOWN)
		return (int)n;
	n = IMAGE_URL_SHOWN;
	while (n > 0 && ((unsigned char)url[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

/* The image types every target takes (Claude and Converse: these four). */
static const char *
image_type(const char *ct)
{
	static const char *const types[] = { "image/jpeg", "image/png", "image/gif", "image/webp" };
	size_t i;

	if (strcmp(ct, "image/jpg") == 0)
		return "image/jpeg";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(ct, types[i]) == 0)
			return types[i];
	return NULL;
}

/* Look at the final answer's status and Content-Type ("image/PNG;
 * charset=x" -> "image/png"). Redirects are followed before this. */
static void
check_answer(struct fetch *f)
{
	const char *ct = NULL;
	size_t i = 0;

	if (f->checked)
		return;
	f->checked = 1;
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
	curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct);
	if (ct) {
		while (*ct == ' ' || *ct == '\t')
			ct++;
		/* printable ASCII only: it may be quoted in an error */
		for (; ct[i] && ct[i] != ';' && ct[i] != ' ' && i < sizeof(f->ctype) - 1; i++)
			f->ctype[i] = ct[i] > ' ' && ct[i] < 0x7f ?
			    (char)tolower((unsigned char)ct[i]) : '?';
	}
	f->ctype[i] = '\0';
	f->mime = image_type(f->ctype);
	f->bad = f->status < 200 || f->status > 299 || f->mime == NULL;
}

/* Body bytes: stop at once on a wrong answer or past the cap. */
static size_t
on_write(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	int rc;

	check_answer(f);
	if (f->bad)
		return 0;
	if ((rc = buf_add(&f->body, p, size * n)) != GW_OK) {
		if (rc == GW_ETOOBIG)
			f->too_big = 1;
		else
			f->nomem = 1;
		return 0;
	}
	return size * n;
}

static int fail(struct hub_err *err, int rc, const char *fmt, ...) GW_FMT(3, 4);

/* Fill err (400, or 500 for ENOMEM) and return rc. */
static int
fail(struct hub_err *err, int rc, const char *fmt, ...)
{
	va_list ap;

	err->status = rc == GW_ENOMEM ? 500 : 400;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return rc;
}

static void
setup(CURL *e, const char *url, const struct image_inline_opts *o, struct fetch *f, char *ebuf)
{
	long tmo = o->timeout_ms > 0 ? o->timeout_ms : IMAGE_INLINE_TIMEOUT_MS;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	/* redirects only to http(s): no file://, no gopher:// smuggling */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, IMAGE_MAX_REDIRS);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, tmo);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, tmo < 10000 ? tmo : 10000L);
	/* a declared Content-Length past the cap fails before any byte */
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->body.max);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "Mozilla/5.0 (compatible; oneapi-fcgi image fetch)");
	if (o->proxy && o->proxy[0])
		curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
}

/* base64 of the body into the arena, no newlines. */
static const char *
encode_body(struct arena *a, const struct buf *b)
{
	size_t n = buf_len(b);
	unsigned char *out = arena_alloc(a, 4 * ((n + 2) / 3) + 1);

	if (out == NULL)
		return NULL;
	EVP_EncodeBlock(out, (const unsigned char *)buf_cstr(b), (int)n);
	return (const char *)out;
}

/* Fetch one image into p. */
static int
inline_one(struct arena *a, struct hub_part *p, const struct image_inline_opts *o,
    size_t max, size_t *left, struct hub_err *err)
{
	size_t per = max;

	char ebuf[CURL_ERROR_SIZE] = "", detail[160];
	struct fetch f;
	const char *url = p->url;
	CURLcode cc;
	int rc = GW_OK;

	if (str_iprefix(url, "data:")) {	/* decoders split these; be lenient */
		if ((rc = hub_data_url(a, url, &p->mime, &p->data)) != GW_OK)
			return fail(err, rc, "bad image data URL %.*s", U(url));
		p->url = NULL;
		return GW_OK;
	}
	if (!str_iprefix(url, "http://") && !str_iprefix(url, "https://"))
		return fail(err, GW_EINPUT, "cannot fetch image %.*s: only http and https URLs are allowed",
		    U(url));
	if (*left < max)
		max = *left;	/* what the request's earlier images left */
	memset(&f, 0, sizeof(f));
	buf_init(&f.body, max);
	if ((f.easy = curl_easy_init()) == NULL)
		return fail(err, GW_ENOMEM, "cannot fetch image %.*s: %s", U(url), "out of memory");
	setup(f.easy, url, o, &f, ebuf);
	cc = curl_easy_perform(f.easy);
	if (cc == CURLE_OK)
		check_answer(&f);	/* an empty body never reached on_write */
	if (f.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		size_t cap = max < per ? o->total_bytes : max;
		if (cap >= (1u << 20))
			snprintf(detail, sizeof(detail), "%zu MB", cap >> 20);
		else
			snprintf(detail, sizeof(detail), "%zu bytes", cap);
		if (max < per)
			rc = fail(err, GW_EINPUT, "image at %.*s takes the request's images past %s in total",
			    U(url), detail);
		else
			rc = fail(err, GW_EINPUT, "image at %.*s is larger than %s", U(url), detail);
	} else if (f.checked && f.bad) {
		if (f.status < 200 || f.status > 299)
			snprintf(detail, sizeof(detail), "HTTP status %ld", f.status);
		else
			snprintf(detail, sizeof(detail), "HTTP status %ld with Content-Type %s, not an image",
			    f.status, f.ctype[0] ? f.ctype : "(none)");
		rc = fail(err, GW_EINPUT, "cannot fetch image %.*s: %s", U(url), detail);
	} else if (f.nomem) {
		rc = fail(err, GW_ENOMEM, "cannot fetch image %.*s: %s", U(url), "out of memory");
	} else if (cc != CURLE_OK) {
		rc = fail(err, GW_EINPUT, "cannot fetch image %.*s: %s", U(url),
		    ebuf[0] ? ebuf : curl_easy_strerror(cc));
	} else if (buf_len(&f.body) == 0) {
		rc = fail(err, GW_EINPUT, "cannot fetch image %.*s: %s", U(url), "empty answer");
	} else if ((p->data = encode_body(a, &f.body)) == NULL) {
		rc = fail(err, GW_ENOMEM, "cannot fetch image %.*s: %s", U(url), "out of memory");
	} else {
		p->mime = f.mime;
		p->url = NULL;
		*left -= buf_len(&f.body);
	}
	curl_easy_cleanup(f.easy);
	buf_release(&f.body);
	return rc;
}

static int
walk(struct arena *a, struct hub_part *parts, size_t n, const struct image_inline_opts *o,
    size_t max, size_t *left, struct hub_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		struct hub_part *p = &parts[i];
		if (p->type == HP_IMAGE && p->url && p->data == NULL &&
		    (rc = inline_one(a, p, o, max, left, err)) != GW_OK)
			return rc;
		if (p->ncontent && (rc = walk(a, p->content, p->ncontent, o, max, left, err)) != GW_OK)
			return rc;
	}
	return GW_OK;
}

int
hub_inline_images(struct arena *a, struct hub_req *q, const struct image_inline_opts *o,
    struct hub_err *err)
{
	static const struct image_inline_opts defaults = { 0, 0, NULL, 0 };
	size_t i, max, left;
	int rc;

	if (o == NULL)
		o = &defaults;
	max = o->max_bytes ? o->max_bytes : IMAGE_INLINE_MAX;
	if (max > INT_MAX / 2)
		max = INT_MAX / 2;	/* EVP_EncodeBlock takes an int */
	left = o->total_bytes ? o->total_bytes : IMAGE_INLINE_MAX;
	for (i = 0; i < q->nmsgs; i++)
		if ((rc = walk(a, q->msgs[i].parts, q->msgs[i].nparts, o, max, &left, err)) != GW_OK)
			return rc;
	return GW_OK;
}
