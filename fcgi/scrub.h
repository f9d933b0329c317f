/* fcgi/scrub.h: mask a channel's key, and pieces of it, in text an upstream
 * sent back (an error that echoes "Incorrect API key provided: sk-...") */
#ifndef GW_SCRUB_H
#define GW_SCRUB_H

#include <stddef.h>

#define SCRUB_RUN_MIN	8	/* a run of this many key bytes is a piece of the key */
#define SCRUB_SHORT_MIN	4	/* parts shorter than SCRUB_RUN_MIN are masked whole from here */

/*
 * Overwrite with '*' every run of at least SCRUB_RUN_MIN bytes of buf that
 * also occurs in key, and every whole occurrence of a key part (key split
 * at '|', ',', ' ', '\n': One API's multi-part and multi-line keys) of at
 * least SCRUB_SHORT_MIN bytes. In place, same length, so a JSON body stays
 * valid JSON. key NULL or "" masks nothing. Returns the bytes masked.
 */
size_t scrub_secret(char *buf, size_t len, const char *key);

#endif
