/* fcgi/channels.c: the channels table and its abilities (routing rows), changed together in one transaction */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "channels.h"
#include "cache.h"
#include "log.h"
#include "util.h"

/* What a write here changes: the channel rows and the candidate lists the
 * relay picks from (written inside a transaction: bumped at its end). */
#define CHANNEL_CACHES (CACHE_F(CACHE_ABILITY) | CACHE_F(CACHE_CHANNEL))

/* Every field of One API's model.Channel. Non-pointer Go fields read NULL
 * as their zero value; pointer fields stay null. The key is never read. */
#define CHANNEL_COLS \
	"id, COALESCE(type, 0) AS type, '' AS `key`, COALESCE(status, 0) AS status, " \
	"COALESCE(name, '') AS name, weight, COALESCE(created_time, 0) AS created_time, " \
	"COALESCE(test_time, 0) AS test_time, COALESCE(response_time, 0) AS response_time, " \
	"base_url, other, COALESCE(balance, 0) AS balance, " \
	"COALESCE(balance_updated_time, 0) AS balance_updated_time, " \
	"COALESCE(models, '') AS models, COALESCE(`group`, '') AS `group`, " \
	"COALESCE(used_quota, 0) AS used_quota, model_mapping, priority, " \
	"COALESCE(config, '') AS config, system_prompt"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

const char *
channel_next_key(const char **p, size_t *len)
{
	const char *s = *p, *nl, *a, *b;

	while (*s) {
		nl = strchr(s, '\n');
		a = s;
		b = nl ? nl : s + strlen(s);
		s = nl ? nl + 1 : b;
		while (a < b && is_space(*a))
			a++;
		while (b > a && is_space(b[-1]))
			b--;
		if (b > a) {
			*p = s;
			*len = (size_t)(b - a);
			return a;
		}
	}
	*p = s;
	return NULL;
}

/* A comma list split into distinct trimmed non-empty items. items point
 * into *copy; free both with free(). */
struct csv {
	char *copy;
	char **items;
	size_t n;
};

static int
csv_split(struct csv *c, const char *s)
{
	char *p, *item, *end;
	size_t cap = 1, i;
	int dup;

	c->n = 0;
	c->items = NULL;
	if ((c->copy = strdup(s ? s : "")) == NULL)
		return GW_ENOMEM;
	for (p = c->copy; *p; p++)
		if (*p == ',')
			cap++;
	if ((c->items = calloc(cap, sizeof(*c->items))) == NULL) {
		free(c->copy);
		c->copy = NULL;
		return GW_ENOMEM;
	}
	for (p = c->copy; p; p = end) {
		item = p;
		end = strchr(p, ',');
		if (end)
			*end++ = '\0';
		item = str_trim(item);
		if (*item == '\0')
			continue;
		for (dup = 0, i = 0; i < c->n && !dup; i++)
			dup = strcmp(c->items[i], item) == 0;
		if (!dup)
			c->items[c->n++] = item;
	}
	return GW_OK;
}

static void
csv_release(struct csv *c)
{
	free(c->items);
	free(c->copy);
	c->items = NULL;
	c->copy = NULL;
	c->n = 0;
}

/* Insert the ability rows of one channel (none may exist yet). */
static int
insert_abilities(struct db *db, int64_t id, const char *models, const char *groups,
    int enabled, int64_t priority)
{
	struct csv m, g;
	size_t i, j;
	int rc;

	if ((rc = csv_split(&m, models)) != GW_OK)
		return rc;
	if ((rc = csv_split(&g, groups)) != GW_OK) {
		csv_release(&m);
		return rc;
	}
	for (i = 0; i < m.n && rc == GW_OK; i++)
		for (j = 0; j < g.n && rc == GW_OK; j++)
			rc = db_exec(db, "INSERT INTO abilities (`group`, model, channel_id, enabled, priority) "
			    "VALUES (?, ?, ?, ?, ?)",
			    DB_ARGS(DB_S(g.items[j]), DB_S(m.items[i]), DB_I(id), DB_I(enabled ? 1 : 0),
			    DB_I(priority)), NULL);
	csv_release(&g);
	csv_release(&m);
	return rc;
}

int
channel_rebuild_abilities(struct db *db, int64_t id)
{
	struct db_stmt *st;
	char *models = NULL, *groups = NULL;
	int64_t status = 0, priority = 0;
	int rc, more;

	rc = db_query(db, &st, "SELECT COALESCE(models, ''), COALESCE(`group`, ''), "
	    "COALESCE(status, 0), COALESCE(priority, 0) FROM channels WHERE id = ?",
	    DB_ARGS(DB_I(id)));
	if (rc != GW_OK)
		return rc;
	more = db_next(st);
	if (more == 1) {
		models = strdup(db_text(st, 0));
		groups = strdup(db_text(st, 1));
		status = db_int(st, 2);
		priority = db_int(st, 3);
		rc = models && groups ? GW_OK : GW_ENOMEM;
	} else {
		rc = more == 0 ? GW_ENOTFOUND : GW_EDB;
	}
	db_done(st);
	if (rc != GW_OK)
		goto out;
	rc = db_exec(db, "DELETE FROM abilities WHERE channel_id = ?", DB_ARGS(DB_I(id)), NULL);
	if (rc == GW_OK)
		rc = insert_abilities(db, id, models, groups, status == CHANNEL_STATUS_ENABLED, priority);
	cache_invalidate(db, CHANNEL_CACHES);	/* after the writes, or at the commit */
out:
	free(models);
	free(groups);
	return rc;
}

int
channels_create(struct db *db, const struct channel_in *c, int64_t now, int *count)
{
	const char *p = c->key ? c->key : "", *k;
	const char *group = c->group && *c->group ? c->group : "default";
	int64_t status = c->status ? c->status : CHANNEL_STATUS_ENABLED;
	int64_t priority = c->has_priority ? c->priority : 0, id;
	char *key = NULL;
	size_t len;
	int rc, n = 0;

	if (count)
		*count = 0;
	if (channel_next_key(&p, &len) == NULL)
		return GW_EINPUT;
	p = c->key;
	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	cache_invalidate(db, CHANNEL_CACHES);
	while ((k = channel_next_key(&p, &len)) != NULL) {
		free(key);
		if ((key = strndup(k, len)) == NULL) {
			rc = GW_ENOMEM;
			goto fail;
		}
		rc = db_exec(db,
		    "INSERT INTO channels (type, `key`, status, name, weight, created_time, test_time, "
		    "response_time, base_url, other, balance, balance_updated_time, models, `group`, "
		    "used_quota, model_mapping, priority, config, system_prompt) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DB_ARGS(DB_I(c->type), DB_S(key), DB_I(status), DB_S(c->name ? c->name : ""),
		    DB_I(c->has_weight ? c->weight : 0), DB_I(now), DB_I(c->test_time),
		    DB_I(c->response_time), DB_S(c->base_url ? c->base_url : ""), DB_S(c->other),
		    DB_D(c->has_balance ? c->balance : 0), DB_I(c->balance_updated_time),
		    DB_S(c->models ? c->models : ""), DB_S(group), DB_I(c->used_quota),
		    DB_S(c->model_mapping ? c->model_mapping : ""), DB_I(priority),
		    DB_S(c->config ? c->config : ""), DB_S(c->system_prompt)), NULL);
		if (rc != GW_OK)
			goto fail;
		id = db_last_insert_id(db);
		rc = insert_abilities(db, id, c->models, group, status == CHANNEL_STATUS_ENABLED, priority);
		if (rc != GW_OK)
			goto fail;
		n++;
	}
	if ((rc = db_commit(db)) != GW_OK)
		goto fail;
	free(key);
	if (count)
		*count = n;
	return GW_OK;
fail:
	db_rollback(db);
	if (key)
		explicit_bzero(key, strlen(key));
	free(key);
	return rc;
}

/* A bound value of an optional field: the value, or NULL to keep the column. */
static struct db_arg
opt_s(const char *s, int nonempty_only)
{
	if (s == NULL || (nonempty_only && *s == '\0'))
		return DB_NULL;
	return DB_S(s);
}

static struct db_arg
opt_i(int present, int64_t v)
{
	return present ? DB_I(v) : DB_NULL;
}

int
channel_update(struct db *db, const struct channel_in *c)
{
	int64_t found;
	int rc;

	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	cache_invalidate(db, CHANNEL_CACHES);
	rc = db_scalar_int(db, &found, "SELECT id FROM channels WHERE id = ?", DB_ARGS(DB_I(c->id)));
	if (rc != GW_OK)
		goto fail;
	/* GORM Updates(struct): zero values of plain fields are skipped,
	 * pointer fields are written whenever they are non-nil */
	rc = db_exec(db, "UPDATE channels SET type = COALESCE(?, type), `key` = COALESCE(?, `key`), "
	    "status = COALESCE(?, status), name = COALESCE(?, name), weight = COALESCE(?, weight), "
	    "created_time = COALESCE(?, created_time), test_time = COALESCE(?, test_time), "
	    "response_time = COALESCE(?, response_time), base_url = COALESCE(?, base_url), "
	    "other = COALESCE(?, other), balance = COALESCE(?, balance), "
	    "balance_updated_time = COALESCE(?, balance_updated_time), models = COALESCE(?, models), "
	    "`group` = COALESCE(?, `group`), used_quota = COALESCE(?, used_quota), "
	    "model_mapping = COALESCE(?, model_mapping), priority = COALESCE(?, priority), "
	    "config = COALESCE(?, config), system_prompt = COALESCE(?, system_prompt) WHERE id = ?",
	    DB_ARGS(opt_i(c->type != 0, c->type), opt_s(c->key, 1), opt_i(c->status != 0, c->status),
	    opt_s(c->name, 1), opt_i(c->has_weight, c->weight),
	    opt_i(c->created_time != 0, c->created_time), opt_i(c->test_time != 0, c->test_time),
	    opt_i(c->response_time != 0, c->response_time), opt_s(c->base_url, 0),
	    opt_s(c->other, 0), c->has_balance && c->balance != 0 ? DB_D(c->balance) : DB_NULL,
	    opt_i(c->balance_updated_time != 0, c->balance_updated_time), opt_s(c->models, 1),
	    opt_s(c->group, 1), opt_i(c->used_quota != 0, c->used_quota),
	    opt_s(c->model_mapping, 0), opt_i(c->has_priority, c->priority), opt_s(c->config, 1),
	    opt_s(c->system_prompt, 0), DB_I(c->id)), NULL);
	if (rc != GW_OK)
		goto fail;
	if ((rc = channel_rebuild_abilities(db, c->id)) != GW_OK)
		goto fail;
	if ((rc = db_commit(db)) != GW_OK)
		goto fail;
	return GW_OK;
fail:
	db_rollback(db);
	return rc;
}

int
channel_set_status(struct db *db, int64_t id, int status)
{
	int rc;

	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	cache_invalidate(db, CHANNEL_CACHES);
	rc = db_exec(db, "UPDATE abilities SET enabled = ? WHERE channel_id = ?",
	    DB_ARGS(DB_I(status == CHANNEL_STATUS_ENABLED ? 1 : 0), DB_I(id)), NULL);
	if (rc == GW_OK)
		rc = db_exec(db, "UPDATE channels SET status = ? WHERE id = ?",
		    DB_ARGS(DB_I(status), DB_I(id)), NULL);
	if (rc == GW_OK)
		rc = db_commit(db);
	if (rc != GW_OK)
		db_rollback(db);
	return rc;
}

int
channel_delete(struct db *db, int64_t id, int64_t *deleted)
{
	int64_t n = 0;
	int rc;

	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	cache_invalidate(db, CHANNEL_CACHES);
	rc = db_exec(db, "DELETE FROM channels WHERE id = ?", DB_ARGS(DB_I(id)), &n);
	if (rc == GW_OK)
		rc = db_exec(db, "DELETE FROM abilities WHERE channel_id = ?", DB_ARGS(DB_I(id)), NULL);
	if (rc == GW_OK)
		rc = db_commit(db);
	if (rc != GW_OK) {
		db_rollback(db);
		return rc;
	}
	if (deleted)
		*deleted = n;
	return GW_OK;
}

int
channels_delete_disabled(struct db *db, int64_t *rows)
{
	int rc;

	*rows = 0;
	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	cache_invalidate(db, CHANNEL_CACHES);
	/* One API leaves the abilities of these channels behind; we drop them */
	rc = db_exec(db, "DELETE FROM abilities WHERE channel_id IN "
	    "(SELECT id FROM channels WHERE status = ? OR status = ?)",
	    DB_ARGS(DB_I(CHANNEL_STATUS_AUTO_DISABLED), DB_I(CHANNEL_STATUS_MANUALLY_DISABLED)), NULL);
	if (rc == GW_OK)
		rc = db_exec(db, "DELETE FROM channels WHERE status = ? OR status = ?",
		    DB_ARGS(DB_I(CHANNEL_STATUS_AUTO_DISABLED), DB_I(CHANNEL_STATUS_MANUALLY_DISABLED)),
		    rows);
	if (rc == GW_OK)
		rc = db_commit(db);
	if (rc != GW_OK) {
		db_rollback(db);
		*rows = 0;
	}
	return rc;
}

/* Go prints a whole float64 without a fraction: balance 0, not 0.0. */
static void
fix_row(json_t *row)
{
	json_t *b = json_object_get(row, "balance");
	double d;

	if (b && json_is_real(b)) {
		d = json_real_value(b);
		if (d == (double)(int64_t)d && d > -9e15 && d < 9e15)
			json_object_set_new(row, "balance", json_integer((int64_t)d));
	}
}

static json_t *
fix_rows(json_t *rows)
{
	size_t i;
	json_t *row;

	if (rows)
		json_array_foreach(rows, i, row)
			fix_row(row);
	return rows;
}

json_t *
channel_list_json(struct db *db, int64_t offset, int64_t limit)
{
	return fix_rows(db_rows_json(db, "SELECT " CHANNEL_COLS " FROM channels "
	    "ORDER BY id DESC LIMIT ? OFFSET ?", DB_ARGS(DB_I(limit), DB_I(offset))));
}

json_t *
channel_search_json(struct db *db, const char *keyword)
{
	int64_t id = 0;
	size_t n = strlen(keyword);
	char *like;
	json_t *j;

	/* helper.String2Int: not a number -> 0 */
	if (parse_i64(keyword, INT64_MIN, INT64_MAX, &id) != GW_OK)
		id = 0;
	if ((like = malloc(n + 2)) == NULL)
		return NULL;
	memcpy(like, keyword, n);
	like[n] = '%';
	like[n + 1] = '\0';
	j = fix_rows(db_rows_json(db, "SELECT " CHANNEL_COLS " FROM channels "
	    "WHERE id = ? OR name LIKE ? ORDER BY id DESC", DB_ARGS(DB_I(id), DB_S(like))));
	free(like);
	return j;
}

json_t *
channel_get_json(struct db *db, int64_t id, int *rc)
{
	struct db_stmt *st;
	json_t *j = NULL;
	int more;

	*rc = db_query(db, &st, "SELECT " CHANNEL_COLS " FROM channels WHERE id = ?", DB_ARGS(DB_I(id)));
	if (*rc != GW_OK)
		return NULL;
	more = db_next(st);
	if (more == 1) {
		j = db_row_json(st);
		*rc = j ? GW_OK : GW_ENOMEM;
		if (j)
			fix_row(j);
	} else {
		*rc = more == 0 ? GW_ENOTFOUND : GW_EDB;
	}
	db_done(st);
	return j;
}

int64_t
channel_count(struct db *db)
{
	int64_t n;

	if (db_scalar_int(db, &n, "SELECT COUNT(*) FROM channels", DB_NOARGS) != GW_OK)
		return -1;
	return n;
}

static int
cmp_json_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
group_models_json(struct db *db, const char *group)
{
	struct db_stmt *st;
	char **v = NULL, **nv;
	size_t n = 0, cap = 0, i;
	json_t *arr = NULL;
	int rc, more;

	rc = db_query(db, &st, "SELECT DISTINCT model FROM abilities WHERE `group` = ? AND enabled = 1",
	    DB_ARGS(DB_S(group)));
	if (rc != GW_OK)
		return NULL;
	while ((more = db_next(st)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto out;
			v = nv;
		}
		if ((v[n] = strdup(db_text(st, 0))) == NULL)
			goto out;
		n++;
	}
	if (more < 0)
		goto out;
	/* One API sorts with sort.Strings: bytewise */
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_json_str);
	if ((arr = json_array()) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		json_t *s = json_string(v[i]);	/* NULL for invalid UTF-8: skipped */
		if (s && json_array_append_new(arr, s) != 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	}
out:
	db_done(st);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return arr;
}

int
group_model_types(struct db *db, const char *group,
    void (*fn)(void *ctx, const char *model, int type), void *ctx)
{
	struct db_stmt *st;
	int rc, more;

	rc = db_query(db, &st, "SELECT a.model, MIN(c.type) FROM abilities a "
	    "JOIN channels c ON c.id = a.channel_id WHERE a.`group` = ? AND a.enabled = 1 "
	    "GROUP BY a.model ORDER BY a.model", DB_ARGS(DB_S(group)));
	if (rc != GW_OK)
		return rc;
	while ((more = db_next(st)) > 0)
		fn(ctx, db_text(st, 0), (int)db_int(st, 1));
	db_done(st);
	return more < 0 ? GW_EDB : GW_OK;
}

json_t *
channel_page_json(struct db *db, const struct channel_filter *f, int64_t offset, int64_t limit,
    int64_t *total)
{
	/* fixed ORDER BY texts: the order name only picks one */
	static const struct { const char *name, *sql; } orders[] = {
		{ "priority", "priority DESC, id DESC" },
		{ "name", "name, id DESC" },
		{ "used", "used_quota DESC, id DESC" },
		{ "response", "response_time DESC, id DESC" },
	};
	const char *by = "id DESC";
	char where[256] = "WHERE 1 = 1", sql[1024], like[256], any[256];
	struct db_arg args[8];
	int64_t id = 0;
	size_t i, n = 0;

	for (i = 0; f->order && i < sizeof(orders) / sizeof(orders[0]); i++)
		if (strcmp(f->order, orders[i].name) == 0)
			by = orders[i].sql;
	if (f->keyword && *f->keyword) {
		/* id equal to it, name starting with it, or a model containing it */
		if (parse_i64(f->keyword, INT64_MIN, INT64_MAX, &id) != GW_OK)
			id = 0;
		snprintf(like, sizeof(like), "%.200s%%", f->keyword);
		snprintf(any, sizeof(any), "%%%.200s%%", f->keyword);
		strncat(where, " AND (id = ? OR name LIKE ? OR models LIKE ?)", sizeof(where) - strlen(where) - 1);
		args[n++] = DB_I(id);
		args[n++] = DB_S(like);
		args[n++] = DB_S(any);
	}
	if (f->status) {
		strncat(where, " AND status = ?", sizeof(where) - strlen(where) - 1);
		args[n++] = DB_I(f->status);
	}
	if (f->type) {
		strncat(where, " AND type = ?", sizeof(where) - strlen(where) - 1);
		args[n++] = DB_I(f->type);
	}
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM channels %s", where);
	if (total && db_scalar_int(db, total, sql, args, n) != GW_OK)
		return NULL;
	snprintf(sql, sizeof(sql), "SELECT " CHANNEL_COLS " FROM channels %s ORDER BY %s LIMIT ? OFFSET ?",
	    where, by);
	args[n++] = DB_I(limit);
	args[n++] = DB_I(offset);
	return fix_rows(db_rows_json(db, sql, args, n));
}

int
channel_record_test(struct db *db, int64_t id, int64_t when, int64_t response_ms)
{
	int rc = db_exec(db, "UPDATE channels SET test_time = ?, response_time = ? WHERE id = ?",
	    DB_ARGS(DB_I(when), DB_I(response_ms), DB_I(id)), NULL);

	cache_invalidate(db, CHANNEL_CACHES);
	return rc;
}

int
channel_record_balance(struct db *db, int64_t id, double balance, int64_t when)
{
	int rc = db_exec(db, "UPDATE channels SET balance = ?, balance_updated_time = ? WHERE id = ?",
	    DB_ARGS(DB_D(balance), DB_I(when), DB_I(id)), NULL);

	cache_invalidate(db, CHANNEL_CACHES);
	return rc;
}
