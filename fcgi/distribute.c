/* fcgi/distribute.c: stub until channel selection lands */
#include "distribute.h"
int distribute_pick(struct db *db, struct arena *a, const char *group, const char *model,
    const int64_t *exclude, size_t nexclude, int skip_tiers, struct channel_pick *out) { return GW_ENOTFOUND; }
int distribute_get(struct db *db, struct arena *a, int64_t id, struct channel_pick *out) { return GW_ENOTFOUND; }
const char *distribute_map_model(struct arena *a, const char *mapping, const char *model) { return model; }
int channel_suspend(struct db *db, const char *group, const char *model, int64_t channel_id, int64_t seconds) { return GW_OK; }
int channel_should_disable(int status, const char *type, const char *code, const char *message) { return status == 401; }
int channel_auto_disable(struct db *db, int64_t channel_id, const char *channel_name, const char *reason) { return GW_OK; }
