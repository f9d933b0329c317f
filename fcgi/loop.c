/* fcgi/loop.c: epoll, an eventfd for messages from other threads, one
 * timer for libcurl and a once-a-second tick list */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "loop.h"
#include "log.h"
#include "util.h"

struct msg {
	loop_fn fn;
	void *arg;
	struct msg *next;
};

static int epfd = -1;
static struct watch wake;		/* the eventfd */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct msg *inbox, **inbox_tail = &inbox;
static volatile int stop_flag;
static pthread_t owner;
static int owner_set;
static struct tick *ticks;
static struct msg *graves;		/* frees after the current batch */
static struct msg *local, **local_tail = &local;	/* posts from the loop's own thread */
static int64_t timer_at = -1;		/* mono_us, -1 = none */
static loop_fn timer_fn;
static void *timer_arg;

static void
on_wake(struct watch *w, uint32_t ev)
{
	uint64_t v;
	struct msg *m, *next;

	(void)ev;
	if (read(w->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("loop: eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&mu);
	m = inbox;
	inbox = NULL;
	inbox_tail = &inbox;
	pthread_mutex_unlock(&mu);
	for (; m; m = next) {
		next = m->next;
		if (m->fn)
			m->fn(m->arg);
		free(m);
	}
}

int
loop_init(void)
{
	int fd;

	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return GW_EIO;
	if ((fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		return GW_EIO;
	wake.fn = on_wake;
	return loop_watch(&wake, fd, EPOLLIN);
}

void
loop_free(void)
{
	struct msg *m, *next;

	for (m = inbox; m; m = next) {
		next = m->next;
		free(m);
	}
	for (m = local; m; m = next) {
		next = m->next;
		free(m);
	}
	inbox = local = NULL;
	inbox_tail = &inbox;
	local_tail = &local;
	if (wake.fd > 0)
		close(wake.fd);
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
	owner_set = 0;
}

int
loop_in_thread(void)
{
	return owner_set && pthread_equal(owner, pthread_self());
}

int
loop_watch(struct watch *w, int fd, uint32_t events)
{
	struct epoll_event ev;

	w->fd = fd;
	w->events = events;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = w;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? GW_OK : GW_EIO;
}

int
loop_rewatch(struct watch *w, uint32_t events)
{
	struct epoll_event ev;

	if (w->events == events)
		return GW_OK;
	w->events = events;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = w;
	return epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev) == 0 ? GW_OK : GW_EIO;
}

void
loop_unwatch(struct watch *w)
{
	(void)epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

int
loop_post(loop_fn fn, void *arg)
{
	struct msg *m = malloc(sizeof(*m));
	uint64_t one = 1;
	int first;

	if (m == NULL)
		return GW_ENOMEM;
	m->fn = fn;
	m->arg = arg;
	m->next = NULL;
	if (loop_in_thread()) {
		/* run after the current round, without waking ourselves */
		*local_tail = m;
		local_tail = &m->next;
		return GW_OK;
	}
	pthread_mutex_lock(&mu);
	first = inbox == NULL;
	*inbox_tail = m;
	inbox_tail = &m->next;
	pthread_mutex_unlock(&mu);
	/* one wake-up per batch: the loop takes the whole inbox at once */
	if (first && write(wake.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("loop: eventfd write: %s", strerror(errno));
	return GW_OK;
}

void
loop_defer_free(void (*fn)(void *), void *p)
{
	struct msg *m = malloc(sizeof(*m));

	if (m == NULL) {
		/* better a leak than a use after free */
		log_error("loop: out of memory; %p not freed", p);
		return;
	}
	m->fn = fn;
	m->arg = p;
	m->next = graves;
	graves = m;
}

void
loop_timer(long ms, loop_fn fn, void *arg)
{
	timer_at = ms < 0 ? -1 : mono_us() + (int64_t)ms * 1000;
	timer_fn = fn;
	timer_arg = arg;
}

void
loop_tick(struct tick *t)
{
	t->next = ticks;
	ticks = t;
}

void
loop_untick(struct tick *t)
{
	struct tick **pp;

	for (pp = &ticks; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			return;
		}
}

void
loop_stop(void)
{
	stop_flag = 1;
	(void)loop_post(NULL, NULL);	/* wakes epoll_wait */
}

void
loop_run(volatile int *done)
{
	struct epoll_event evs[256];
	int64_t next_tick = mono_us() + 1000000, now;
	int i, n, wait_ms;

	owner = pthread_self();
	owner_set = 1;
	stop_flag = 0;
	while (!stop_flag && !(done && *done)) {
		now = mono_us();
		wait_ms = local ? 0 : (int)((next_tick - now + 999) / 1000);
		if (timer_at >= 0 && (timer_at - now + 999) / 1000 < wait_ms)
			wait_ms = (int)((timer_at - now + 999) / 1000);
		if (wait_ms < 0)
			wait_ms = 0;
		n = epoll_wait(epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), wait_ms);
		if (n < 0 && errno != EINTR) {
			log_error("loop: epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;
			if (w->fd >= 0)
				w->fn(w, evs[i].events);
		}
		while (local) {
			struct msg *m = local;
			if ((local = m->next) == NULL)
				local_tail = &local;
			if (m->fn)
				m->fn(m->arg);
			free(m);
		}
		while (graves) {
			struct msg *m = graves;
			graves = m->next;
			m->fn(m->arg);
			free(m);
		}
		now = mono_us();
		if (timer_at >= 0 && now >= timer_at) {
			loop_fn fn = timer_fn;
			timer_at = -1;
			fn(timer_arg);
		}
		if (now >= next_tick) {
			struct tick *t, *next;
			next_tick = now + 1000000;
			for (t = ticks; t; t = next) {
				next = t->next;	/* t may untick itself */
				t->fn(t->arg);
			}
		}
	}
}
