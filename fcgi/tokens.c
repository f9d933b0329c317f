/* fcgi/tokens.c: the tokens table (stub) */
#include "tokens.h"
