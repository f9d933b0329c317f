/* fcgi/log.c: logging to stderr, one write per line */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

static enum log_level min_level = LOG_INFO;
static const char *const names[] = { "DEBUG", "INFO", "WARN", "ERROR" };

void
log_set_level(enum log_level lvl)
{
	min_level = lvl;
}

int
log_enabled(enum log_level lvl)
{
	return lvl >= min_level;
}

void
log_escape(char *out, size_t outsz, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (outsz == 0)
		return;
	for (i = 0; i < n && s[i] && o + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\\' || c == '"') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[2048], esc[4096], line[4200];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (lvl < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_escape(esc, sizeof(esc), msg, strlen(msg));
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%s] %s\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000000, names[lvl], esc);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	/* one write(2) per line keeps lines whole across threads */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
