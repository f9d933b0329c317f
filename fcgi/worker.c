/* fcgi/worker.c: a fixed pool of threads taking jobs from one queue */
#include <stdlib.h>
#include "worker.h"
#include "db.h"
#include "log.h"

struct job {
	job_fn fn;
	void *arg;
	struct job *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct job *head, **tail = &head;
static size_t queued;
static int stopping, started;
static struct worker *ws;
static int nws;
static struct worker inline_worker = { -1, 0, NULL };

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&mu);
		while (head == NULL && !stopping)
			pthread_cond_wait(&cv, &mu);
		if ((j = head) == NULL) {
			pthread_mutex_unlock(&mu);
			break;
		}
		if ((head = j->next) == NULL)
			tail = &head;
		queued--;
		pthread_mutex_unlock(&mu);
		j->fn(w, j->arg);
		free(j);
	}
	db_close(w->db);
	w->db = NULL;
	return NULL;
}

int
pool_start(int n)
{
	int i;

	if ((ws = calloc((size_t)n, sizeof(*ws))) == NULL)
		return GW_ENOMEM;
	for (i = 0; i < n; i++) {
		ws[i].id = i;
		if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
			log_error("cannot start worker thread %d", i);
			break;
		}
	}
	nws = i;
	started = nws > 0;
	return started ? GW_OK : GW_EIO;
}

int
pool_submit(job_fn fn, void *arg)
{
	struct job *j;

	if (!started) {
		fn(&inline_worker, arg);
		return GW_OK;
	}
	if ((j = malloc(sizeof(*j))) == NULL)
		return GW_ENOMEM;
	j->fn = fn;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&mu);
	*tail = j;
	tail = &j->next;
	queued++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return GW_OK;
}

size_t
pool_queued(void)
{
	size_t n;

	pthread_mutex_lock(&mu);
	n = queued;
	pthread_mutex_unlock(&mu);
	return n;
}

void
pool_stop(void)
{
	int i;

	if (!started)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (i = 0; i < nws; i++)
		pthread_join(ws[i].th, NULL);
	free(ws);
	ws = NULL;
	started = 0;
}

struct worker *
pool_inline_worker(void)
{
	return &inline_worker;
}
