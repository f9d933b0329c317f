/* fcgi/log.h: one-line log records to stderr (the web server's error log) */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stddef.h>
#include "err.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Records below this level are dropped (LOG_DEBUG when DEBUG=true). */
void log_set_level(enum log_level lvl);
int log_enabled(enum log_level lvl);
/* Write one line "<time> [LEVEL] <message>\n". Thread-safe. Control characters
 * in the message are escaped, so request data cannot forge log lines. */
void log_msg(enum log_level lvl, const char *fmt, ...) GW_FMT(2, 3);

#define log_debug(...) do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Copy at most n bytes of s into out (size outsz), escaping control bytes,
 * quotes and backslashes as \xHH; always NUL-terminates. */
void log_escape(char *out, size_t outsz, const char *s, size_t n);

#endif
