/* fcgi/users.c: the users table (stub) */
#include "users.h"
