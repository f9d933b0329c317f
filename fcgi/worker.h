/* fcgi/worker.h: the worker threads. They run handlers and database work;
 * no worker ever waits on a client or an upstream (the loop does that). */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include <pthread.h>
#include <stddef.h>
#include "err.h"

struct db;

/* Per-thread state: everything a job may reuse from the last one. */
struct worker {
	int id;
	pthread_t th;
	struct db *db;		/* opened on first use, reopened after failure */
};

typedef void (*job_fn)(struct worker *w, void *arg);

/* Start n threads. Without pool_start (CGI), pool_submit runs jobs at once
 * on the caller's thread. */
int pool_start(int n) GW_WUR;
/* Queue fn(w, arg) for a worker; any thread. GW_ENOMEM when it cannot. */
int pool_submit(job_fn fn, void *arg);
/* Jobs queued and not yet started (the loop's back-pressure signal). */
size_t pool_queued(void);
/* Run what is queued, then stop and join the threads. */
void pool_stop(void);
/* The worker of the calling thread outside the pool (CGI mode). */
struct worker *pool_inline_worker(void);

#endif
