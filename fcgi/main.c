/* fcgi/main.c: start-up: flags, configuration, schema, then FastCGI or CGI */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libgen.h>
#include <malloc.h>
#include <fcgiapp.h>
#include <curl/curl.h>
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "options.h"
#include "schema.h"
#include "session.h"
#include "tmpl.h"
#include "util.h"
#include "server.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: oneapi.fcgi [--listen ADDR] [--threads N] [--check-config] [--version] [--help]\n"
	    "\n"
	    "One API, the LLM API gateway, as a FastCGI application.\n"
	    "  spawned by a web server: the listen socket is fd 0 (lighttpd bin-path, mod_fcgid)\n"
	    "  --listen 127.0.0.1:9000 | /path/to.sock   standalone FastCGI server (nginx, Apache proxy_fcgi)\n"
	    "  otherwise, when fd 0 is not a socket: one CGI request, then exit\n"
	    "  --threads N        worker threads for handlers and the database (THREADS)\n"
	    "  --check-config     validate the environment, print it (secrets hidden), exit 0 or 1\n"
	    "\n"
	    "Environment:\n");
	cfg_usage(out);
}

/* The SQLite file's directory must exist and be writable. */
static int
check_sqlite_dir(const struct cfg *c, FILE *err)
{
	char *p, *dir;
	int ok;

	if (c->sql_dsn[0])
		return 0;
	if ((p = strdup(c->sqlite_path)) == NULL)
		return -1;
	dir = dirname(p);
	ok = access(dir, W_OK | X_OK) == 0;
	if (!ok)
		fprintf(err, "SQLITE_PATH: directory %s is not writable: %s\n", dir, strerror(errno));
	free(p);
	return ok ? 0 : -1;
}

/* Schema, first-run users, session key and options: once per process. */
static int
prepare_store(void)
{
	struct db *db;
	int rc;

	if ((rc = db_open(&db)) != GW_OK)
		return rc;
	if (strcmp(cfg->node_type, "slave") != 0) {
		if ((rc = schema_migrate(db)) == GW_OK)
			rc = schema_bootstrap(db);
	}
	if (rc == GW_OK)
		rc = session_init(db);
	if (rc == GW_OK)
		rc = options_load(db);
	db_close(db);
	return rc;
}

/* Every open stream takes two descriptors (the web server's connection and
 * the upstream's): allow as many as the hard limit does. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "check-config", no_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_addr = NULL, *threads = NULL;
	int check = 0, ch, fd, rc;
	struct cfg *c;

	while ((ch = getopt_long(argc, argv, "l:t:cvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': listen_addr = optarg; break;
		case 't': threads = optarg; break;
		case 'c': check = 1; break;
		case 'v':
			printf("oneapi-fcgi %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "oneapi.fcgi: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if ((c = cfg_load(stderr)) == NULL) {
		fprintf(stderr, "oneapi.fcgi: configuration invalid\n");
		return 1;
	}
	if ((listen_addr && cfg_set(c, "LISTEN", listen_addr, stderr) != 0) ||
	    (threads && cfg_set(c, "THREADS", threads, stderr) != 0)) {
		fprintf(stderr, "oneapi.fcgi: configuration invalid\n");
		cfg_free(c);
		return 1;
	}
	if (check) {
		rc = check_sqlite_dir(c, stderr);
		if (rc == 0) {
			cfg_dump(c, stdout);
			printf("configuration OK\n");
		} else
			fprintf(stderr, "oneapi.fcgi: configuration invalid\n");
		cfg_free(c);
		return rc == 0 ? 0 : 1;
	}
	cfg = c;
	gw_start_time = now_sec();
	log_set_level(c->debug ? LOG_DEBUG : LOG_INFO);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	/* The heap is not handed back and taken again on every request (each
	 * brk shrink costs page faults and TLB shootdowns); blocks of 4 MiB and
	 * more are mapped on their own and returned when freed, and a large
	 * request ends with malloc_trim (fcgi/server.c). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_error("curl_global_init failed");
		return 1;
	}
	/* a broken template fails the start, not the first page view */
	if (tmpl_check_all() != GW_OK) {
		log_error("the admin UI templates do not compile");
		return 1;
	}
	if (prepare_store() != GW_OK) {
		log_error("cannot prepare the database (%s); see the messages above",
		    c->sql_dsn[0] ? "SQL_DSN" : c->sqlite_path);
		return 1;
	}
	if (c->listen[0]) {
		/* a stale unix socket from a previous run would make bind fail */
		struct stat st;
		if (c->listen[0] == '/' && stat(c->listen, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(c->listen);
		if ((fd = FCGX_OpenSocket(c->listen, 4096)) < 0) {
			log_error("cannot listen on %s", c->listen);
			return 1;
		}
		if (c->listen[0] == '/')
			chmod(c->listen, 0660);
		log_info("listening on %s", c->listen);
	} else if (FCGX_IsCGI()) {
		rc = serve_cgi();
		curl_global_cleanup();
		return rc;
	} else
		fd = 0;	/* spawned: the web server's socket is fd 0 */
	rc = serve_fcgi(fd, (int)c->threads);
	curl_global_cleanup();
	return rc == 0 ? 0 : 1;
}
