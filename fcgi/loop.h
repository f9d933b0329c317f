/* fcgi/loop.h: the one event loop of the process (epoll). It owns every
 * web-server connection and every upstream socket; worker threads hand it
 * work with loop_post. Everything registered here runs on the loop's thread. */
#ifndef GW_LOOP_H
#define GW_LOOP_H

#include <stdint.h>
#include "err.h"

typedef void (*loop_fn)(void *arg);

/* A file descriptor being watched; fn gets the epoll events. Set fd to -1
 * when it is closed: events still pending for it are then skipped. */
struct watch {
	int fd;
	uint32_t events;
	void (*fn)(struct watch *w, uint32_t events);
	void *arg;
};

/* A callback run about once a second (deadlines, heartbeats). */
struct tick {
	loop_fn fn;
	void *arg;
	struct tick *next;
};

int loop_init(void) GW_WUR;
void loop_free(void);
/* Run until loop_stop (FastCGI), or until *done is set (CGI: done may be
 * NULL for the former). */
void loop_run(volatile int *done);
/* Ask loop_run to return; any thread. */
void loop_stop(void);
/* 1 on the loop's thread. */
int loop_in_thread(void);

int loop_watch(struct watch *w, int fd, uint32_t events) GW_WUR;
int loop_rewatch(struct watch *w, uint32_t events) GW_WUR;
void loop_unwatch(struct watch *w);

/* Run fn(arg) on the loop's thread, soon; any thread. GW_ENOMEM when the
 * message cannot be queued. */
int loop_post(loop_fn fn, void *arg);
/* Free p with fn once the events of this epoll round are handled (an
 * object killed by one event may still be named by another). Loop only. */
void loop_defer_free(void (*fn)(void *), void *p);
/* The one-shot timer libcurl asks for: fn(arg) after ms (-1 = cancel). */
void loop_timer(long ms, loop_fn fn, void *arg);
/* Call t->fn about once a second until loop_untick. */
void loop_tick(struct tick *t);
void loop_untick(struct tick *t);

#endif
