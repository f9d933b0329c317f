/* fcgi/schema.h: One API's schema: create, migrate, first-run bootstrap */
#ifndef GW_SCHEMA_H
#define GW_SCHEMA_H

#include "db.h"

/* Create One API's tables on an empty database; on an existing one (ours or
 * One API's own) add only what is missing, and record it. */
int schema_migrate(struct db *db) GW_WUR;
/* On an empty users table: root / 123456 (role 100) with a warning, the
 * INITIAL_ROOT_TOKEN key and INITIAL_ROOT_ACCESS_TOKEN. */
int schema_bootstrap(struct db *db) GW_WUR;

#endif
