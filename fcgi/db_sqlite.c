/* fcgi/db_sqlite.c: SQLite driver: WAL, busy timeout, one connection per thread */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "db_driver.h"
#include "cfg.h"
#include "log.h"

/* Is the connection's journal mode WAL already? */
static int
is_wal(sqlite3 *h)
{
	sqlite3_stmt *st = NULL;
	int wal = 0;

	if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

/* Create a missing database file 0600: it holds provider keys in plain
 * text, and SQLite gives its -wal and -shm files the database's mode. An
 * existing file keeps the mode its operator chose. */
static void
create_private(const char *path)
{
	int fd;

	if (path[0] == '\0' || path[0] == ':' || strncmp(path, "file:", 5) == 0)
		return;	/* in-memory or a URI: SQLite decides */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static int
s_open(struct db *db)
{
	sqlite3 *h = NULL;
	char *err = NULL;
	int64_t waited;
	int rc;

	create_private(cfg->sqlite_path);
	rc = sqlite3_open_v2(cfg->sqlite_path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("sqlite: cannot open %s: %s", cfg->sqlite_path, h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close(h);
		return GW_EDB;
	}
	sqlite3_busy_timeout(h, (int)cfg->sqlite_busy_timeout);
	/* WAL lets readers run beside the one writer; NORMAL sync is safe in
	 * WAL. WAL is kept in the file, so only the first open of a new file
	 * switches it; that takes an exclusive lock which SQLite refuses
	 * without waiting when two connections race for it, so a new file
	 * opened by several processes at once retries within the busy timeout. */
	for (waited = 0;; waited += 10) {
		rc = sqlite3_exec(h, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;", NULL, NULL, &err);
		if (rc == SQLITE_OK && !is_wal(h)) {
			sqlite3_free(err);
			err = NULL;
			rc = sqlite3_exec(h, "PRAGMA journal_mode=WAL", NULL, NULL, &err);
		}
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited >= cfg->sqlite_busy_timeout)
			break;
		sqlite3_free(err);
		err = NULL;
		usleep(10000);
	}
	if (rc != SQLITE_OK) {
		log_error("sqlite: %s: %s (code %d)", cfg->sqlite_path, err ? err : "pragma failed", rc);
		sqlite3_free(err);
		sqlite3_close(h);
		return GW_EDB;
	}
	db->conn = h;
	return GW_OK;
}

static void
s_close(struct db *db)
{
	sqlite3_close(db->conn);
}

static int
s_prepare(struct db *db, const char *sql, void **stmt)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &s, NULL) != SQLITE_OK)
		return GW_EDB;
	*stmt = s;
	return GW_OK;
}

static void s_finalize(void *stmt) { sqlite3_finalize(stmt); }

static int
s_bind(struct db *db, void *stmt, const struct db_arg *a, size_t n)
{
	size_t i;
	int rc = SQLITE_OK;

	sqlite3_clear_bindings(stmt);
	if ((int)n != sqlite3_bind_parameter_count(stmt)) {
		log_error("sqlite: %zu arguments for %d placeholders", n, sqlite3_bind_parameter_count(stmt));
		return GW_EDB;
	}
	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		int k = (int)i + 1;
		switch (a[i].t) {
		case DBA_NULL: rc = sqlite3_bind_null(stmt, k); break;
		case DBA_INT: rc = sqlite3_bind_int64(stmt, k, a[i].i); break;
		case DBA_REAL: rc = sqlite3_bind_double(stmt, k, a[i].d); break;
		case DBA_TEXT:
			rc = a[i].s ? sqlite3_bind_text(stmt, k, a[i].s, -1, SQLITE_TRANSIENT)
			    : sqlite3_bind_null(stmt, k);
			break;
		}
	}
	return rc == SQLITE_OK ? GW_OK : GW_EDB;
}

static int
s_step(struct db *db, void *stmt)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return -1;
}

static void s_reset(void *stmt) { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt); }
static int s_ncols(void *stmt) { return sqlite3_column_count(stmt); }
static const char *s_colname(void *stmt, int i) { return sqlite3_column_name(stmt, i); }

static enum db_coltype
s_coltype(void *stmt, int i)
{
	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_NULL: return DBT_NULL;
	case SQLITE_INTEGER: return DBT_INT;
	case SQLITE_FLOAT: return DBT_REAL;
	default: return DBT_TEXT;
	}
}

static int64_t s_col_int(void *stmt, int i) { return sqlite3_column_int64(stmt, i); }
static double s_col_real(void *stmt, int i) { return sqlite3_column_double(stmt, i); }
static const char *s_col_text(void *stmt, int i) { return (const char *)sqlite3_column_text(stmt, i); }
static int64_t s_changes(struct db *db) { return sqlite3_changes(db->conn); }
static int64_t s_last_id(struct db *db) { return sqlite3_last_insert_rowid(db->conn); }

static int
s_is_conflict(struct db *db)
{
	int e = sqlite3_extended_errcode(db->conn);

	return e == SQLITE_CONSTRAINT_UNIQUE || e == SQLITE_CONSTRAINT_PRIMARYKEY;
}

static const char *s_errmsg(struct db *db) { return sqlite3_errmsg(db->conn); }

/* ON CONFLICT(key) DO UPDATE SET a = excluded.a, b = excluded.b */
static int
s_upsert_clause(struct buf *out, const char *key, const char *update)
{
	const char *p = update, *e;
	int rc;

	rc = buf_printf(out, " ON CONFLICT(%s) DO UPDATE SET ", key);
	while (rc == GW_OK && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		for (e = p; *e && *e != ','; e++)
			;
		while (e > p && e[-1] == ' ')
			e--;
		if (e == p)
			break;
		rc = buf_printf(out, "%s%.*s = excluded.%.*s", p == update ? "" : ", ",
		    (int)(e - p), p, (int)(e - p), p);
		p = e;
	}
	return rc;
}

const struct db_driver db_driver_sqlite = {
	.name = "sqlite",
	.kind = DB_SQLITE,
	.open = s_open,
	.close = s_close,
	.prepare = s_prepare,
	.finalize = s_finalize,
	.bind = s_bind,
	.step = s_step,
	.reset = s_reset,
	.ncols = s_ncols,
	.colname = s_colname,
	.coltype = s_coltype,
	.col_int = s_col_int,
	.col_real = s_col_real,
	.col_text = s_col_text,
	.changes = s_changes,
	.last_id = s_last_id,
	.is_conflict = s_is_conflict,
	.errmsg = s_errmsg,
	.upsert_clause = s_upsert_clause,
};
