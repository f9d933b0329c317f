/* fcgi/schema.c: create or reconcile One API's schema (like GORM AutoMigrate: add, never drop), first-run root user */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "schema.h"
#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "password.h"
#include "util.h"
#include "../schema/sqlite.sql.h"

#define SQL_STMT_MAX	4096	/* longest statement in schema/sqlite.sql */
#define SQL_NAME_MAX	64	/* longest table or column name */
#define ROOT_QUOTA	500000000000000LL

/*
 * Numbered data migrations, applied once each and recorded in
 * fcgi_migrations. Version 1 is the base schema itself (created or adopted
 * from an existing One API database); later versions append rows here.
 */
struct migration {
	int64_t version;
	const char *name;
	int (*fn)(struct db *db);	/* NULL: nothing beyond the recording */
};

static const struct migration migrations[] = {
	{ 1, "One API base schema (created or adopted)", NULL },
};

/* Copy the backquoted name starting at p (p[0] == '`') into out; returns the
 * byte after the closing quote, or NULL when it does not fit or is open. */
static const char *
quoted_name(const char *p, char *out, size_t outsz)
{
	const char *e = strchr(p + 1, '`');
	size_t n;

	if (e == NULL || (n = (size_t)(e - p - 1)) == 0 || n >= outsz)
		return NULL;
	memcpy(out, p + 1, n);
	out[n] = '\0';
	return e + 1;
}

/* Add the columns of one "CREATE TABLE IF NOT EXISTS `t` (...)" statement
 * that table t lacks. Column lines start with a backquote; primary keys
 * exist whenever the table does. SQLite refuses ADD COLUMN ... NOT NULL
 * without a default, so such a column gets DEFAULT ''. */
static int
add_missing_columns(struct db *db, const char *table, const char *stmt)
{
	char col[SQL_NAME_MAX], def[SQL_STMT_MAX];
	const char *line, *nl;
	struct buf sql;
	size_t n;
	int rc = GW_OK;

	buf_init(&sql, SQL_STMT_MAX);
	for (line = strchr(stmt, '\n'); line != NULL; line = nl) {
		line++;
		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		if (n == 0 || line[0] != '`')
			continue;
		if (n >= sizeof(def)) {
			rc = GW_EINPUT;
			break;
		}
		memcpy(def, line, n);
		def[n] = '\0';
		if (def[n - 1] == ',')
			def[n - 1] = '\0';
		if (quoted_name(def, col, sizeof(col)) == NULL) {
			rc = GW_EINPUT;
			break;
		}
		if (db_has_column(db, table, col))
			continue;
		buf_reset(&sql);
		if ((rc = buf_printf(&sql, "ALTER TABLE `%s` ADD COLUMN %s%s", table, def,
		    strstr(def, "NOT NULL") && !strstr(def, "DEFAULT") ? " DEFAULT ''" : "")) != GW_OK)
			break;
		if ((rc = db_exec(db, buf_cstr(&sql), DB_NOARGS, NULL)) != GW_OK) {
			log_error("schema: cannot add column %s.%s", table, col);
			break;
		}
		log_info("schema: added column %s.%s", table, col);
	}
	buf_release(&sql);
	return rc;
}

/* Run one statement of the schema file: create a missing table, reconcile
 * an existing one, create an index if it is missing. An index that cannot
 * be built on existing data (duplicates under a new unique index) is
 * reported and skipped: the data matters more than the index. */
static int
apply_stmt(struct db *db, const char *stmt)
{
	static const char ct[] = "CREATE TABLE IF NOT EXISTS `";
	char table[SQL_NAME_MAX];

	if (strncmp(stmt, ct, sizeof(ct) - 1) == 0) {
		if (quoted_name(stmt + sizeof(ct) - 2, table, sizeof(table)) == NULL)
			return GW_EINPUT;
		if (db_has_table(db, table))
			return add_missing_columns(db, table, stmt);
		log_info("schema: creating table %s", table);
		return db_exec(db, stmt, DB_NOARGS, NULL);
	}
	if (db_exec(db, stmt, DB_NOARGS, NULL) != GW_OK)
		log_warn("schema: skipped a statement that failed: %.120s", stmt);
	return GW_OK;
}

/* Split the embedded schema on ';' (no literal in it holds one) and apply
 * each statement. */
static int
apply_schema(struct db *db)
{
	char stmt[SQL_STMT_MAX];
	const char *p = schema_sqlite_sql, *e;
	size_t n;
	int rc;

	while ((e = strchr(p, ';')) != NULL) {
		while (p < e && (*p == '\n' || *p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(e - p);
		if (n >= sizeof(stmt)) {
			log_error("schema: statement too long");
			return GW_EINPUT;
		}
		memcpy(stmt, p, n);
		stmt[n] = '\0';
		if (n > 0 && (rc = apply_stmt(db, stmt)) != GW_OK)
			return rc;
		p = e + 1;
	}
	return GW_OK;
}

static int
apply_migrations(struct db *db)
{
	int64_t have;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		rc = db_scalar_int(db, &have, "SELECT count(*) FROM fcgi_migrations WHERE version = ?",
		    DB_ARGS(DB_I(migrations[i].version)));
		if (rc != GW_OK)
			return rc;
		if (have > 0)
			continue;
		if (migrations[i].fn != NULL && (rc = migrations[i].fn(db)) != GW_OK) {
			log_error("schema: migration %lld (%s) failed", (long long)migrations[i].version,
			    migrations[i].name);
			return rc;
		}
		rc = db_exec(db, "INSERT INTO fcgi_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		    DB_ARGS(DB_I(migrations[i].version), DB_S(migrations[i].name), DB_I(now_sec())), NULL);
		if (rc != GW_OK)
			return rc;
		log_info("schema: applied migration %lld: %s", (long long)migrations[i].version,
		    migrations[i].name);
	}
	return GW_OK;
}

/* The fingerprint of what this binary would apply: the schema text and the
 * newest migration. Stored in fcgi_meta once everything is applied. */
static void
schema_fingerprint(char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char buf[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int k;

	k = snprintf(buf, sizeof(buf), "|%lld", (long long)migrations[
	    sizeof(migrations) / sizeof(migrations[0]) - 1].version);
	if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(c, schema_sqlite_sql, sizeof(schema_sqlite_sql) - 1) ||
	    !EVP_DigestUpdate(c, buf, (size_t)k) || !EVP_DigestFinal_ex(c, md, &n))
		n = 0;
	EVP_MD_CTX_free(c);
	hex_encode(out, md, n);
}

/* Is the database already at this binary's schema? One read, no lock: every
 * process start (and every CGI request) takes this path. */
static int
schema_current(struct db *db, const char *fp)
{
	struct db_stmt *st;
	int same = 0;

	if (!db_has_table(db, "fcgi_meta"))
		return 0;
	if (db_query(db, &st, "SELECT value FROM fcgi_meta WHERE name = 'schema_fingerprint'",
	    DB_NOARGS) != GW_OK)
		return 0;
	if (db_next(st) == 1)
		same = strcmp(db_text(st, 0), fp) == 0;
	db_done(st);
	return same;
}

/* One immediate transaction: concurrent starters queue on the write lock
 * and the later ones find nothing left to do. Skipped entirely when the
 * recorded fingerprint matches (One API itself never drops what we add). */
int
schema_migrate(struct db *db)
{
	char fp[65];
	int rc;

	if (db_kind(db) != DB_SQLITE) {
		log_error("schema: only SQLite migrations are implemented");
		return GW_EDB;
	}
	schema_fingerprint(fp);
	if (schema_current(db, fp))
		return GW_OK;
	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	if ((rc = apply_schema(db)) == GW_OK)
		rc = apply_migrations(db);
	if (rc == GW_OK)
		rc = db_exec(db, "DELETE FROM fcgi_meta WHERE name = 'schema_fingerprint'", DB_NOARGS, NULL);
	if (rc == GW_OK)
		rc = db_exec(db, "INSERT INTO fcgi_meta (name, value) VALUES ('schema_fingerprint', ?)",
		    DB_ARGS(DB_S(fp)), NULL);
	if (rc != GW_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

/* A fresh aff_code of 4 [0-9a-zA-Z], not yet used by anyone (a few tries). */
static int
new_aff_code(struct db *db, char out[5])
{
	int64_t n = 1;
	int i, rc;

	for (i = 0; i < 8; i++) {
		if ((rc = rand_alnum(out, 4)) != GW_OK)
			return rc;
		rc = db_scalar_int(db, &n, "SELECT count(*) FROM users WHERE aff_code = ?",
		    DB_ARGS(DB_S(out)));
		if (rc != GW_OK)
			return rc;
		if (n == 0)
			return GW_OK;
	}
	return GW_ECONFLICT;
}

static int
insert_root(struct db *db)
{
	char hash[PASSWORD_HASH_MAX], access[33], aff[5];
	const char *at = cfg->initial_root_access_token;
	int64_t changes = 0, uid;
	int rc;

	if ((rc = password_hash("123456", hash, sizeof(hash))) != GW_OK)
		return rc;
	if (at == NULL || at[0] == '\0') {
		if ((rc = rand_uuid_hex(access)) != GW_OK)
			return rc;
		at = access;
	}
	if ((rc = new_aff_code(db, aff)) != GW_OK)
		return rc;
	/* the WHERE NOT EXISTS keeps this right even outside a transaction */
	rc = db_exec(db, "INSERT INTO users (username, password, display_name, role, status, email, "
	    "github_id, wechat_id, lark_id, oidc_id, access_token, quota, aff_code, inviter_id) "
	    "SELECT 'root', ?, 'Root User', 100, 1, '', '', '', '', '', ?, ?, ?, 0 "
	    "WHERE NOT EXISTS (SELECT 1 FROM users)",
	    DB_ARGS(DB_S(hash), DB_S(at), DB_I(ROOT_QUOTA), DB_S(aff)), &changes);
	explicit_bzero(hash, sizeof(hash));
	if (rc != GW_OK || changes == 0)
		return rc;
	log_warn("no user exists, created a root user: username root, password 123456; "
	    "change the password now");
	uid = db_last_insert_id(db);
	if (cfg->initial_root_token == NULL || cfg->initial_root_token[0] == '\0')
		return GW_OK;
	at = cfg->initial_root_token;
	if (strncmp(at, "sk-", 3) == 0)
		at += 3;
	rc = db_exec(db, "INSERT INTO tokens (id, user_id, `key`, status, name, created_time, "
	    "accessed_time, expired_time, remain_quota, unlimited_quota, used_quota, subnet) "
	    "SELECT 1, ?, ?, 1, 'Initial Root Token', ?, ?, -1, ?, 1, 0, '' "
	    "WHERE NOT EXISTS (SELECT 1 FROM tokens WHERE id = 1 OR `key` = ?)",
	    DB_ARGS(DB_I(uid), DB_S(at), DB_I(now_sec()), DB_I(now_sec()), DB_I(ROOT_QUOTA), DB_S(at)),
	    &changes);
	if (rc == GW_OK && changes > 0)
		log_info("created the initial root token as requested");
	return rc;
}

int
schema_bootstrap(struct db *db)
{
	int64_t any = 0;
	int rc;

	/* the common case, users exist: one read, and no bcrypt at start-up */
	if (db_scalar_int(db, &any, "SELECT count(*) FROM (SELECT 1 FROM users LIMIT 1)",
	    DB_NOARGS) == GW_OK && any > 0)
		return GW_OK;
	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	if ((rc = insert_root(db)) != GW_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}
