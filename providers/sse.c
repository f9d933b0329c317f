/* providers/sse.c: incremental Server-Sent Events parser */
#include <string.h>
#include "sse.h"

void
sse_init(struct sse *p)
{
	buf_init(&p->line, SSE_MAX_EVENT);
	buf_init(&p->data, SSE_MAX_EVENT);
	buf_init(&p->event, 4096);
	buf_init(&p->id, 4096);
	p->cr = 0;
	p->has_data = 0;
	p->comments = 0;
}

void
sse_release(struct sse *p)
{
	buf_release(&p->line);
	buf_release(&p->data);
	buf_release(&p->event);
	buf_release(&p->id);
}

/* Blank line: dispatch if there is data (9.2.6: no data, no event). */
static int
dispatch(struct sse *p, sse_cb cb, void *ctx)
{
	struct sse_event ev;
	int rc = 0;

	if (p->has_data) {
		ev.event = buf_cstr(&p->event);
		ev.data = buf_cstr(&p->data);
		ev.len = buf_len(&p->data);
		ev.id = buf_cstr(&p->id);
		rc = cb(ctx, &ev);
	}
	buf_reset(&p->data);
	buf_reset(&p->event);
	p->has_data = 0;
	return rc;
}

/* One complete line (without its terminator). */
static int
line(struct sse *p, const char *s, size_t n, sse_cb cb, void *ctx)
{
	const char *colon, *v;
	size_t fl, vl;

	if (n == 0)
		return dispatch(p, cb, ctx);
	if (s[0] == ':') {
		p->comments++;
		return 0;
	}
	colon = memchr(s, ':', n);
	fl = colon ? (size_t)(colon - s) : n;
	v = colon ? colon + 1 : s + n;
	vl = colon ? n - fl - 1 : 0;
	if (vl && *v == ' ') {
		v++;
		vl--;
	}
	if (fl == 4 && memcmp(s, "data", 4) == 0) {
		if (p->has_data && buf_addc(&p->data, '\n') != GW_OK)
			return -1;
		if (buf_add(&p->data, v, vl) != GW_OK)
			return -1;
		p->has_data = 1;
	} else if (fl == 5 && memcmp(s, "event", 5) == 0) {
		buf_reset(&p->event);
		if (buf_add(&p->event, v, vl) != GW_OK)
			return -1;
	} else if (fl == 2 && memcmp(s, "id", 2) == 0) {
		if (memchr(v, '\0', vl) == NULL) {
			buf_reset(&p->id);
			if (buf_add(&p->id, v, vl) != GW_OK)
				return -1;
		}
	}
	/* "retry" and unknown fields are ignored */
	return 0;
}

int
sse_feed(struct sse *p, const char *s, size_t n, sse_cb cb, void *ctx)
{
	size_t i = 0, start;
	int rc;

	while (i < n) {
		if (p->cr) {
			p->cr = 0;
			if (s[i] == '\n') {
				i++;
				continue;
			}
		}
		start = i;
		while (i < n && s[i] != '\n' && s[i] != '\r')
			i++;
		if (i == n) {
			/* unfinished line: keep it for the next chunk */
			if (buf_add(&p->line, s + start, i - start) != GW_OK)
				return -1;
			break;
		}
		p->cr = s[i] == '\r';
		if (buf_len(&p->line)) {
			if (buf_add(&p->line, s + start, i - start) != GW_OK)
				return -1;
			rc = line(p, buf_cstr(&p->line), buf_len(&p->line), cb, ctx);
			buf_reset(&p->line);
		} else
			rc = line(p, s + start, i - start, cb, ctx);
		if (rc != 0)
			return rc;
		i++;
	}
	return 0;
}

int
sse_finish(struct sse *p, sse_cb cb, void *ctx)
{
	int rc = 0;

	if (buf_len(&p->line)) {
		rc = line(p, buf_cstr(&p->line), buf_len(&p->line), cb, ctx);
		buf_reset(&p->line);
	}
	if (rc == 0)
		rc = dispatch(p, cb, ctx);
	return rc;
}
