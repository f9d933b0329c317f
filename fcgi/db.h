/* fcgi/db.h: the one store interface. SQL text is shared by both drivers
 * (SQLite, MySQL): '?' placeholders, `key`/`group` quoted with backticks.
 * A struct db is one connection, used by one thread at a time. */
#ifndef GW_DB_H
#define GW_DB_H

#include <stdint.h>
#include <stddef.h>
#include <jansson.h>
#include "err.h"

enum db_kind { DB_SQLITE, DB_MYSQL };

/* A bound parameter; build them with DB_I / DB_S / DB_D / DB_NULL. */
enum db_argt { DBA_NULL, DBA_INT, DBA_TEXT, DBA_REAL };
struct db_arg {
	enum db_argt t;
	int64_t i;
	double d;
	const char *s;	/* DBA_TEXT: NUL-terminated; NULL binds SQL NULL */
};
#define DB_I(x) ((struct db_arg){ .t = DBA_INT, .i = (int64_t)(x) })
#define DB_S(x) ((struct db_arg){ .t = DBA_TEXT, .s = (x) })
#define DB_D(x) ((struct db_arg){ .t = DBA_REAL, .d = (double)(x) })
#define DB_NULL ((struct db_arg){ .t = DBA_NULL })
/* DB_ARGS(DB_I(1), DB_S("x")) expands to "array, count" for db_query/db_exec. */
#define DB_ARGS(...) (const struct db_arg[]){ __VA_ARGS__ }, \
	(sizeof((const struct db_arg[]){ __VA_ARGS__ }) / sizeof(struct db_arg))
#define DB_NOARGS NULL, 0

enum db_coltype { DBT_NULL, DBT_INT, DBT_REAL, DBT_TEXT };

struct db;
struct db_stmt;

/* Open a connection as the configuration says (SQLite path or SQL_DSN). */
int db_open(struct db **out) GW_WUR;
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);

/* Run one statement that returns no rows. *changes (may be NULL) gets the
 * number of rows changed. */
int db_exec(struct db *db, const char *sql, const struct db_arg *args, size_t nargs,
    int64_t *changes) GW_WUR;
/* Insert a row, or update the columns in `update` of the row whose unique
 * key `key` already holds these values (an upsert: the one statement whose
 * syntax differs by dialect, hence built by the driver). cols, key and
 * update are comma-separated column lists; args bind cols in order. */
int db_upsert(struct db *db, const char *table, const char *cols, const char *key,
    const char *update, const struct db_arg *args, size_t nargs) GW_WUR;
/* Run a query. On GW_OK *st holds the statement: step it with db_next and
 * always db_done it. SQL should be a string constant: statements are cached
 * per connection by their text. */
int db_query(struct db *db, struct db_stmt **st, const char *sql,
    const struct db_arg *args, size_t nargs) GW_WUR;
/* 1 when a row is ready, 0 at the end, -1 on error (logged). */
int db_next(struct db_stmt *st);
void db_done(struct db_stmt *st);

int db_ncols(struct db_stmt *st);
const char *db_colname(struct db_stmt *st, int i);
enum db_coltype db_coltype(struct db_stmt *st, int i);
int64_t db_int(struct db_stmt *st, int i);
double db_real(struct db_stmt *st, int i);
/* Text of column i ("" for NULL); valid until the next db_next/db_done. */
const char *db_text(struct db_stmt *st, int i);
int db_isnull(struct db_stmt *st, int i);

/* The current row as a JSON object named by column; NULL columns are null,
 * and One API's boolean columns (unlimited_quota, enabled, is_stream,
 * system_prompt_reset) are true/false. New reference. */
json_t *db_row_json(struct db_stmt *st);
/* All rows of a query as a JSON array (new reference), NULL on error. */
json_t *db_rows_json(struct db *db, const char *sql, const struct db_arg *args, size_t nargs);
/* First column of the first row as an integer; GW_ENOTFOUND without rows. */
int db_scalar_int(struct db *db, int64_t *out, const char *sql,
    const struct db_arg *args, size_t nargs) GW_WUR;

int64_t db_last_insert_id(struct db *db);
int db_begin(struct db *db) GW_WUR;
int db_commit(struct db *db) GW_WUR;
void db_rollback(struct db *db);
/* Inside a transaction: remember cache kinds (cache.h CACHE_F bits) and
 * call bump(kinds) when it ends, and return 1; outside one return 0 (bump
 * them now). The callback is passed in so that the store does not depend
 * on the cache (cache.c calls db.c, never the other way). */
int db_defer_bump(struct db *db, unsigned kinds, void (*bump)(unsigned kinds));
/* 1 when the last failure was a unique-key violation. */
int db_last_was_conflict(struct db *db);
/* Does a table / a column exist? (schema migration) */
int db_has_table(struct db *db, const char *table);
int db_has_column(struct db *db, const char *table, const char *column);

#endif
