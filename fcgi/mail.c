/* fcgi/mail.c: one plain-text email through libcurl's SMTP client
 * (RFC 5321 envelope, RFC 5322 message with an RFC 2047 UTF-8 subject) */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include "mail.h"
#include "buf.h"
#include "log.h"
#include "options.h"
#include "util.h"

#define MAIL_MAX (64u << 10)

int
mail_configured(void)
{
	struct arena a;
	char *s;
	int ok;

	arena_init(&a);
	s = option_dup(&a, "SMTPServer");
	ok = s && *s;
	arena_release(&a);
	return ok;
}

struct reader {
	const char *p;
	size_t left;
};

static size_t
read_cb(char *out, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t k = size * n < r->left ? size * n : r->left;

	memcpy(out, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

/* An address usable in a header and the envelope. */
static int
address_ok(const char *s)
{
	return s && *s && strpbrk(s, "\r\n<>") == NULL && strchr(s, '@') != NULL;
}

/* Append s base64-encoded (RFC 4648). */
static int
b64(struct buf *b, const char *s)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i;
	int rc = GW_OK;

	for (i = 0; rc == GW_OK && i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		    (i + 2 < n ? p[i + 2] : 0);
		char q[4] = { al[v >> 18 & 63], al[v >> 12 & 63], i + 1 < n ? al[v >> 6 & 63] : '=',
		    i + 2 < n ? al[v & 63] : '=' };
		rc = buf_add(b, q, 4);
	}
	return rc;
}

int
mail_send(struct arena *a, const char *to, const char *subject, const char *text)
{
	const char *server = option_dup(a, "SMTPServer"), *account = option_dup(a, "SMTPAccount");
	const char *token = option_dup(a, "SMTPToken"), *from = option_dup(a, "SMTPFrom");
	int64_t port = option_int("SMTPPort", 587);
	struct buf msg = BUF_INIT(MAIL_MAX);
	struct curl_slist *rcpt = NULL;
	struct reader rd;
	CURL *c = NULL;
	CURLcode cc;
	const char *l;
	int rc;

	if (server == NULL || *server == '\0' || !address_ok(to))
		return GW_EINPUT;
	if (from == NULL || *from == '\0')
		from = account;
	if (!address_ok(from))
		return GW_EINPUT;
	/* the message: headers, then the text with CRLF line ends and
	 * dot-stuffing left to libcurl (it does it for SMTP uploads) */
	rc = buf_printf(&msg, "From: <%s>\r\nTo: <%s>\r\nSubject: =?UTF-8?B?", from, to);
	if (rc == GW_OK)
		rc = b64(&msg, subject);
	if (rc == GW_OK)
		rc = buf_adds(&msg, "?=\r\nMIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
	for (l = text; rc == GW_OK && *l; ) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		if ((rc = buf_add(&msg, l, n)) == GW_OK)
			rc = buf_adds(&msg, "\r\n");
		l += n + (e != NULL);
	}
	if (rc != GW_OK)
		goto out;
	if ((c = curl_easy_init()) == NULL || (rcpt = curl_slist_append(NULL,
	    arena_printf(a, "<%s>", to))) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	rd.p = buf_cstr(&msg);
	rd.left = buf_len(&msg);
	curl_easy_setopt(c, CURLOPT_URL, arena_printf(a, "%s://%s:%lld", port == 465 ? "smtps" : "smtp",
	    server, (long long)port));
	if (port != 465)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (account && *account) {
		curl_easy_setopt(c, CURLOPT_USERNAME, account);
		curl_easy_setopt(c, CURLOPT_PASSWORD, token ? token : "");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, arena_printf(a, "<%s>", from));
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		log_warn("mail to a user failed: %s", curl_easy_strerror(cc));
		rc = GW_EUPSTREAM;
	}
out:
	curl_slist_free_all(rcpt);
	if (c)
		curl_easy_cleanup(c);
	buf_release(&msg);
	return rc;
}
