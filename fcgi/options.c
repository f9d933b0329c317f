/* fcgi/options.c: One API's OptionMap: defaults, the options table, typed reads, validated upsert */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"
#include "cfg.h"
#include "log.h"
#include "util.h"

/*
 * How a value is checked before it is stored (option_set) and read back.
 * One API (model/option.go updateOptionMap) parses ints with Atoi and
 * booleans with == "true" and silently turns garbage into 0/false; we refuse
 * such values instead, so what is stored always means what it says.
 */
enum otype { OT_STR, OT_BOOL, OT_INT, OT_REAL, OT_RATIO };

struct odef {
	const char *key;
	const char *def;	/* NULL: computed (see def_value) */
	enum otype type;
};

/*
 * Short ratio tables until the relay brings One API's full ones
 * (relay/billing/ratio/model.go). Values are One API's: 1 = $0.002 / 1K tokens.
 * Go's json.Marshal sorts map keys, and so do we when we dump them.
 */
#define DEFAULT_MODEL_RATIO "{" \
	"\"chatgpt-4o-latest\":2.5," \
	"\"claude-3-5-haiku-20241022\":0.5," \
	"\"claude-3-5-sonnet-20240620\":1.5," \
	"\"claude-3-5-sonnet-20241022\":1.5," \
	"\"claude-3-5-sonnet-latest\":1.5," \
	"\"claude-3-haiku-20240307\":0.125," \
	"\"claude-3-opus-20240229\":7.5," \
	"\"dall-e-2\":10,\"dall-e-3\":20," \
	"\"deepseek-chat\":0.07,\"deepseek-reasoner\":0.275," \
	"\"gemini-1.5-flash\":0.0375,\"gemini-1.5-pro\":0.625,\"gemini-2.0-flash\":0.075," \
	"\"gpt-3.5-turbo\":0.25,\"gpt-3.5-turbo-0125\":0.25,\"gpt-3.5-turbo-1106\":0.5," \
	"\"gpt-4\":15,\"gpt-4-turbo\":5,\"gpt-4o\":2.5,\"gpt-4o-2024-08-06\":1.25," \
	"\"gpt-4o-2024-11-20\":1.25,\"gpt-4o-mini\":0.075," \
	"\"o1\":7.5,\"o1-mini\":1.5,\"o3-mini\":1.5," \
	"\"text-embedding-3-large\":0.065,\"text-embedding-3-small\":0.01," \
	"\"text-embedding-ada-002\":0.05,\"tts-1\":7.5,\"whisper-1\":15" \
	"}"
#define DEFAULT_COMPLETION_RATIO "{" \
	"\"deepseek-chat\":2,\"deepseek-reasoner\":3.9818181818181815," \
	"\"llama3-70b-8192(33)\":1.320754716981132,\"llama3-8b-8192(33)\":2," \
	"\"whisper-1\":0}"

/* One API's InitOptionMap (model/option.go) with common/config defaults, in
 * the order GET /api/option/ lists them. The Lark and OIDC client settings
 * are not in One API's InitOptionMap (only set when stored); we list them
 * with empty defaults so the UI and scripts always find them. */
static const struct odef defs[] = {
	{ "PasswordLoginEnabled", "true", OT_BOOL },
	{ "PasswordRegisterEnabled", "true", OT_BOOL },
	{ "EmailVerificationEnabled", "false", OT_BOOL },
	{ "GitHubOAuthEnabled", "false", OT_BOOL },
	{ "OidcEnabled", "false", OT_BOOL },
	{ "WeChatAuthEnabled", "false", OT_BOOL },
	{ "TurnstileCheckEnabled", "false", OT_BOOL },
	{ "RegisterEnabled", "true", OT_BOOL },
	{ "AutomaticDisableChannelEnabled", "false", OT_BOOL },
	{ "AutomaticEnableChannelEnabled", "false", OT_BOOL },
	{ "ApproximateTokenEnabled", "false", OT_BOOL },
	{ "LogConsumeEnabled", "true", OT_BOOL },
	{ "DisplayInCurrencyEnabled", "true", OT_BOOL },
	{ "DisplayTokenStatEnabled", "true", OT_BOOL },
	{ "ChannelDisableThreshold", "5", OT_REAL },
	{ "EmailDomainRestrictionEnabled", "false", OT_BOOL },
	{ "EmailDomainWhitelist",
	  "gmail.com,163.com,126.com,qq.com,outlook.com,hotmail.com,icloud.com,yahoo.com,foxmail.com", OT_STR },
	{ "SMTPServer", "", OT_STR },
	{ "SMTPFrom", "", OT_STR },
	{ "SMTPPort", "587", OT_INT },
	{ "SMTPAccount", "", OT_STR },
	{ "SMTPToken", "", OT_STR },
	{ "Notice", "", OT_STR },
	{ "About", "", OT_STR },
	{ "HomePageContent", "", OT_STR },
	{ "Footer", "", OT_STR },
	{ "SystemName", "One API", OT_STR },
	{ "Logo", "", OT_STR },
	{ "ServerAddress", NULL, OT_STR },
	{ "GitHubClientId", "", OT_STR },
	{ "GitHubClientSecret", "", OT_STR },
	{ "LarkClientId", "", OT_STR },
	{ "LarkClientSecret", "", OT_STR },
	{ "OidcClientId", "", OT_STR },
	{ "OidcClientSecret", "", OT_STR },
	{ "OidcWellKnown", "", OT_STR },
	{ "OidcAuthorizationEndpoint", "", OT_STR },
	{ "OidcTokenEndpoint", "", OT_STR },
	{ "OidcUserinfoEndpoint", "", OT_STR },
	{ "WeChatServerAddress", "", OT_STR },
	{ "WeChatServerToken", "", OT_STR },
	{ "WeChatAccountQRCodeImageURL", "", OT_STR },
	{ "MessagePusherAddress", "", OT_STR },
	{ "MessagePusherToken", "", OT_STR },
	{ "TurnstileSiteKey", "", OT_STR },
	{ "TurnstileSecretKey", "", OT_STR },
	{ "QuotaForNewUser", "0", OT_INT },
	{ "QuotaForInviter", "0", OT_INT },
	{ "QuotaForInvitee", "0", OT_INT },
	{ "QuotaRemindThreshold", "1000", OT_INT },
	{ "PreConsumedQuota", "500", OT_INT },
	{ "ModelRatio", DEFAULT_MODEL_RATIO, OT_RATIO },
	{ "GroupRatio", "{\"default\":1,\"svip\":1,\"vip\":1}", OT_RATIO },
	{ "CompletionRatio", DEFAULT_COMPLETION_RATIO, OT_RATIO },
	{ "TopUpLink", "", OT_STR },
	{ "ChatLink", "", OT_STR },
	{ "QuotaPerUnit", "500000", OT_REAL },
	{ "RetryTimes", "0", OT_INT },
	{ "Theme", "default", OT_STR },
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* One entry of the in-memory map. parsed holds the decoded JSON of ratio
 * maps (read-only once published). */
struct oent {
	char *key;
	char *value;
	json_t *parsed;
};

struct omap {
	struct oent *v;
	size_t n, cap;
};

/* The published map: readers take the read lock; options_load builds a new
 * map off-lock and swaps it in; option_set edits in place under the write
 * lock. reload_mu keeps reloads to one thread at a time. */
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER;
static struct omap live;
static int64_t loaded_at;

static const struct odef *
find_def(const char *key)
{
	size_t i;

	for (i = 0; i < NDEFS; i++)
		if (strcmp(defs[i].key, key) == 0)
			return &defs[i];
	return NULL;
}

static enum otype
type_of(const char *key)
{
	const struct odef *d = find_def(key);
	size_t n;

	if (d)
		return d->type;
	/* One API treats every key ending in "Enabled" as a boolean */
	n = strlen(key);
	if (n >= 7 && strcmp(key + n - 7, "Enabled") == 0)
		return OT_BOOL;
	return OT_STR;
}

static const char *
def_value(const struct odef *d)
{
	if (d->def)
		return d->def;
	/* ServerAddress: One API shows config.ServerAddress on /api/status */
	return cfg && cfg->server_address ? cfg->server_address : "http://localhost:3000";
}

/* A JSON object whose every member is a number, or NULL (new reference). */
static json_t *
parse_ratio(const char *s)
{
	json_t *j, *v;
	const char *k;

	j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return NULL;
	if (!json_is_object(j))
		goto bad;
	json_object_foreach(j, k, v) {
		if (!json_is_number(v))
			goto bad;
	}
	return j;
bad:
	json_decref(j);
	return NULL;
}

/* Strict decimal float: the whole string, finite. */
static int
parse_real(const char *s, double *out)
{
	char *end;
	double d;

	if (s == NULL || *s == '\0' || strchr(" \t\r\n", *s))
		return GW_EINPUT;
	d = strtod(s, &end);
	if (*end != '\0' || !isfinite(d))
		return GW_EINPUT;
	*out = d;
	return GW_OK;
}

static void
omap_release(struct omap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].value);
		json_decref(m->v[i].parsed);
	}
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

static struct oent *
omap_find(struct omap *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].key, key) == 0)
			return &m->v[i];
	return NULL;
}

/* Set key to value (copied); parsed is taken over (may be NULL). */
static int
omap_put(struct omap *m, const char *key, const char *value, json_t *parsed)
{
	struct oent *e = omap_find(m, key), *nv;
	char *v;

	if ((v = strdup(value)) == NULL)
		goto nomem;
	if (e) {
		free(e->value);
		json_decref(e->parsed);
		e->value = v;
		e->parsed = parsed;
		return GW_OK;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 96;
		if ((nv = realloc(m->v, cap * sizeof(*nv))) == NULL)
			goto nomem_v;
		m->v = nv;
		m->cap = cap;
	}
	e = &m->v[m->n];
	if ((e->key = strdup(key)) == NULL)
		goto nomem_v;
	e->value = v;
	e->parsed = parsed;
	m->n++;
	return GW_OK;
nomem_v:
	free(v);
nomem:
	json_decref(parsed);
	return GW_ENOMEM;
}

/* One API's AddNewMissingRatio: stored ModelRatio plus the default entries
 * it lacks. Returns a new serialisation (free()) or NULL to keep the value. */
static char *
merge_missing(json_t *stored, const char *defaults)
{
	json_t *d = json_loads(defaults, 0, NULL), *v;
	const char *k;
	int added = 0;
	char *out = NULL;

	if (d == NULL)
		return NULL;
	json_object_foreach(d, k, v) {
		if (json_object_get(stored, k) == NULL) {
			json_object_set(stored, k, v);
			added = 1;
		}
	}
	if (added)
		out = json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	return out;
}

/* Add one stored row to m, as One API's loadOptionsFromDatabase does. */
static int
load_row(struct omap *m, const char *key, const char *value)
{
	json_t *parsed = NULL;
	char *merged = NULL;
	int rc;

	if (type_of(key) == OT_RATIO) {
		if ((parsed = parse_ratio(value)) == NULL) {
			log_warn("options: stored %s is not a JSON object of numbers; keeping the default", key);
			return GW_OK;
		}
		if (strcmp(key, "ModelRatio") == 0)
			merged = merge_missing(parsed, DEFAULT_MODEL_RATIO);
	}
	rc = omap_put(m, key, merged ? merged : value, parsed);
	free(merged);
	return rc;
}

static int
build_defaults(struct omap *m)
{
	json_t *parsed;
	size_t i;
	int rc;

	for (i = 0; i < NDEFS; i++) {
		parsed = defs[i].type == OT_RATIO ? parse_ratio(defs[i].def) : NULL;
		if ((rc = omap_put(m, defs[i].key, def_value(&defs[i]), parsed)) != GW_OK)
			return rc;
	}
	return GW_OK;
}

int
options_load(struct db *db)
{
	struct omap m = { NULL, 0, 0 }, old;
	struct db_stmt *st = NULL;
	int rc, more;

	if ((rc = build_defaults(&m)) != GW_OK)
		goto out;
	if (db && db_has_table(db, "options")) {
		rc = db_query(db, &st, "SELECT `key`, value FROM options", DB_NOARGS);
		if (rc != GW_OK)
			goto out;
		while ((more = db_next(st)) == 1) {
			if (db_isnull(st, 0))
				continue;
			if ((rc = load_row(&m, db_text(st, 0), db_text(st, 1))) != GW_OK)
				goto out;
		}
		if (more < 0) {
			rc = GW_EDB;
			goto out;
		}
	} else if (db) {
		log_warn("options: no options table yet; using defaults");
	}
	pthread_rwlock_wrlock(&lock);
	old = live;
	live = m;
	loaded_at = now_sec();
	pthread_rwlock_unlock(&lock);
	m = old;
	rc = GW_OK;
out:
	if (st)
		db_done(st);
	omap_release(&m);
	return rc;
}

void
options_maybe_reload(struct db *db)
{
	int64_t freq = cfg ? cfg->sync_frequency : 600, at;

	if (freq <= 0)
		return;
	pthread_rwlock_rdlock(&lock);
	at = loaded_at;
	pthread_rwlock_unlock(&lock);
	if (at != 0 && now_sec() - at < freq)
		return;
	if (pthread_mutex_trylock(&reload_mu) != 0)
		return;		/* another thread is reloading */
	pthread_rwlock_rdlock(&lock);
	at = loaded_at;
	pthread_rwlock_unlock(&lock);
	if (at == 0 || now_sec() - at >= freq) {
		if (options_load(db) != GW_OK)
			log_warn("options: reload from the database failed; keeping the old values");
	}
	pthread_mutex_unlock(&reload_mu);
}

/* The value of key while holding the read lock, or NULL. */
static const char *
peek(const char *key)
{
	struct oent *e = omap_find(&live, key);

	return e ? e->value : NULL;
}

char *
option_dup(struct arena *a, const char *key)
{
	const char *v;
	char *out = NULL;

	pthread_rwlock_rdlock(&lock);
	if ((v = peek(key)) != NULL)
		out = arena_strdup(a, v);
	pthread_rwlock_unlock(&lock);
	return out;
}

int
option_bool(const char *key, int fallback)
{
	const char *v;
	int out = fallback;

	pthread_rwlock_rdlock(&lock);
	if ((v = peek(key)) != NULL) {
		if (strcmp(v, "true") == 0)
			out = 1;
		else if (strcmp(v, "false") == 0)
			out = 0;
	}
	pthread_rwlock_unlock(&lock);
	return out;
}

int64_t
option_int(const char *key, int64_t fallback)
{
	const char *v;
	int64_t out = fallback, x;

	pthread_rwlock_rdlock(&lock);
	if ((v = peek(key)) != NULL && parse_i64(v, INT64_MIN, INT64_MAX, &x) == GW_OK)
		out = x;
	pthread_rwlock_unlock(&lock);
	return out;
}

double
option_real(const char *key, double fallback)
{
	const char *v;
	double out = fallback, x;

	pthread_rwlock_rdlock(&lock);
	if ((v = peek(key)) != NULL && parse_real(v, &x) == GW_OK)
		out = x;
	pthread_rwlock_unlock(&lock);
	return out;
}

int
option_ratio(const char *map_key, const char *name, double *out)
{
	struct oent *e;
	json_t *v;
	int rc = GW_ENOTFOUND;

	pthread_rwlock_rdlock(&lock);
	e = omap_find(&live, map_key);
	if (e && e->parsed && (v = json_object_get(e->parsed, name)) != NULL) {
		*out = json_number_value(v);
		rc = GW_OK;
	}
	pthread_rwlock_unlock(&lock);
	return rc;
}

json_t *
option_group_names(void)
{
	json_t *arr = json_array(), *v;
	struct oent *e;
	const char *k;

	if (arr == NULL)
		return NULL;
	pthread_rwlock_rdlock(&lock);
	e = omap_find(&live, "GroupRatio");
	if (e && e->parsed) {
		json_object_foreach(e->parsed, k, v) {
			if (json_array_append_new(arr, json_string(k)) != 0) {
				json_decref(arr);
				arr = NULL;
				break;
			}
		}
	}
	pthread_rwlock_unlock(&lock);
	return arr;
}

/* Does key end with suffix? */
static int
ends_with(const char *key, const char *suffix)
{
	size_t n = strlen(key), m = strlen(suffix);

	return n >= m && strcmp(key + n - m, suffix) == 0;
}

json_t *
options_list_json(void)
{
	json_t *arr = json_array(), *o;
	size_t i;

	if (arr == NULL)
		return NULL;
	pthread_rwlock_rdlock(&lock);
	for (i = 0; i < live.n; i++) {
		if (ends_with(live.v[i].key, "Token") || ends_with(live.v[i].key, "Secret"))
			continue;
		o = json_pack("{s:s, s:s}", "key", live.v[i].key, "value", live.v[i].value);
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	}
	pthread_rwlock_unlock(&lock);
	return arr;
}

/* Is the named option currently empty (or unset)? */
static int
is_empty(const char *key)
{
	const char *v;
	int empty;

	pthread_rwlock_rdlock(&lock);
	v = peek(key);
	empty = v == NULL || *v == '\0';
	pthread_rwlock_unlock(&lock);
	return empty;
}

int
option_check(const char *key, const char *value, const char **why)
{
	int64_t i;
	double d;
	json_t *j;

	if (key == NULL || *key == '\0') {
		*why = "无效的参数: key is required";
		return GW_EINPUT;
	}
	if (strlen(key) > 191) {
		*why = "无效的参数: key is longer than 191 bytes";
		return GW_EINPUT;
	}
	switch (type_of(key)) {
	case OT_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			*why = "无效的参数: value must be \"true\" or \"false\"";
			return GW_EINPUT;
		}
		break;
	case OT_INT:
		if (parse_i64(value, INT64_MIN, INT64_MAX, &i) != GW_OK) {
			*why = "无效的参数: value must be an integer";
			return GW_EINPUT;
		}
		break;
	case OT_REAL:
		if (parse_real(value, &d) != GW_OK) {
			*why = "无效的参数: value must be a number";
			return GW_EINPUT;
		}
		break;
	case OT_RATIO:
		if ((j = parse_ratio(value)) == NULL) {
			*why = "无效的参数: value must be a JSON object mapping names to numbers";
			return GW_EINPUT;
		}
		json_decref(j);
		break;
	case OT_STR:
		break;
	}
	/* One API's controller/option.go UpdateOption checks, same messages */
	if (strcmp(key, "Theme") == 0 && strcmp(value, "default") != 0 &&
	    strcmp(value, "berry") != 0 && strcmp(value, "air") != 0) {
		*why = "无效的主题";
		return GW_EINPUT;
	}
	if (strcmp(value, "true") == 0) {
		if (strcmp(key, "GitHubOAuthEnabled") == 0 && is_empty("GitHubClientId")) {
			*why = "无法启用 GitHub OAuth，请先填入 GitHub Client Id 以及 GitHub Client Secret！";
			return GW_EINPUT;
		}
		if (strcmp(key, "EmailDomainRestrictionEnabled") == 0 && is_empty("EmailDomainWhitelist")) {
			*why = "无法启用邮箱域名限制，请先填入限制的邮箱域名！";
			return GW_EINPUT;
		}
		if (strcmp(key, "WeChatAuthEnabled") == 0 && is_empty("WeChatServerAddress")) {
			*why = "无法启用微信登录，请先填入微信登录相关配置信息！";
			return GW_EINPUT;
		}
		if (strcmp(key, "TurnstileCheckEnabled") == 0 && is_empty("TurnstileSiteKey")) {
			*why = "无法启用 Turnstile 校验，请先填入 Turnstile 校验相关配置信息！";
			return GW_EINPUT;
		}
	}
	return GW_OK;
}

int
option_set(struct db *db, const char *key, const char *value, const char **why)
{
	json_t *parsed = NULL;
	const char *sql;
	int rc;

	*why = NULL;
	if (value == NULL)
		value = "";
	if ((rc = option_check(key, value, why)) != GW_OK)
		return rc;
	if (db_kind(db) == DB_MYSQL)
		sql = "INSERT INTO options (`key`, value) VALUES (?, ?) "
		    "ON DUPLICATE KEY UPDATE value = VALUES(value)";
	else
		sql = "INSERT INTO options (`key`, value) VALUES (?, ?) "
		    "ON CONFLICT(`key`) DO UPDATE SET value = excluded.value";
	if ((rc = db_exec(db, sql, DB_ARGS(DB_S(key), DB_S(value)), NULL)) != GW_OK) {
		*why = "保存设置失败 (database error)";
		return rc;
	}
	if (type_of(key) == OT_RATIO)
		parsed = parse_ratio(value);
	pthread_rwlock_wrlock(&lock);
	rc = omap_put(&live, key, value, parsed);
	pthread_rwlock_unlock(&lock);
	return rc;
}
