/* fcgi/tokens.c: the tokens table (API keys): key format, validation, CRUD scoped to their owner */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "tokens.h"
#include "cache.h"
#include "log.h"
#include "util.h"

/* The columns of a token as One API's model.Token serialises them. NULLs in
 * non-pointer Go fields come out as zero values; models/subnet stay null. */
#define TOKEN_COLS \
	"id, COALESCE(user_id, 0) AS user_id, COALESCE(`key`, '') AS `key`, " \
	"COALESCE(status, 0) AS status, COALESCE(name, '') AS name, " \
	"COALESCE(created_time, 0) AS created_time, COALESCE(accessed_time, 0) AS accessed_time, " \
	"COALESCE(expired_time, 0) AS expired_time, COALESCE(remain_quota, 0) AS remain_quota, " \
	"COALESCE(unlimited_quota, 0) AS unlimited_quota, COALESCE(used_quota, 0) AS used_quota, " \
	"models, subnet"

int
token_generate_key(char *out)
{
	char uuid[33];
	int rc, i;

	/* common/random GenerateKey: 16 of [0-9a-zA-Z], then the dashless
	 * UUID with letters at even positions upper-cased */
	if ((rc = rand_alnum(out, 16)) != GW_OK)
		return rc;
	if ((rc = rand_uuid_hex(uuid)) != GW_OK)
		return rc;
	for (i = 0; i < 32; i++) {
		char c = uuid[i];
		if (i % 2 == 0 && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		out[16 + i] = c;
	}
	out[TOKEN_KEY_LEN] = '\0';
	explicit_bzero(uuid, sizeof(uuid));
	return GW_OK;
}

int
token_create(struct db *db, int64_t user_id, const char *name, const char *key,
    int64_t remain_quota, int unlimited, int64_t expired_time, const char *models,
    const char *subnet, int64_t *id_out, char *key_out)
{
	char gen[TOKEN_KEY_LEN + 1];
	int64_t now = now_sec();
	int rc, tries;

	for (tries = 0; tries < 3; tries++) {
		if (key == NULL && (rc = token_generate_key(gen)) != GW_OK)
			return rc;
		rc = db_exec(db,
		    "INSERT INTO tokens (user_id, `key`, status, name, created_time, accessed_time, "
		    "expired_time, remain_quota, unlimited_quota, used_quota, models, subnet) "
		    "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
		    DB_ARGS(DB_I(user_id), DB_S(key ? key : gen), DB_S(name ? name : ""),
		    DB_I(now), DB_I(now), DB_I(expired_time == 0 ? -1 : expired_time),
		    DB_I(remain_quota), DB_I(unlimited ? 1 : 0), DB_S(models),
		    DB_S(subnet ? subnet : "")), NULL);
		/* a generated key colliding is astronomically unlikely; retry anyway */
		if (rc == GW_OK || key != NULL || !db_last_was_conflict(db))
			break;
	}
	/* no invalidation: unknown keys are never cached */
	if (rc != GW_OK)
		goto out;
	if (id_out)
		*id_out = db_last_insert_id(db);
	if (key_out) {
		memcpy(key_out, key ? key : gen, TOKEN_KEY_LEN);
		key_out[TOKEN_KEY_LEN] = '\0';
	}
out:
	explicit_bzero(gen, sizeof(gen));
	return rc;
}

/* One CIDR "addr/bits" as Go's net.ParseCIDR accepts it. */
static int
cidr_valid(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned char addr[16];
	const char *slash;
	size_t alen, blen, i;
	int64_t bits, max;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	slash = memchr(s, '/', n);
	if (slash == NULL)
		return 0;
	alen = (size_t)(slash - s);
	blen = n - alen - 1;
	if (alen == 0 || blen == 0 || blen > 3)
		return 0;
	bits = 0;
	for (i = 0; i < blen; i++) {
		char c = slash[1 + i];
		if (c < '0' || c > '9')
			return 0;
		bits = bits * 10 + (c - '0');
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		max = 128;
	else
		return 0;
	return bits <= max;
}

int
token_subnets_valid(const char *s)
{
	const char *p = s, *comma, *a, *b;

	/* network.IsValidSubnets: split on ",", trim spaces, each must parse */
	for (;;) {
		comma = strchr(p, ',');
		a = p;
		b = comma ? comma : p + strlen(p);
		while (a < b && (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n' || b[-1] == '\r'))
			b--;
		if (!cidr_valid(a, (size_t)(b - a)))
			return 0;
		if (comma == NULL)
			return 1;
		p = comma + 1;
	}
}

int
token_validate(const char *name, const char *subnet, const char **why)
{
	if (name && strlen(name) > TOKEN_NAME_MAX) {
		*why = "参数错误：令牌名称过长";
		return GW_EINPUT;
	}
	if (subnet && *subnet && !token_subnets_valid(subnet)) {
		*why = "参数错误：无效的网段：failed to parse subnet: invalid CIDR address";
		return GW_EINPUT;
	}
	return GW_OK;
}

json_t *
token_list_json(struct db *db, int64_t user_id, const char *order, int64_t offset, int64_t limit)
{
	/* model.GetAllUserTokens: the three orders One API knows */
	if (order && strcmp(order, "remain_quota") == 0)
		return db_rows_json(db, "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = ? "
		    "ORDER BY unlimited_quota DESC, remain_quota DESC LIMIT ? OFFSET ?",
		    DB_ARGS(DB_I(user_id), DB_I(limit), DB_I(offset)));
	if (order && strcmp(order, "used_quota") == 0)
		return db_rows_json(db, "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = ? "
		    "ORDER BY used_quota DESC LIMIT ? OFFSET ?",
		    DB_ARGS(DB_I(user_id), DB_I(limit), DB_I(offset)));
	return db_rows_json(db, "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = ? "
	    "ORDER BY id DESC LIMIT ? OFFSET ?",
	    DB_ARGS(DB_I(user_id), DB_I(limit), DB_I(offset)));
}

int64_t
token_count(struct db *db, int64_t user_id)
{
	int64_t n;

	if (db_scalar_int(db, &n, "SELECT COUNT(*) FROM tokens WHERE user_id = ?",
	    DB_ARGS(DB_I(user_id))) != GW_OK)
		return -1;
	return n;
}

json_t *
token_search_json(struct db *db, int64_t user_id, const char *keyword)
{
	const char *key = keyword;
	char *like;
	json_t *j;
	size_t n = strlen(keyword);

	if (strncmp(key, "sk-", 3) == 0)
		key += 3;
	/* One API: name LIKE 'keyword%' (the keyword is a LIKE pattern there
	 * too); we also find a token by its full key */
	if ((like = malloc(n + 2)) == NULL)
		return NULL;
	memcpy(like, keyword, n);
	like[n] = '%';
	like[n + 1] = '\0';
	j = db_rows_json(db, "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = ? "
	    "AND (name LIKE ? OR `key` = ?) ORDER BY id DESC",
	    DB_ARGS(DB_I(user_id), DB_S(like), DB_S(key)));
	free(like);
	return j;
}

json_t *
token_get_json(struct db *db, int64_t id, int64_t user_id, int *rc)
{
	struct db_stmt *st;
	json_t *j = NULL;
	int more;

	*rc = db_query(db, &st, "SELECT " TOKEN_COLS " FROM tokens WHERE id = ? AND user_id = ?",
	    DB_ARGS(DB_I(id), DB_I(user_id)));
	if (*rc != GW_OK)
		return NULL;
	more = db_next(st);
	if (more == 1) {
		j = db_row_json(st);
		*rc = j ? GW_OK : GW_ENOMEM;
	} else {
		*rc = more == 0 ? GW_ENOTFOUND : GW_EDB;
	}
	db_done(st);
	return j;
}

int
token_update(struct db *db, int64_t id, int64_t user_id, const struct token_fields *f)
{
	int64_t n;
	int rc;

	/* existence first: MySQL counts only rows whose values changed */
	rc = db_scalar_int(db, &n, "SELECT id FROM tokens WHERE id = ? AND user_id = ?",
	    DB_ARGS(DB_I(id), DB_I(user_id)));
	if (rc != GW_OK)
		return rc;
	rc = db_exec(db, "UPDATE tokens SET name = ?, status = ?, expired_time = ?, "
	    "remain_quota = ?, unlimited_quota = ?, models = ?, subnet = ? "
	    "WHERE id = ? AND user_id = ?",
	    DB_ARGS(DB_S(f->name ? f->name : ""), DB_I(f->status), DB_I(f->expired_time),
	    DB_I(f->remain_quota), DB_I(f->unlimited_quota ? 1 : 0), DB_S(f->models),
	    DB_S(f->subnet), DB_I(id), DB_I(user_id)), NULL);
	/* the next relay request reads the token again */
	cache_invalidate(db, CACHE_F(CACHE_TOKEN));
	return rc;
}

int
token_delete(struct db *db, int64_t id, int64_t user_id)
{
	int64_t changes = 0;
	int rc;

	rc = db_exec(db, "DELETE FROM tokens WHERE id = ? AND user_id = ?",
	    DB_ARGS(DB_I(id), DB_I(user_id)), &changes);
	cache_invalidate(db, CACHE_F(CACHE_TOKEN));
	if (rc != GW_OK)
		return rc;
	return changes > 0 ? GW_OK : GW_ENOTFOUND;
}
