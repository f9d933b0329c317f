/* fcgi/channels.h: the channels table */
#ifndef GW_CHANNELS_H
#define GW_CHANNELS_H

#include "db.h"

#endif
