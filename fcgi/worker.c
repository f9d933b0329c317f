/* fcgi/worker.c: threads that accept FastCGI requests, signals, CGI mode.
 * Only this file and main.c include fcgiapp.h. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcgiapp.h>
#include "worker.h"
#include "cfg.h"
#include "db.h"
#include "dispatch.h"
#include "jsonx.h"
#include "billing.h"
#include "log.h"

/* FastCGI streams behind struct io. */
static long
f_read(void *ctx, char *p, size_t n)
{
	FCGX_Request *fr = ctx;
	int got = FCGX_GetStr(p, n > 1 << 30 ? 1 << 30 : (int)n, fr->in);

	if (got == 0 && FCGX_GetError(fr->in) != 0)
		return -1;
	return got;
}

static int
f_write(void *ctx, const char *p, size_t n)
{
	FCGX_Request *fr = ctx;

	while (n > 0) {
		int k = n > 1 << 30 ? 1 << 30 : (int)n;
		if (FCGX_PutStr(p, k, fr->out) != k)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
f_flush(void *ctx)
{
	FCGX_Request *fr = ctx;

	return FCGX_FFlush(fr->out) == 0 ? 0 : -1;
}

static const char *
f_param(void *ctx, const char *name)
{
	FCGX_Request *fr = ctx;

	return FCGX_GetParam(name, fr->envp);
}

static const struct io fcgi_io = { f_read, f_write, f_flush, f_param };

/* CGI: the environment and stdio. */
static long
c_read(void *ctx, char *p, size_t n)
{
	size_t got = fread(p, 1, n, stdin);

	return got == 0 && ferror(stdin) ? -1 : (long)got;
}

static int
c_write(void *ctx, const char *p, size_t n)
{
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static int
c_flush(void *ctx)
{
	return fflush(stdout) == 0 ? 0 : -1;
}

static const char *
c_param(void *ctx, const char *name)
{
	return getenv(name);
}

static const struct io cgi_io = { c_read, c_write, c_flush, c_param };

/* Run one request on a worker: the store is (re)opened lazily so a database
 * that was briefly away does not kill the thread. Returns req_input_done. */
static int
serve_one(struct worker *w, const struct io *io, void *ctx)
{
	struct req r;
	int done;

	req_init(&r, w, io, ctx);
	if (w->db == NULL && db_open(&w->db) != GW_OK) {
		w->db = NULL;
		oai_error(&r, 503, "one_api_error", "database_unavailable", "database unavailable");
		(void)resp_send(&r);
		log_error("req=%s database unavailable", r.id);
		done = req_input_done(&r);
		req_release(&r);
		return done;
	}
	r.db = w->db;
	dispatch(&r);
	done = req_input_done(&r);
	req_release(&r);
	return done;
}

/*
 * End a request. libfcgi closes a connection with a linger: shutdown, then
 * poll until the web server closes its end, so that unread input cannot
 * turn the close into a TCP reset that loses the answer. That costs the
 * thread a sleep and a wake-up per request. When the input was read to its
 * end (the empty FCGI_STDIN record, which the server sends right after a
 * body it has passed on in full) nothing more will arrive, and a plain
 * close is just as safe: FCGX_Detach makes FCGX_Finish_r skip the linger.
 */
static void
finish(FCGX_Request *fr, int input_done)
{
	if (input_done && !fr->keepConnection && FCGX_GetError(fr->in) == 0 &&
	    FCGX_GetChar(fr->in) == EOF && FCGX_HasSeenEOF(fr->in) && FCGX_GetError(fr->in) == 0)
		(void)FCGX_Detach(fr);
	FCGX_Finish_r(fr);
}

static volatile sig_atomic_t stopping;
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_cv = PTHREAD_COND_INITIALIZER;
static int live;		/* worker threads still running */
static int listen_sock;

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	FCGX_Request fr;

	/* No accept mutex: concurrent accept() on one socket is safe on Linux,
	 * and a mutex stalls kept-alive web-server connections
	 * (FASTCGI_FACTS.md section 7.1). */
	if (FCGX_InitRequest(&fr, listen_sock, 0) != 0) {
		log_error("worker %d: FCGX_InitRequest failed", w->id);
		goto out;
	}
	while (!stopping) {
		int rc = FCGX_Accept_r(&fr);
		if (rc < 0) {
			if (stopping)
				break;
			/* EMFILE and friends: back off instead of spinning */
			log_warn("worker %d: accept failed (%d)", w->id, rc);
			usleep(100000);
			continue;
		}
		finish(&fr, serve_one(w, &fcgi_io, &fr));
	}
	FCGX_Free(&fr, 1);
out:
	db_close(w->db);
	w->db = NULL;
	relay_conn_release(&w->relay);
	pthread_mutex_lock(&live_mu);
	live--;
	pthread_cond_signal(&live_cv);
	pthread_mutex_unlock(&live_mu);
	return NULL;
}

int
worker_serve_fcgi(int fd, int n)
{
	struct worker *ws = calloc((size_t)n, sizeof(*ws));
	sigset_t set;
	struct timespec dl;
	int i, sig = 0, left;

	if (ws == NULL)
		return -1;
	listen_sock = fd;
	/* Our own signal handling: libfcgi's SIGTERM handler only sets a flag
	 * that threads blocked in accept() never see. The signals are blocked
	 * in every thread and taken by sigwait() here. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		free(ws);
		return -1;
	}
	if (billing_queue_start() != GW_OK)
		log_warn("no settlement writer thread: requests settle one by one");
	for (i = 0; i < n; i++) {
		ws[i].id = i;
		pthread_mutex_lock(&live_mu);
		live++;
		pthread_mutex_unlock(&live_mu);
		if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
			log_error("cannot start worker thread %d", i);
			pthread_mutex_lock(&live_mu);
			live--;
			pthread_mutex_unlock(&live_mu);
			break;
		}
	}
	if (i == 0) {
		free(ws);
		return -1;
	}
	n = i;
	log_info("serving FastCGI with %d threads (pid %d)", n, (int)getpid());
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP ignored: restart the process to reload the environment");
			continue;
		}
		break;
	}
	log_info("signal %d: stop accepting, finishing requests in flight (up to %llds)", sig,
	    (long long)cfg->shutdown_timeout_sec);
	stopping = 1;
	FCGX_ShutdownPending();
	/* wakes every thread blocked in accept() */
	shutdown(fd, SHUT_RDWR);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += (time_t)cfg->shutdown_timeout_sec;
	pthread_mutex_lock(&live_mu);
	while (live > 0)
		if (pthread_cond_timedwait(&live_cv, &live_mu, &dl) == ETIMEDOUT)
			break;
	left = live;
	pthread_mutex_unlock(&live_mu);
	if (left > 0) {
		log_warn("%d requests still running after %llds; exiting anyway", left,
		    (long long)cfg->shutdown_timeout_sec);
		billing_queue_flush();	/* what finished is charged */
		return 0;	/* the threads die with the process */
	}
	for (i = 0; i < n; i++)
		pthread_join(ws[i].th, NULL);
	billing_queue_stop();
	free(ws);
	log_info("stopped");
	return 0;
}

int
worker_serve_cgi(void)
{
	struct worker w = { 0 };

	(void)serve_one(&w, &cgi_io, NULL);
	fflush(stdout);
	db_close(w.db);
	relay_conn_release(&w.relay);
	return 0;
}
