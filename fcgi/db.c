/* fcgi/db.c: driver-independent store layer: statement cache, rows to JSON */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include "db_driver.h"
#include "cfg.h"
#include "log.h"

/*
 * SQLite has one writer at a time. Threads of one process that wait for the
 * write lock inside SQLite poll it with sleeps of up to 100 ms (the busy
 * handler), which under load turns into long tail latencies. So writers of
 * this process queue on a mutex first and reach SQLite one at a time; the
 * busy timeout still covers other processes sharing the file.
 */
static pthread_mutex_t sqlite_writer = PTHREAD_MUTEX_INITIALIZER;

static int
is_write(const char *sql)
{
	static const char *const verbs[] = { "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE",
		"ALTER", "DROP" };
	size_t i;

	while (isspace((unsigned char)*sql))
		sql++;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncasecmp(sql, verbs[i], strlen(verbs[i])) == 0)
			return 1;
	return 0;
}

int
db_open(struct db **out)
{
	struct db *db = calloc(1, sizeof(*db));
	int rc;

	if (db == NULL)
		return GW_ENOMEM;
	/* SQL_DSN is refused by cfg_load until the MySQL driver lands */
	db->drv = &db_driver_sqlite;
	if ((rc = db->drv->open(db)) != GW_OK) {
		free(db);
		return rc;
	}
	*out = db;
	return GW_OK;
}

void
db_close(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < DB_STMT_CACHE; i++)
		if (db->cache[i].impl) {
			db->drv->finalize(db->cache[i].impl);
			free((char *)db->cache[i].sql);
		}
	db->drv->close(db);
	free(db);
}

enum db_kind
db_kind(const struct db *db)
{
	return db->drv->kind;
}

/* A statement for sql: a free cached one, or a new one (cached if there is
 * room, else used once). */
static int
get_stmt(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_stmt *s, *victim = NULL;
	void *impl;
	int i, rc;

	for (i = 0; i < DB_STMT_CACHE; i++) {
		s = &db->cache[i];
		if (s->impl && !s->busy && strcmp(s->sql, sql) == 0) {
			s->busy = 1;
			*out = s;
			return GW_OK;
		}
	}
	if ((rc = db->drv->prepare(db, sql, &impl)) != GW_OK) {
		log_error("db: prepare failed: %s: %.200s", db->drv->errmsg(db), sql);
		return rc;
	}
	for (i = 0; i < DB_STMT_CACHE && victim == NULL; i++) {
		s = &db->cache[(db->clock + (unsigned)i) % DB_STMT_CACHE];
		if (!s->busy)
			victim = s;
	}
	if (victim == NULL) {
		/* every slot busy: a one-off statement, freed by db_done */
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			db->drv->finalize(impl);
			return GW_ENOMEM;
		}
		s->db = db;
		s->impl = impl;
		s->busy = 2;
		*out = s;
		return GW_OK;
	}
	db->clock++;
	if (victim->impl) {
		db->drv->finalize(victim->impl);
		free((char *)victim->sql);
	}
	victim->db = db;
	victim->impl = impl;
	if ((victim->sql = strdup(sql)) == NULL) {
		db->drv->finalize(impl);
		victim->impl = NULL;
		return GW_ENOMEM;
	}
	victim->busy = 1;
	*out = victim;
	return GW_OK;
}

int
db_query(struct db *db, struct db_stmt **st, const char *sql, const struct db_arg *args, size_t nargs)
{
	int rc;

	*st = NULL;
	if ((rc = get_stmt(db, sql, st)) != GW_OK)
		return rc;
	if ((rc = db->drv->bind(db, (*st)->impl, args, nargs)) != GW_OK) {
		log_error("db: bind failed: %s", db->drv->errmsg(db));
		db_done(*st);
		*st = NULL;
		return rc;
	}
	return GW_OK;
}

int
db_next(struct db_stmt *st)
{
	int rc = st->db->drv->step(st->db, st->impl);

	if (rc < 0 && !st->db->drv->is_conflict(st->db))
		log_error("db: %s", st->db->drv->errmsg(st->db));
	return rc;
}

void
db_done(struct db_stmt *st)
{
	if (st == NULL)
		return;
	if (st->busy == 2) {
		st->db->drv->finalize(st->impl);
		free(st);
		return;
	}
	st->db->drv->reset(st->impl);
	st->busy = 0;
}

int
db_upsert(struct db *db, const char *table, const char *cols, const char *key,
    const char *update, const struct db_arg *args, size_t nargs)
{
	struct buf sql = BUF_INIT(4096);
	size_t i;
	int rc;

	rc = buf_printf(&sql, "INSERT INTO %s (%s) VALUES (", table, cols);
	for (i = 0; rc == GW_OK && i < nargs; i++)
		rc = buf_add(&sql, i ? ", ?" : "?", i ? 3 : 1);
	if (rc == GW_OK)
		rc = buf_add(&sql, ")", 1);
	if (rc == GW_OK)
		rc = db->drv->upsert_clause(&sql, key, update);
	if (rc == GW_OK)
		rc = db_exec(db, buf_cstr(&sql), args, nargs, NULL);
	buf_release(&sql);
	return rc;
}

int
db_exec(struct db *db, const char *sql, const struct db_arg *args, size_t nargs, int64_t *changes)
{
	struct db_stmt *st;
	int rc, n, lock;

	/* a write outside a transaction is a transaction of its own */
	lock = db->drv->kind == DB_SQLITE && !db->in_tx && is_write(sql);
	if (lock)
		pthread_mutex_lock(&sqlite_writer);
	if ((rc = db_query(db, &st, sql, args, nargs)) != GW_OK) {
		if (lock)
			pthread_mutex_unlock(&sqlite_writer);
		return rc;
	}
	while ((n = db_next(st)) > 0)
		;
	db_done(st);
	if (lock)
		pthread_mutex_unlock(&sqlite_writer);
	if (n < 0)
		return db->drv->is_conflict(db) ? GW_ECONFLICT : GW_EDB;
	if (changes)
		*changes = db->drv->changes(db);
	return GW_OK;
}

int db_ncols(struct db_stmt *st) { return st->db->drv->ncols(st->impl); }
const char *db_colname(struct db_stmt *st, int i) { return st->db->drv->colname(st->impl, i); }
enum db_coltype db_coltype(struct db_stmt *st, int i) { return st->db->drv->coltype(st->impl, i); }
int64_t db_int(struct db_stmt *st, int i) { return st->db->drv->col_int(st->impl, i); }
double db_real(struct db_stmt *st, int i) { return st->db->drv->col_real(st->impl, i); }
int db_isnull(struct db_stmt *st, int i) { return db_coltype(st, i) == DBT_NULL; }

const char *
db_text(struct db_stmt *st, int i)
{
	const char *s = st->db->drv->col_text(st->impl, i);

	return s ? s : "";
}

int64_t db_last_insert_id(struct db *db) { return db->drv->last_id(db); }
int db_last_was_conflict(struct db *db) { return db->drv->is_conflict(db); }

static int
is_bool_col(const char *name)
{
	static const char *const bools[] = { "unlimited_quota", "enabled", "is_stream",
		"system_prompt_reset" };
	size_t i;

	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (strcmp(name, bools[i]) == 0)
			return 1;
	return 0;
}

json_t *
db_row_json(struct db_stmt *st)
{
	json_t *o = json_object(), *v;
	int i, n = db_ncols(st);

	if (o == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *name = db_colname(st, i);
		switch (db_coltype(st, i)) {
		case DBT_NULL:
			v = json_null();
			break;
		case DBT_INT:
			v = is_bool_col(name) ? json_boolean(db_int(st, i) != 0) : json_integer(db_int(st, i));
			break;
		case DBT_REAL:
			v = json_real(db_real(st, i));
			break;
		default:
			if (is_bool_col(name)) {
				/* GORM on SQLite may have stored "true"/"false" */
				const char *t = db_text(st, i);
				v = json_boolean(strcmp(t, "true") == 0 || strcmp(t, "1") == 0);
			} else
				v = json_string(db_text(st, i));
			break;
		}
		/* invalid UTF-8 in old rows: give "" rather than fail the list */
		if (v == NULL)
			v = json_string("");
		json_object_set_new(o, name, v);
	}
	return o;
}

json_t *
db_rows_json(struct db *db, const char *sql, const struct db_arg *args, size_t nargs)
{
	struct db_stmt *st;
	json_t *a;
	int n;

	if (db_query(db, &st, sql, args, nargs) != GW_OK)
		return NULL;
	if ((a = json_array()) == NULL) {
		db_done(st);
		return NULL;
	}
	while ((n = db_next(st)) > 0)
		json_array_append_new(a, db_row_json(st));
	db_done(st);
	if (n < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

int
db_scalar_int(struct db *db, int64_t *out, const char *sql, const struct db_arg *args, size_t nargs)
{
	struct db_stmt *st;
	int rc, n;

	if ((rc = db_query(db, &st, sql, args, nargs)) != GW_OK)
		return rc;
	n = db_next(st);
	if (n > 0)
		*out = db_int(st, 0);
	db_done(st);
	return n > 0 ? GW_OK : n == 0 ? GW_ENOTFOUND : GW_EDB;
}

/* SQLite transactions hold the process's writer mutex from BEGIN to
 * COMMIT/ROLLBACK (see sqlite_writer). */
int
db_begin(struct db *db)
{
	int sqlite = db_kind(db) == DB_SQLITE, rc;

	if (db->in_tx) {
		log_error("db: nested transaction refused");
		return GW_EDB;
	}
	if (sqlite)
		pthread_mutex_lock(&sqlite_writer);
	db->in_tx = 1;
	rc = db_exec(db, sqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION", DB_NOARGS, NULL);
	if (rc != GW_OK) {
		db->in_tx = 0;
		if (sqlite)
			pthread_mutex_unlock(&sqlite_writer);
	}
	return rc;
}

/* After COMMIT or ROLLBACK: a cached row read before this point must not
 * outlive it, so the kinds written are bumped only now (a rollback bumps
 * too: harmless). */
static void
end_tx(struct db *db)
{
	unsigned kinds = db->bump_at_end;
	void (*bump)(unsigned) = db->bump;

	db->in_tx = 0;
	db->bump_at_end = 0;
	db->bump = NULL;
	if (db_kind(db) == DB_SQLITE)
		pthread_mutex_unlock(&sqlite_writer);
	if (kinds && bump)
		bump(kinds);
}

int
db_defer_bump(struct db *db, unsigned kinds, void (*bump)(unsigned kinds))
{
	if (!db->in_tx)
		return 0;
	db->bump_at_end |= kinds;
	db->bump = bump;
	return 1;
}

int
db_commit(struct db *db)
{
	int rc;

	if (!db->in_tx)
		return GW_EDB;
	rc = db_exec(db, "COMMIT", DB_NOARGS, NULL);
	if (rc != GW_OK) {
		if (db_exec(db, "ROLLBACK", DB_NOARGS, NULL) != GW_OK)
			log_warn("db: rollback failed");
	}
	end_tx(db);
	return rc;
}

void
db_rollback(struct db *db)
{
	if (!db->in_tx)
		return;
	if (db_exec(db, "ROLLBACK", DB_NOARGS, NULL) != GW_OK)
		log_warn("db: rollback failed");
	end_tx(db);
}

int
db_has_table(struct db *db, const char *table)
{
	int64_t n = 0;
	int rc;

	if (db_kind(db) == DB_SQLITE)
		rc = db_scalar_int(db, &n, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?",
		    DB_ARGS(DB_S(table)));
	else
		rc = db_scalar_int(db, &n, "SELECT count(*) FROM information_schema.tables "
		    "WHERE table_schema = DATABASE() AND table_name = ?", DB_ARGS(DB_S(table)));
	return rc == GW_OK && n > 0;
}

int
db_has_column(struct db *db, const char *table, const char *column)
{
	int64_t n = 0;
	int rc;

	if (db_kind(db) == DB_SQLITE)
		rc = db_scalar_int(db, &n, "SELECT count(*) FROM pragma_table_info(?) WHERE name=?",
		    DB_ARGS(DB_S(table), DB_S(column)));
	else
		rc = db_scalar_int(db, &n, "SELECT count(*) FROM information_schema.columns "
		    "WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?",
		    DB_ARGS(DB_S(table), DB_S(column)));
	return rc == GW_OK && n > 0;
}
