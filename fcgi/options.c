/* fcgi/options.c: stub */
#include <string.h>
#include "options.h"
int options_load(struct db *db) { return GW_OK; }
void options_maybe_reload(struct db *db) { }
char *option_dup(struct arena *a, const char *key) { return strcmp(key, "SystemName") ? NULL : arena_strdup(a, "One API"); }
int option_bool(const char *key, int fb) { return fb; }
int64_t option_int(const char *key, int64_t fb) { return fb; }
double option_real(const char *key, double fb) { return fb; }
int option_set(struct db *db, const char *k, const char *v, const char **why) { return GW_EINPUT; }
