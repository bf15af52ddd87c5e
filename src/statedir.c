/* SPDX-License-Identifier: MIT */
/*
 * statedir: per-account state paths (see statedir.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statedir.h"

int
statedir_path(const char *account, const char *sub, const char *suffix,
    char *buf, size_t len)
{
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
	char name[128];
	size_t i;
	int n;

	/* the account's title, tamed: no '/', no leading dot */
	snprintf(name, sizeof(name), "%s", account ? account : "default");
	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' &&
		    name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
		    (i > 0 && strchr("._-@", name[i]) != NULL)))
			name[i] = '_';
	if (x != NULL && x[0] == '/')
		n = snprintf(buf, len, "%s/postie/%s/%s.%s", x, sub, name,
		    suffix);
	else if (h != NULL && h[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/postie/%s/%s.%s", h,
		    sub, name, suffix);
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}
