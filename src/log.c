/* SPDX-License-Identifier: MIT */
/*
 * log: stderr diagnostics, the -v transcript, the per-message log line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *prog = "postie";
static int verbosity;
static int use_syslog = 1;
static int log_fd = -1;

void
log_init(const char *progname, int verbose)
{
	const char *slash;

	if (progname != NULL) {
		slash = strrchr(progname, '/');
		prog = slash ? slash + 1 : progname;
	}
	verbosity = verbose;
}

int
log_verbose(void)
{
	return verbosity;
}

static const struct {
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "user", LOG_USER }, { "daemon", LOG_DAEMON },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int
log_open(const char *target)
{
	int facility = LOG_MAIL;

	if (target == NULL || strcmp(target, "syslog") == 0 ||
	    strncmp(target, "syslog:", 7) == 0) {
		if (target != NULL && target[6] == ':') {
			size_t i, n = sizeof(facilities) / sizeof(facilities[0]);

			for (i = 0; i < n; i++)
				if (strcasecmp(target + 7, facilities[i].name) == 0)
					break;
			if (i == n) {
				errno = EINVAL;
				return -1;
			}
			facility = facilities[i].facility;
		}
		openlog(prog, LOG_PID, facility);
		use_syslog = 1;
		return 0;
	}
	if (strcmp(target, "none") == 0) {
		use_syslog = 0;
		return 0;
	}
	/* O_NOFOLLOW: a caller-planted symlink must not redirect the log */
	log_fd = open(target, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (log_fd == -1)
		return -1;
	use_syslog = 0;
	return 0;
}

static void
vwarn_line(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s\n", prog, buf);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_line(fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity == 0)
		return;
	va_start(ap, fmt);
	vwarn_line(fmt, ap);
	va_end(ap);
}

void
log_transcript(enum log_dir dir, const char *line, size_t len)
{
	char buf[1100];
	size_t o = 0;

	if (verbosity == 0)
		return;
	for (size_t i = 0; i < len && o + 5 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (o < len && o + 4 < sizeof(buf) && len > 1000) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	fprintf(stderr, "%s %s\n", dir == LOG_SENT ? "<<<" : ">>>", buf);
}

void
log_message(const char *fmt, ...)
{
	char buf[4096], stamp[64];
	va_list ap;
	time_t now;
	struct tm tm;
	int n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (use_syslog) {
		syslog(LOG_INFO, "%s", buf);
		return;
	}
	if (log_fd == -1)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", &tm);
	n = dprintf(log_fd, "%s %s[%ld]: %s\n", stamp, prog, (long)getpid(),
	    buf);
	(void)n;
}
