/* fcgi/channels.c: the channels table (stub) */
#include "channels.h"
