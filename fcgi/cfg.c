/* fcgi/cfg.c: the table of environment variables, their defaults and limits */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "cfg.h"
#include "util.h"

enum opt_type { OPT_STR, OPT_INT, OPT_BOOL };
#define OPT_SECRET 1u

struct opt {
	const char *name;
	enum opt_type type;
	size_t off;
	const char *def;
	int64_t min, max;
	unsigned flags;
	const char *help;
};

#define F(x) offsetof(struct cfg, x)
static const struct opt opts[] = {
	{ "LISTEN", OPT_STR, F(listen), "", 0, 0, 0, "standalone listen address host:port or socket path (same as --listen)" },
	{ "THREADS", OPT_INT, F(threads), "4", 1, 1024, 0, "worker threads per process: CPU and database parallelism (streams hold none)" },
	{ "SQL_DSN", OPT_STR, F(sql_dsn), "", 0, 0, OPT_SECRET, "MySQL DSN user:pass@tcp(host:3306)/db; empty = SQLite (the MySQL driver is not built yet: a DSN is refused)" },
	{ "SQLITE_PATH", OPT_STR, F(sqlite_path), "one-api.db", 0, 0, 0, "SQLite database file" },
	{ "SQLITE_BUSY_TIMEOUT", OPT_INT, F(sqlite_busy_timeout), "3000", 0, 600000, 0, "SQLite busy timeout, ms" },
	{ "SESSION_SECRET", OPT_STR, F(session_secret), "", 0, 0, OPT_SECRET, "key that signs session cookies; empty = one generated and kept in the database" },
	{ "INITIAL_ROOT_TOKEN", OPT_STR, F(initial_root_token), "", 0, 0, OPT_SECRET, "on first start, create this API key for root" },
	{ "INITIAL_ROOT_ACCESS_TOKEN", OPT_STR, F(initial_root_access_token), "", 0, 0, OPT_SECRET, "on first start, root's system access token" },
	{ "SYNC_FREQUENCY", OPT_INT, F(sync_frequency), "600", 1, 86400, 0, "seconds between reloads of options and cached rows" },
	{ "CACHE_TTL_SEC", OPT_INT, F(cache_ttl_sec), "5", 0, 86400, 0, "how long this process reuses a token, user or channel row it read (at most SYNC_FREQUENCY), s (0 = no cache)" },
	{ "DEBUG", OPT_BOOL, F(debug), "false", 0, 1, 0, "debug logging" },
	{ "MAX_REQUEST_BODY_MB", OPT_INT, F(max_request_body_mb), "64", 1, 4096, 0, "largest request body accepted, MiB (413 above)" },
	{ "REQUEST_READ_TIMEOUT_SEC", OPT_INT, F(request_read_timeout), "30", 1, 86400, 0, "a request whose headers and body are not all in after this long is cut (408), s" },
	{ "STREAM_WRITE_TIMEOUT_SEC", OPT_INT, F(stream_write_timeout_sec), "60", 1, 86400, 0, "a client that takes no byte of its answer for this long is cut and its upstream aborted, s" },
	{ "SHUTDOWN_TIMEOUT_SEC", OPT_INT, F(shutdown_timeout_sec), "60", 0, 86400, 0, "on SIGTERM, how long in-flight requests may take to finish" },
	{ "COOKIE_MAXAGE_HOURS", OPT_INT, F(cookie_maxage_hours), "168", 1, 87600, 0, "session cookie lifetime, hours" },
	{ "ENABLE_COOKIE_SECURE", OPT_BOOL, F(enable_cookie_secure), "false", 0, 1, 0, "mark the session cookie Secure (HTTPS only)" },
	{ "MAX_ITEMS_PER_PAGE", OPT_INT, F(max_items_per_page), "100", 1, 10000, 0, "largest page size of list APIs" },
	{ "MEMCACHED_SERVERS", OPT_STR, F(memcached_servers), "", 0, 0, 0, "memcached servers host:port,... (read, not used yet: the cache comes later)" },
	{ "NODE_TYPE", OPT_STR, F(node_type), "master", 0, 0, 0, "\"slave\" skips schema migrations" },
	{ "RELAY_TIMEOUT", OPT_INT, F(relay_timeout), "0", 0, 86400, 0, "upstream request timeout, s (0 = none)" },
	{ "RELAY_PROXY", OPT_STR, F(relay_proxy), "", 0, 0, OPT_SECRET, "proxy URL for upstream requests" },
	{ "CHANNEL_SUSPEND_SECONDS_FOR_429", OPT_INT, F(suspend_429), "60", 0, 86400, 0, "after an upstream 429, skip that channel for the model this long, s" },
	{ "CHANNEL_SUSPEND_SECONDS_FOR_5XX", OPT_INT, F(suspend_5xx), "30", 0, 86400, 0, "after an upstream 5xx, skip that channel for the model this long, s" },
	{ "CHANNEL_SUSPEND_SECONDS_FOR_AUTH", OPT_INT, F(suspend_auth), "60", 0, 86400, 0, "after an upstream 401/403, skip that channel for the model this long, s" },
	{ "STREAM_HEARTBEAT_SEC", OPT_INT, F(stream_heartbeat), "5", 0, 600, 0, "while a stream's upstream is silent, send an SSE comment this often, s (0 = never)" },
	{ "DEFAULT_MAX_TOKEN", OPT_INT, F(default_max_token), "2048", 1, 1000000, 0, "max_tokens sent to upstreams that require one (Anthropic) when the client gave none" },
	{ "MAX_INLINE_IMAGES_TOTAL_MB", OPT_INT, F(max_inline_images_total_mb), "20", 1, 4096, 0, "all images fetched to inline for one request together, MiB" },
	{ "MAX_INLINE_IMAGE_SIZE_MB", OPT_INT, F(max_inline_image_mb), "16", 1, 1024, 0, "largest image fetched from a URL to inline for upstreams that need the bytes (Gemini), MiB" },
	{ "USER_CONTENT_REQUEST_TIMEOUT", OPT_INT, F(user_content_timeout), "30", 1, 3600, 0, "timeout of such an image fetch, s" },
	{ "USER_CONTENT_REQUEST_PROXY", OPT_STR, F(user_content_proxy), "", 0, 0, OPT_SECRET, "proxy URL for fetching user content (images)" },
	{ "USER_CONTENT_ALLOW_PRIVATE", OPT_BOOL, F(user_content_allow_private), "false", 0, 1, 0, "let user content (image URLs) be fetched from loopback, private and link-local addresses" },
	{ "CRITICAL_RATE_LIMIT", OPT_INT, F(critical_rate_limit), "20", 0, 1000, 0, "login, register and password-reset requests per client IP per 20 minutes, 429 above (0 = no limit)" },
	{ "SERVER_ADDRESS", OPT_STR, F(server_address), "http://localhost:3000", 0, 0, 0, "public address of this server (default of the ServerAddress option)" },
};
#undef F

const struct cfg *cfg;
int64_t gw_start_time;

static int
set_one(struct cfg *c, const struct opt *o, const char *v, FILE *err)
{
	char *p = (char *)c + o->off;
	int64_t n;
	int b;

	switch (o->type) {
	case OPT_STR: {
		char *s = strdup(v);
		if (s == NULL)
			return -1;
		free(*(char **)p);
		*(char **)p = s;
		return 0;
	}
	case OPT_INT:
		if (parse_i64(v, o->min, o->max, &n) != GW_OK) {
			if (err)
				fprintf(err, "%s: expected a whole number from %lld to %lld, got \"%s\"\n",
				    o->name, (long long)o->min, (long long)o->max, v);
			return -1;
		}
		*(int64_t *)p = n;
		return 0;
	case OPT_BOOL:
		if (parse_bool(v, &b) != GW_OK) {
			if (err)
				fprintf(err, "%s: expected true or false, got \"%s\"\n", o->name, v);
			return -1;
		}
		*(int *)p = b;
		return 0;
	}
	return -1;
}

struct cfg *
cfg_load(FILE *err)
{
	struct cfg *c = calloc(1, sizeof(*c));
	size_t i;
	int bad = 0;

	if (c == NULL)
		return NULL;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const char *v = getenv(opts[i].name);
		if (set_one(c, &opts[i], opts[i].def, NULL) != 0)
			bad = 1;
		if (v != NULL && *v != '\0' && set_one(c, &opts[i], v, err) != 0)
			bad = 1;
	}
	if (!bad && c->sql_dsn[0] != '\0') {
		/* the MySQL driver (fcgi/db_mysql.c) is not written yet */
		if (err)
			fprintf(err, "SQL_DSN: set, but this build has no MySQL driver yet; unset it to use SQLite\n");
		bad = 1;
		if (strncmp(c->sql_dsn, "postgres://", 11) == 0) {
			if (err)
				fprintf(err, "SQL_DSN: PostgreSQL is not supported; use MySQL/MariaDB or SQLite\n");
			bad = 1;
		}
	}
	if (!bad && c->sqlite_path[0] == '\0') {
		if (err)
			fprintf(err, "SQLITE_PATH: must not be empty\n");
		bad = 1;
	}
	if (bad) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

int
cfg_set(struct cfg *c, const char *name, const char *value, FILE *err)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opts[i].name, name) == 0)
			return set_one(c, &opts[i], value, err);
	return -1;
}

void
cfg_free(struct cfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].type == OPT_STR)
			free(*(char **)((char *)c + opts[i].off));
	free(c);
}

void
cfg_dump(const struct cfg *c, FILE *out)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const struct opt *o = &opts[i];
		const char *p = (const char *)c + o->off;
		switch (o->type) {
		case OPT_STR: {
			const char *s = *(char *const *)p;
			fprintf(out, "%s=%s\n", o->name,
			    (o->flags & OPT_SECRET) && s[0] ? "(set, hidden)" : s);
			break;
		}
		case OPT_INT:
			fprintf(out, "%s=%lld\n", o->name, (long long)*(const int64_t *)p);
			break;
		case OPT_BOOL:
			fprintf(out, "%s=%s\n", o->name, *(const int *)p ? "true" : "false");
			break;
		}
	}
}

void
cfg_usage(FILE *out)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		fprintf(out, "  %-26s %s (default: %s)\n", opts[i].name, opts[i].help,
		    opts[i].def[0] ? opts[i].def : "empty");
}
