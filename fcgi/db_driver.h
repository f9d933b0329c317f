/* fcgi/db_driver.h: what a store driver provides; only fcgi/db*.c include it */
#ifndef GW_DB_DRIVER_H
#define GW_DB_DRIVER_H

#include "db.h"
#include "buf.h"

#define DB_STMT_CACHE 64

struct db_driver {
	const char *name;
	enum db_kind kind;
	int (*open)(struct db *db);
	void (*close)(struct db *db);
	/* Prepare sql into a driver statement (opaque). */
	int (*prepare)(struct db *db, const char *sql, void **stmt);
	void (*finalize)(void *stmt);
	int (*bind)(struct db *db, void *stmt, const struct db_arg *args, size_t n);
	/* 1 row, 0 done, -1 error */
	int (*step)(struct db *db, void *stmt);
	void (*reset)(void *stmt);
	int (*ncols)(void *stmt);
	const char *(*colname)(void *stmt, int i);
	enum db_coltype (*coltype)(void *stmt, int i);
	int64_t (*col_int)(void *stmt, int i);
	double (*col_real)(void *stmt, int i);
	const char *(*col_text)(void *stmt, int i);
	int64_t (*changes)(struct db *db);
	int64_t (*last_id)(struct db *db);
	int (*is_conflict)(struct db *db);
	const char *(*errmsg)(struct db *db);
	/* Append to *out the clause that turns "INSERT INTO t (cols) VALUES
	 * (...)" into an upsert on key updating each column of update
	 * (comma-separated), e.g. SQLite's ON CONFLICT(key) DO UPDATE SET c =
	 * excluded.c, MySQL's ON DUPLICATE KEY UPDATE c = VALUES(c). */
	int (*upsert_clause)(struct buf *out, const char *key, const char *update);
};

struct db_stmt {
	struct db *db;
	const char *sql;	/* cache key: the caller's string constant */
	void *impl;
	int busy;
};

struct db {
	const struct db_driver *drv;
	void *conn;
	int in_tx;
	unsigned bump_at_end;	/* cache kinds written inside the transaction */
	void (*bump)(unsigned kinds);	/* called with them when it ends */
	struct db_stmt cache[DB_STMT_CACHE];
	unsigned clock;		/* round-robin eviction */
};

extern const struct db_driver db_driver_sqlite;

#endif
