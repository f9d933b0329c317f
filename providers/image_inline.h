/* providers/image_inline.h: fetch image URLs of a hub request and inline
 * them as base64, for upstreams that take no URLs (Gemini inlineData,
 * FORMATS.md §7.5 item 9) */
#ifndef GW_IMAGE_INLINE_H
#define GW_IMAGE_INLINE_H

#include <stddef.h>
#include "hub.h"

struct image_inline_opts {
	size_t max_bytes;	/* per image; 0 = IMAGE_INLINE_MAX */
	long timeout_ms;	/* whole fetch; <= 0 = IMAGE_INLINE_TIMEOUT_MS */
	const char *proxy;	/* NULL or "" = none */
	size_t total_bytes;	/* all images of the request; 0 = IMAGE_INLINE_MAX */
	/* 0 (the default): refuse to connect to loopback, private, link-local
	 * (cloud metadata), CGNAT, multicast and reserved addresses, checked on
	 * each address curl is about to connect to, after DNS and after every
	 * redirect; 1 = allow (USER_CONTENT_ALLOW_PRIVATE). Through a proxy
	 * only the proxy is connected to, and it is not checked. */
	int allow_private;
};

#define IMAGE_INLINE_MAX		(20u << 20)	/* Gemini's inline request limit */
#define IMAGE_INLINE_TIMEOUT_MS		30000L

/* For every HP_IMAGE part holding a url and no data, in messages and in
 * tool results' content: GET it (http/https only, up to 3 redirects), check
 * a 2xx answer typed image/jpeg|png|gif|webp of at most max_bytes (and of at
 * most what total_bytes leaves after the images before it), then set
 * part->mime and part->data (base64, arena copies) and clear part->url.
 * Addresses as o->allow_private says (a refused one is a 400 naming the
 * url). Blocking; one curl easy handle per image. GW_OK, or GW_EINPUT with err
 * filled (status 400, a message naming the url) for the first image that
 * cannot be used; GW_ENOMEM (err says so, status 500). Parts already
 * inlined stay inlined when a later one fails. */
int hub_inline_images(struct arena *a, struct hub_req *q, const struct image_inline_opts *o,
    struct hub_err *err);

struct sockaddr;
/* May a user's URL make the gateway connect to this address? 0 for
 * loopback, private, link-local, CGNAT, multicast and reserved ones (and
 * non-IP families). */
int image_addr_allowed(const struct sockaddr *sa);

#endif
