/* fcgi/ratelimit.h: in-process rate limits of the sign-in routes: One API's
 * sliding-window limiter (middleware/rate-limit.go, in-memory flavour) per
 * client address, and a growing delay after repeated wrong passwords per
 * username */
#ifndef GW_RATELIMIT_H
#define GW_RATELIMIT_H

#include <stdint.h>
#include "err.h"

#define RL_KEY_MAX		96	/* longer keys are cut (still one bucket each) */
#define RL_EVENTS_MAX		1000	/* most events one window may count */
#define RL_FREE_FAILURES	5	/* wrong passwords before the delay starts */
#define RL_FAIL_DELAY_MAX_MS	60000	/* the delay doubles from 1 s up to this */
#define RL_FAIL_FORGET_MS	(20 * 60 * 1000LL)	/* failures this old are forgotten */

/*
 * One event for key at now_ms, if it fits: at most max events in any
 * window_ms (One API: the request passes while fewer than max are
 * remembered, or the oldest is at least window_ms old, and is then
 * remembered). GW_OK, or GW_ELIMIT with *retry_ms (may be NULL) set to the
 * wait until one would pass; a refused event is not counted. max <= 0 =
 * no limit. Thread-safe.
 */
int rl_allow(const char *key, int max, int64_t window_ms, int64_t now_ms, int64_t *retry_ms) GW_WUR;

/* May key try a password at now_ms? GW_OK, or GW_ELIMIT with *retry_ms:
 * after RL_FREE_FAILURES failures in a row each further try waits 1 s,
 * 2 s, 4 s ... (at most RL_FAIL_DELAY_MAX_MS) after the last failure. */
int rl_fail_wait(const char *key, int64_t now_ms, int64_t *retry_ms) GW_WUR;
/* A wrong password for key at now_ms. */
void rl_fail_note(const char *key, int64_t now_ms);
/* A right password: key's failures are forgotten. */
void rl_fail_clear(const char *key);

/* Forget everything (tests). */
void rl_reset(void);

#endif
