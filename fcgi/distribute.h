/* fcgi/distribute.h: channel selection for a relay request, and the
 * channel health actions that follow an upstream failure (ONEAPI_SPEC 3) */
#ifndef GW_DISTRIBUTE_H
#define GW_DISTRIBUTE_H

#include <stdint.h>
#include <stddef.h>
#include "arena.h"
#include "db.h"

/* A channel chosen to serve a request; strings in the arena, NULL columns
 * become "" (base_url "" means the type's default). */
struct channel_pick {
	int64_t id;
	int type;
	const char *name;
	const char *key;		/* the upstream secret: never log it */
	const char *base_url;
	const char *other;		/* legacy: Azure api-version etc. */
	const char *config;		/* JSON ChannelConfig or "" */
	const char *model_mapping;	/* JSON object or "" */
	const char *system_prompt;	/* "" = none */
	int64_t priority;
	int64_t weight;
};

/*
 * Pick a channel for (group, model) from `abilities` (enabled, not
 * suspended: suspend_until NULL or in the past), skipping the channel ids in
 * exclude[0..nexclude). When every candidate left is suspended, the one
 * whose suspension ends first is picked rather than none. Tiers by priority, highest first; skip_tiers > 0
 * starts that many tiers lower (retries), falling back to the highest tier
 * when there are fewer tiers. Inside a tier: weighted random by
 * channels.weight (all weights 0 = uniform). GW_OK, GW_ENOTFOUND (no
 * channel), GW_EDB.
 */
int distribute_pick(struct db *db, struct arena *a, const char *group, const char *model,
    const int64_t *exclude, size_t nexclude, int skip_tiers, struct channel_pick *out) GW_WUR;

/* Load a channel by id (a pinned "sk-KEY-<id>" request): GW_OK,
 * GW_ENOTFOUND, or GW_EFORBIDDEN when it is not enabled. */
int distribute_get(struct db *db, struct arena *a, int64_t id, struct channel_pick *out) GW_WUR;

/* The upstream model name after the channel's model_mapping (a JSON object
 * {"requested":"upstream"}; empty, "{}" or malformed = no mapping). Returns
 * model itself when not mapped, else an arena copy. */
const char *distribute_map_model(struct arena *a, const char *mapping, const char *model);

/* Suspend (group, model, channel) for seconds (429: CHANNEL_SUSPEND_SECONDS_FOR_429,
 * 5xx: ..._FOR_5XX, auth: ..._FOR_AUTH): sets abilities.suspend_until;
 * seconds <= 0 lifts a suspension. */
int channel_suspend(struct db *db, const char *group, const char *model, int64_t channel_id,
    int64_t seconds) GW_WUR;

/* One API's ShouldDisableChannel: 1 when an upstream error with this status,
 * error type, code and message means the channel's key is dead (401;
 * insufficient_quota/authentication_error/permission_error/forbidden;
 * invalid_api_key/account_deactivated; the listed message fragments). Any
 * argument but status may be NULL. Pure. */
int channel_should_disable(int status, const char *type, const char *code, const char *message);

/* Auto-disable an enabled channel: channels.status = 3, abilities
 * disabled, and a system log row naming the channel and reason (never the
 * key). A channel already disabled, by hand or not, is left as it is. */
int channel_auto_disable(struct db *db, int64_t channel_id, const char *channel_name,
    const char *reason) GW_WUR;

#endif
