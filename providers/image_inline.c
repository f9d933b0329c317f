/* providers/image_inline.c: fetch a request's image URLs with libcurl and
 * inline them as base64 (Gemini takes no image URLs, FORMATS.md §7.5/9) */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
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
	int refused;		/* an address the guard refused */
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

/* An IPv4 address (host order) no user-supplied URL may reach: "this"
 * network, private (RFC 1918), CGNAT (also Alibaba's metadata), loopback,
 * link-local (AWS/GCP/Azure metadata 169.254.169.254), IETF protocol
 * assignments, benchmarking, multicast, reserved and broadcast. */
static int
v4_private(uint32_t a)
{
	static const struct { uint32_t net, mask; } nets[] = {
		{ 0x00000000, 0xff000000 }, { 0x0a000000, 0xff000000 }, { 0x64400000, 0xffc00000 },
		{ 0x7f000000, 0xff000000 }, { 0xa9fe0000, 0xffff0000 }, { 0xac100000, 0xfff00000 },
		{ 0xc0000000, 0xffffff00 }, { 0xc0a80000, 0xffff0000 }, { 0xc6120000, 0xfffe0000 },
		{ 0xe0000000, 0xf0000000 }, { 0xf0000000, 0xf0000000 },
	};
	size_t i;

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if ((a & nets[i].mask) == nets[i].net)
			return 1;
	return 0;
}

/* The same for IPv6: unspecified, loopback, unique local (fc00::/7, AWS's
 * fd00:ec2::254), link-local, multicast, and IPv4 inside (mapped,
 * compatible, NAT64) checked as IPv4. */
static int
v6_private(const unsigned char *b)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char zero[12];
	uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];

	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 || memcmp(b, zero, 12) == 0)
		return v4_private(v4) || memcmp(b, zero, 12) == 0;	/* ::, ::1 and ::a.b.c.d */
	return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || b[0] == 0xff;
}

/* May a URL given by a user make us connect to sa? */
int
image_addr_allowed(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return !v4_private(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return !v6_private(((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
	return 0;	/* unix sockets and the like: never */
}

/* CURLOPT_OPENSOCKETFUNCTION: curl asks for a socket for each address it
 * is about to connect to (each DNS answer tried, each redirect's host), so
 * the check is on the address actually used, not on the URL's text. */
static curl_socket_t
open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *ca)
{
	struct fetch *f = arg;

	(void)purpose;
	if (!image_addr_allowed(&ca->addr)) {
		f->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(ca->family, ca->socktype, ca->protocol);
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
	else if (!o->allow_private) {
		curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_checked);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, f);
	}
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
	if (f.refused && cc != CURLE_OK) {
		rc = fail(err, GW_EINPUT, "cannot fetch image %.*s: it points at a loopback, private or "
		    "link-local address, which this gateway does not fetch (USER_CONTENT_ALLOW_PRIVATE)", U(url));
	} else if (f.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
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
	static const struct image_inline_opts defaults = { 0, 0, NULL, 0, 0 };
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
