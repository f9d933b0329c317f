/* fcgi/users.h: the users table */
#ifndef GW_USERS_H
#define GW_USERS_H

#include "db.h"

#endif
