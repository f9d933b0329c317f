/* fcgi/relay_auth.h: API-key authentication of /v1 requests (One API's
 * TokenAuth, ONEAPI_SPEC.md 2.2 and 1.2) */
#ifndef GW_RELAY_AUTH_H
#define GW_RELAY_AUTH_H

#include <stdint.h>
#include "http.h"

/* The caller of a relay request: the token and its owner. Strings live in
 * the request arena. */
struct relay_token {
	const char *key;		/* the key as sent (cache key of the row) */
	int64_t id;
	int64_t user_id;
	const char *name;		/* tokens.name (logs.token_name) */
	int unlimited;			/* tokens.unlimited_quota */
	int64_t remain_quota;		/* tokens.remain_quota at auth time */
	const char *models;		/* CSV allow-list; NULL or "" = any */
	int64_t specific_channel;	/* from "sk-KEY-<id>" (admins only); 0 = none */
	/* the owner */
	const char *username;
	int role;
	const char *group;		/* users.group */
	int64_t user_quota;		/* users.quota at auth time */
};

/*
 * Authenticate r from `Authorization: Bearer sk-KEY[-CHANNEL]`, else
 * `x-api-key`, else `api-key` (the prefix "sk-" and "Bearer " are optional).
 * Checks, in One API's order and with its messages and statuses: key known
 * (401 "无效的令牌"), status (exhausted 4 / expired 3 / other; expired_time
 * passed -> marked 3; no quota left and not unlimited -> marked 4), the
 * token's subnet list against REMOTE_ADDR (403), the owner enabled (403
 * "用户已被封禁"), a channel suffix only for admins (403 "普通用户不支持指定渠道").
 * On success fills *t and returns GW_OK; otherwise writes the OpenAI-shaped
 * error (type "one_api_error", message + " (request id: …)") and returns
 * GW_EAUTH or GW_EFORBIDDEN; GW_EINPUT (400 "无效的渠道 Id") for an admin's
 * channel suffix that is not a number; GW_EDB / GW_ENOMEM with a 500.
 * accessed_time is updated (at most once a second).
 *
 * The token and user rows come from the process's cache (cache.h) when it
 * has them. A refusal is only ever decided on rows read from the database
 * just now, and so is a user quota at or below zero: a cached row that
 * would refuse is dropped and read again.
 */
int relay_auth(struct req *r, struct relay_token *t) GW_WUR;

/* This process moved amount of quota out of (amount > 0) or back into
 * (amount < 0) t's token (unless unlimited) and t's owner: keep their
 * cached rows in step with the database. */
void relay_auth_quota_moved(const struct relay_token *t, int64_t amount);

/* Forget the cached rows of t and its owner (a refused pre-consumption:
 * the next request reads them from the database). */
void relay_auth_forget(const struct relay_token *t);

/* The token's model allow-list: GW_OK when model may be used; otherwise
 * writes 403 "该令牌无权使用模型：<model>" and returns GW_EFORBIDDEN. */
int relay_auth_model(struct req *r, const struct relay_token *t, const char *model) GW_WUR;

/* The allow-list test alone (One API's isModelInList: comma-separated,
 * exact, no trimming); 1 when allowed (an empty list allows all). Pure. */
int relay_token_allows(const struct relay_token *t, const char *model);

/* Is ip inside one of the comma-separated CIDRs (IPv4 and IPv6)? Pure;
 * malformed entries never match. */
int relay_ip_in_subnets(const char *ip, const char *subnets);

#endif
