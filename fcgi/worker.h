/* fcgi/worker.h: the FastCGI worker pool and the one-shot CGI mode */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include <pthread.h>
#include "relay.h"

struct db;

/* Per-thread state: everything a request may reuse from the last one. */
struct worker {
	int id;
	pthread_t th;
	struct db *db;		/* opened on first use, reopened after failure */
	struct relay_conn relay;	/* upstream connections kept alive; lazily */
};

/* Serve FastCGI on listen_fd with n threads until SIGTERM/SIGINT, then let
 * in-flight requests finish (bounded by SHUTDOWN_TIMEOUT_SEC). Returns 0
 * on a clean stop. Blocks signals in the threads; call from main. */
int worker_serve_fcgi(int listen_fd, int n);
/* Serve exactly one CGI request from the environment and stdin/stdout. */
int worker_serve_cgi(void);

#endif
