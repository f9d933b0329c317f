/* fcgi/cfg.h: configuration from the environment, parsed once at start */
#ifndef GW_CFG_H
#define GW_CFG_H

#include <stdint.h>
#include <stdio.h>

struct cfg {
	char *listen;			/* LISTEN / --listen: "host:port" or a socket path */
	int64_t threads;		/* THREADS */
	char *sql_dsn;			/* SQL_DSN: empty = SQLite */
	char *sqlite_path;		/* SQLITE_PATH */
	int64_t sqlite_busy_timeout;	/* SQLITE_BUSY_TIMEOUT, ms */
	char *session_secret;		/* SESSION_SECRET */
	char *initial_root_token;	/* INITIAL_ROOT_TOKEN */
	char *initial_root_access_token; /* INITIAL_ROOT_ACCESS_TOKEN */
	int64_t sync_frequency;		/* SYNC_FREQUENCY, s */
	int64_t cache_ttl_sec;		/* CACHE_TTL_SEC, s, 0 = no row cache */
	int debug;			/* DEBUG */
	int64_t max_request_body_mb;	/* MAX_REQUEST_BODY_MB */
	int64_t shutdown_timeout_sec;	/* SHUTDOWN_TIMEOUT_SEC */
	int64_t request_read_timeout;	/* REQUEST_READ_TIMEOUT_SEC */
	int64_t stream_write_timeout_sec; /* STREAM_WRITE_TIMEOUT_SEC */
	int64_t cookie_maxage_hours;	/* COOKIE_MAXAGE_HOURS */
	int enable_cookie_secure;	/* ENABLE_COOKIE_SECURE */
	int64_t max_items_per_page;	/* MAX_ITEMS_PER_PAGE */
	char *memcached_servers;	/* MEMCACHED_SERVERS */
	char *node_type;		/* NODE_TYPE: "slave" skips migrations */
	int64_t relay_timeout;		/* RELAY_TIMEOUT, s, 0 = none */
	char *relay_proxy;		/* RELAY_PROXY */
	char *server_address;		/* SERVER_ADDRESS default of the option */
	int64_t suspend_429;		/* CHANNEL_SUSPEND_SECONDS_FOR_429 */
	int64_t suspend_5xx;		/* CHANNEL_SUSPEND_SECONDS_FOR_5XX */
	int64_t suspend_auth;		/* CHANNEL_SUSPEND_SECONDS_FOR_AUTH */
	int64_t stream_heartbeat;	/* STREAM_HEARTBEAT_SEC */
	int64_t default_max_token;	/* DEFAULT_MAX_TOKEN */
	int64_t max_inline_image_mb;	/* MAX_INLINE_IMAGE_SIZE_MB */
	int64_t max_inline_images_total_mb; /* MAX_INLINE_IMAGES_TOTAL_MB */
	int64_t user_content_timeout;	/* USER_CONTENT_REQUEST_TIMEOUT, s */
	char *user_content_proxy;	/* USER_CONTENT_REQUEST_PROXY */
	int user_content_allow_private;	/* USER_CONTENT_ALLOW_PRIVATE */
	int64_t critical_rate_limit;	/* CRITICAL_RATE_LIMIT: sign-in requests per IP per 20 min */
};

/* The configuration in force; set once by main before threads start. */
extern const struct cfg *cfg;
/* Process start, epoch seconds (GET /api/status start_time). */
extern int64_t gw_start_time;

/* Parse getenv() into a new struct cfg. On error returns NULL and writes a
 * one-line message per bad variable to err (may be NULL). */
struct cfg *cfg_load(FILE *err);
/* Override one variable by name (command-line flags); same validation.
 * Returns 0 or -1 with a message on err. */
int cfg_set(struct cfg *c, const char *name, const char *value, FILE *err);
void cfg_free(struct cfg *c);
/* Print NAME=value lines with secrets redacted. */
void cfg_dump(const struct cfg *c, FILE *out);
/* Print the table of variables with defaults and meaning (for --help). */
void cfg_usage(FILE *out);

#endif
