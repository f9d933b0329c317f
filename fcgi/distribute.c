/* fcgi/distribute.c: channel selection (One API's Distribute middleware with
 * the Laisky fork's weights and suspension) and channel health actions */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "distribute.h"
#include "scrub.h"
#include "cache.h"
#include "channels.h"
#include "log.h"
#include "logs.h"
#include "util.h"

#define PICK_MAX_CANDIDATES 4096	/* abilities rows read for one pick */
#define WEIGHT_MAX (1LL << 40)		/* LK clamps each weight to 2^40 */
#define MAPPING_MAX 65536		/* model_mapping bytes parsed */
#define REASON_MAX 1000			/* bytes of a disable reason kept in the log */

struct cand {
	int64_t id;
	int64_t priority;
	int64_t weight;
};

/*
 * The candidates of (group, model): every enabled ability of an enabled
 * channel, highest priority first, with its suspension as epoch seconds (0
 * = none). Suspension is left to the pick, against the clock, so the list
 * can be cached (CACHE_ABILITY, key "group\0model", CI__N integers a row).
 * Not suspended means suspend_until NULL, unparsable or not in the future
 * (UTC): SQLite's strftime('%s') reads GORM's "YYYY-MM-DD HH:MM:SS[.fff]
 * [+00:00]" and our own "YYYY-MM-DD HH:MM:SS" alike, to whole seconds, as
 * the datetime() comparison did before.
 */
enum { CI_ID, CI_PRIORITY, CI_WEIGHT, CI_SUSPEND, CI__N };
#define CANDS_SQL(susp) \
	"SELECT a.channel_id, COALESCE(a.priority, 0), COALESCE(c.weight, 0), " susp " " \
	"FROM abilities a JOIN channels c ON c.id = a.channel_id " \
	"WHERE a.`group` = ? AND a.model = ? AND a.enabled = 1 AND c.status = 1 " \
	"ORDER BY 2 DESC, a.channel_id LIMIT 4096"
static const char cands_sql_sqlite[] = CANDS_SQL(
    "COALESCE(CAST(strftime('%s', a.suspend_until) AS INTEGER), 0)");
static const char cands_sql_mysql[] = CANDS_SQL(
    "COALESCE(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', a.suspend_until), 0)");

/* The candidate rows of (group, model) into *out (arena, CI__N integers a
 * row), *n rows: from the cache, else the database. GW_OK, GW_EDB, GW_ENOMEM. */
static int
candidates(struct db *db, struct arena *a, const char *group, const char *model,
    const int64_t **out, size_t *n)
{
	size_t glen = strlen(group), klen = glen + 1 + strlen(model), rows = 0, cap = 0;
	struct cache_rec cr;
	struct db_stmt *st;
	int64_t *v = NULL, *nv, *copy;
	char *key;
	uint64_t gen;
	int rc;

	if ((key = arena_alloc(a, klen + 1)) == NULL)
		return GW_ENOMEM;
	memcpy(key, group, glen + 1);
	memcpy(key + glen + 1, model, klen - glen);
	if (cache_get(CACHE_ABILITY, key, klen, a, &cr) && cr.ni % CI__N == 0) {
		*out = cr.i;
		*n = cr.ni / CI__N;
		return GW_OK;
	}
	gen = cache_gen(CACHE_ABILITY);	/* before the read: a write meanwhile wins */
	if (db_query(db, &st, db_kind(db) == DB_MYSQL ? cands_sql_mysql : cands_sql_sqlite,
	    DB_ARGS(DB_S(group), DB_S(model))) != GW_OK)
		return GW_EDB;
	while ((rc = db_next(st)) > 0 && rows < PICK_MAX_CANDIDATES) {
		if (rows == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * CI__N * sizeof(*v))) == NULL) {
				rc = -2;
				break;
			}
			v = nv;
		}
		v[rows * CI__N + CI_ID] = db_int(st, 0);
		v[rows * CI__N + CI_PRIORITY] = db_int(st, 1);
		v[rows * CI__N + CI_WEIGHT] = db_int(st, 2);
		v[rows * CI__N + CI_SUSPEND] = db_int(st, 3);
		rows++;
	}
	db_done(st);
	if (rc < 0) {
		free(v);
		return rc == -2 ? GW_ENOMEM : GW_EDB;
	}
	/* an empty list is cached too: "no channel for this model" is common */
	cache_put(CACHE_ABILITY, key, klen, gen, v, rows * CI__N, NULL, 0);
	copy = arena_alloc(a, (rows ? rows : 1) * CI__N * sizeof(*copy));
	if (copy != NULL && rows)
		memcpy(copy, v, rows * CI__N * sizeof(*copy));
	free(v);
	if (copy == NULL)
		return GW_ENOMEM;
	*out = copy;
	*n = rows;
	return GW_OK;
}

/* A channel row as cached (CACHE_CHANNEL, key: the id's 8 bytes). */
enum { HI_ID, HI_TYPE, HI_PRIORITY, HI_WEIGHT, HI_STATUS, HI__MAX };
enum { HS_NAME, HS_KEY, HS_BASE_URL, HS_OTHER, HS_CONFIG, HS_MAPPING, HS_PROMPT, HS__MAX };

/* Load channel id (cache, else database) into out (arena strings, NULL
 * columns as ""); *status gets channels.status. */
static int
load_channel(struct db *db, struct arena *a, int64_t id, struct channel_pick *out, int64_t *status)
{
	struct cache_rec c;
	struct db_stmt *st;
	const char *strs[HS__MAX];
	int64_t ints[HI__MAX];
	uint64_t gen;
	int rc, i;

	memset(out, 0, sizeof(*out));
	if (cache_get(CACHE_CHANNEL, &id, sizeof(id), a, &c) && c.ni == HI__MAX && c.ns == HS__MAX) {
		for (i = 0; i < HS__MAX; i++)
			strs[i] = c.s[i] ? c.s[i] : "";
		memcpy(ints, c.i, sizeof(ints));
	} else {
		gen = cache_gen(CACHE_CHANNEL);
		if (db_query(db, &st, "SELECT id, type, name, `key`, base_url, other, config, "
		    "model_mapping, system_prompt, COALESCE(priority, 0), COALESCE(weight, 0), status "
		    "FROM channels WHERE id = ?", DB_ARGS(DB_I(id))) != GW_OK)
			return GW_EDB;
		rc = db_next(st);
		if (rc <= 0) {
			db_done(st);
			return rc < 0 ? GW_EDB : GW_ENOTFOUND;
		}
		ints[HI_ID] = db_int(st, 0);
		ints[HI_TYPE] = db_int(st, 1);
		ints[HI_PRIORITY] = db_int(st, 9);
		ints[HI_WEIGHT] = db_int(st, 10);
		ints[HI_STATUS] = db_int(st, 11);
		for (i = 0; i < HS__MAX; i++)
			strs[i] = arena_strdup(a, db_text(st, 2 + i));
		db_done(st);
		for (i = 0; i < HS__MAX; i++)
			if (strs[i] == NULL)
				return GW_ENOMEM;
		cache_put(CACHE_CHANNEL, &id, sizeof(id), gen, ints, HI__MAX, strs, HS__MAX);
	}
	out->id = ints[HI_ID];
	out->type = (int)ints[HI_TYPE];
	out->priority = ints[HI_PRIORITY];
	out->weight = ints[HI_WEIGHT];
	*status = ints[HI_STATUS];
	out->name = strs[HS_NAME];
	out->key = strs[HS_KEY];
	out->base_url = strs[HS_BASE_URL];
	out->other = strs[HS_OTHER];
	out->config = strs[HS_CONFIG];
	out->model_mapping = strs[HS_MAPPING];
	out->system_prompt = strs[HS_PROMPT];
	return GW_OK;
}

static int
excluded(int64_t id, const int64_t *exclude, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (exclude[i] == id)
			return 1;
	return 0;
}

/* Weighted random index in c[0..n), n > 0 (LK: weights clamped to
 * [0, 2^40]; all zero -> uniform). */
static size_t
weighted_index(const struct cand *c, size_t n)
{
	uint64_t total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += (uint64_t)c[i].weight;
	if (total == 0)
		return (size_t)rand_below(n);
	x = rand_below(total);
	for (i = 0; i < n; i++) {
		if (x < (uint64_t)c[i].weight)
			return i;
		x -= (uint64_t)c[i].weight;
	}
	return n - 1;
}

int
distribute_pick(struct db *db, struct arena *a, const char *group, const char *model,
    const int64_t *exclude, size_t nexclude, int skip_tiers, struct channel_pick *out)
{
	const int64_t *rows, *row, *soonest = NULL;
	struct cand *c;
	size_t nrows, n = 0, i, start, end;
	int64_t status, tierprio, now = now_sec();
	int rc, tier;

	if (group == NULL || model == NULL)
		return GW_ENOTFOUND;
	if ((rc = candidates(db, a, group, model, &rows, &nrows)) != GW_OK)
		return rc;
	if (nrows == 0)
		return GW_ENOTFOUND;
	if ((c = arena_alloc(a, nrows * sizeof(*c))) == NULL)
		return GW_ENOMEM;
	/* the live ones: not suspended now, not excluded; and of the suspended
	 * ones, the one whose suspension ends first */
	for (i = 0; i < nrows; i++) {
		row = rows + i * CI__N;
		if (excluded(row[CI_ID], exclude, nexclude))
			continue;
		if (row[CI_SUSPEND] > now) {
			if (soonest == NULL || row[CI_SUSPEND] < soonest[CI_SUSPEND])
				soonest = row;
			continue;
		}
		c[n].id = row[CI_ID];
		c[n].priority = row[CI_PRIORITY];
		c[n].weight = row[CI_WEIGHT] < 0 ? 0 : row[CI_WEIGHT] > WEIGHT_MAX ? WEIGHT_MAX :
		    row[CI_WEIGHT];
		n++;
	}
	/* a suspension steers traffic elsewhere; with nowhere else to go, one
	 * failure must not refuse everybody until it ends: try the soonest */
	if (n == 0 && soonest != NULL)
		return load_channel(db, a, soonest[CI_ID], out, &status);
	if (n == 0)
		return GW_ENOTFOUND;

	/* rows come highest priority first: find tier skip_tiers, or tier 0 */
	start = 0;
	for (tier = 0; tier < skip_tiers; tier++) {
		tierprio = c[start].priority;
		for (i = start; i < n && c[i].priority == tierprio; i++)
			;
		if (i == n) {
			start = 0;	/* fewer tiers: back to the highest */
			break;
		}
		start = i;
	}
	for (end = start; end < n && c[end].priority == c[start].priority; end++)
		;
	i = start + weighted_index(c + start, end - start);
	rc = load_channel(db, a, c[i].id, out, &status);
	if (rc == GW_ENOTFOUND)
		log_error("distribute: ability names missing channel %lld", (long long)c[i].id);
	return rc;
}

int
distribute_get(struct db *db, struct arena *a, int64_t id, struct channel_pick *out)
{
	int64_t status = 0;
	int rc = load_channel(db, a, id, out, &status);

	if (rc == GW_OK && status != CHANNEL_STATUS_ENABLED)
		return GW_EFORBIDDEN;
	return rc;
}

/* One API's Channel.GetModelMapping: "" and "{}" mean none; the text must
 * unmarshal into map[string]string as a whole (values strings or null),
 * else there is no mapping at all. A mapped "" means unmapped. */
const char *
distribute_map_model(struct arena *a, const char *mapping, const char *model)
{
	json_t *j, *v;
	const char *k, *to;
	char *copy = NULL;
	size_t len;

	if (mapping == NULL || model == NULL || *mapping == '\0' || strcmp(mapping, "{}") == 0)
		return model;
	len = strlen(mapping);
	if (len > MAPPING_MAX)
		return model;
	j = json_loadb(mapping, len, JSON_DECODE_ANY, NULL);
	if (j == NULL)
		return model;
	if (!json_is_object(j))
		goto out;
	json_object_foreach(j, k, v)
		if (!json_is_string(v) && !json_is_null(v))
			goto out;
	to = json_string_value(json_object_get(j, model));
	if (to != NULL && *to != '\0')
		copy = arena_strndup(a, to, json_string_length(json_object_get(j, model)));
out:
	json_decref(j);
	return copy ? copy : model;
}

/* "YYYY-MM-DD HH:MM:SS" in UTC for epoch t (SQLite datetime(), MySQL DATETIME). */
static void
utc_text(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

int
channel_suspend(struct db *db, const char *group, const char *model, int64_t channel_id,
    int64_t seconds)
{
	char until[32];
	int rc;

	if (group == NULL || model == NULL)
		return GW_EINPUT;
	if (seconds <= 0) {	/* lift a suspension */
		rc = db_exec(db, "UPDATE abilities SET suspend_until = NULL "
		    "WHERE `group` = ? AND model = ? AND channel_id = ?",
		    DB_ARGS(DB_S(group), DB_S(model), DB_I(channel_id)), NULL);
	} else {
		if (seconds > 10LL * 365 * 86400)
			seconds = 10LL * 365 * 86400;
		utc_text(until, now_sec() + seconds);
		rc = db_exec(db, "UPDATE abilities SET suspend_until = ? "
		    "WHERE `group` = ? AND model = ? AND channel_id = ?",
		    DB_ARGS(DB_S(until), DB_S(group), DB_S(model), DB_I(channel_id)), NULL);
	}
	/* the next pick of this process must see it: every candidate list
	 * dies (not only this one, so a list being read meanwhile cannot be
	 * stored stale); the channel rows stay */
	cache_invalidate(db, CACHE_F(CACHE_ABILITY));
	return rc;
}

/* ASCII case-insensitive substring test (needles are lower case). */
static int
icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;
	const char *p;

	for (p = hay; *p; p++) {
		for (i = 0; i < n; i++) {
			unsigned char h = (unsigned char)p[i];
			if (h >= 'A' && h <= 'Z')
				h = (unsigned char)(h - 'A' + 'a');
			if (h != (unsigned char)needle[i])
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

int
channel_should_disable(int status, const char *type, const char *code, const char *message)
{
	/* monitor.ShouldDisableChannel (UP), plus LK's "insufficient balance" */
	static const char *const types[] = { "insufficient_quota", "authentication_error",
		"permission_error", "forbidden" };
	static const char *const codes[] = { "invalid_api_key", "account_deactivated" };
	static const char *const frags[] = { "your access was terminated",
		"violation of our policies", "your credit balance is too low",
		"organization has been disabled", "credit", "balance", "permission denied",
		"organization has been restricted", "api key not valid", "api key expired",
		"\xe5\xb7\xb2\xe6\xac\xa0\xe8\xb4\xb9" /* 已欠费 */, "insufficient balance" };
	size_t i;

	if (status == 401)
		return 1;
	for (i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	for (i = 0; code && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	for (i = 0; message && i < sizeof(frags) / sizeof(frags[0]); i++)
		if (icontains(message, frags[i]))
			return 1;
	return 0;
}

/* Copy at most REASON_MAX bytes of reason into out, cut on a UTF-8
 * boundary, control characters as spaces, every occurrence of the
 * channel's key (any line of it) replaced by "***" and any piece of it
 * masked (scrub_secret). */
static void
clean_reason(char *out, size_t outsz, const char *reason, const char *keys)
{
	size_t o = 0, i, n;
	const char *p = reason ? reason : "", *k, *kp;
	int hit;

	while (*p && o + 4 < outsz) {
		hit = 0;
		for (kp = keys; kp && *kp; kp = k + n) {
			k = kp;
			while (*k == '\n' || *k == '\r' || *k == ' ')
				k++;
			n = strcspn(k, "\r\n");
			if (n >= 8 && strncmp(p, k, n) == 0) {
				memcpy(out + o, "***", 3);
				o += 3;
				p += n;
				hit = 1;
				break;
			}
		}
		if (hit)
			continue;
		out[o++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
		p++;
	}
	/* do not end inside a multi-byte sequence */
	if (*p) {
		i = o;
		while (i > 0 && ((unsigned char)out[i - 1] & 0xc0) == 0x80)
			i--;
		if (i > 0 && (unsigned char)out[i - 1] >= 0xc0)
			o = i - 1;
	}
	out[o] = '\0';
	/* and pieces of it: a prefix, a suffix, one part of a multi-part key */
	(void)scrub_secret(out, o, keys);
}

int
channel_auto_disable(struct db *db, int64_t channel_id, const char *channel_name,
    const char *reason)
{
	char why[REASON_MAX + 8], *content = NULL;
	char *keys = NULL;
	int64_t changed = 0;
	struct db_stmt *st;
	size_t len;
	int rc;

	/* the key, only to keep it out of the log */
	if (db_query(db, &st, "SELECT `key` FROM channels WHERE id = ?", DB_ARGS(DB_I(channel_id))) != GW_OK)
		return GW_EDB;
	if (db_next(st) > 0)
		keys = strdup(db_text(st, 0));
	db_done(st);
	clean_reason(why, sizeof(why), reason, keys);
	if (keys) {
		explicit_bzero(keys, strlen(keys));
		free(keys);
	}

	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	cache_invalidate(db, CACHE_F(CACHE_ABILITY) | CACHE_F(CACHE_CHANNEL));	/* at the end */
	/* only an enabled channel: a manual disable stays manual, and two
	 * failing requests log it once */
	rc = db_exec(db, "UPDATE channels SET status = ? WHERE id = ? AND status = ?",
	    DB_ARGS(DB_I(CHANNEL_STATUS_AUTO_DISABLED), DB_I(channel_id),
	    DB_I(CHANNEL_STATUS_ENABLED)), &changed);
	if (rc != GW_OK || changed == 0)
		goto out;
	rc = db_exec(db, "UPDATE abilities SET enabled = 0 WHERE channel_id = ?",
	    DB_ARGS(DB_I(channel_id)), NULL);
	if (rc != GW_OK)
		goto out;
	len = strlen(why) + (channel_name ? strlen(channel_name) : 0) + 96;
	if ((content = malloc(len)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	/* monitor.DisableChannel's notice, as a system log row */
	snprintf(content, len, "渠道「%s」（#%lld）已被禁用，原因：%s",
	    channel_name ? channel_name : "", (long long)channel_id, why);
	rc = logs_record(db, 0, "", LOGT_SYSTEM, content);
out:
	if (rc == GW_OK)
		rc = db_commit(db);
	if (rc != GW_OK)
		db_rollback(db);
	else if (changed)
		log_warn("channel #%lld has been disabled: %s", (long long)channel_id, why);
	free(content);
	return rc;
}
