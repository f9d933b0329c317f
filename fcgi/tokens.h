/* fcgi/tokens.h: the tokens table */
#ifndef GW_TOKENS_H
#define GW_TOKENS_H

#include "db.h"

#endif
