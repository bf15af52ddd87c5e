/* SPDX-License-Identifier: MIT */
/*
 * statedir: where postie keeps per-account state of the user running it
 * (OAuth2 tokens, TLS session tickets): $XDG_STATE_HOME/postie/SUB/, else
 * ~/.local/state/postie/SUB/.
 */
#ifndef POSTIE_STATEDIR_H
#define POSTIE_STATEDIR_H

#include <stddef.h>

/*
 * Write ".../postie/SUB/NAME.SUFFIX" into buf, NAME being the account's
 * title made safe as a file name (no '/', no leading dot).  Returns 0, or
 * -1 when neither XDG_STATE_HOME nor HOME is an absolute path or the path
 * does not fit.
 */
int	 statedir_path(const char *account, const char *sub,
	    const char *suffix, char *buf, size_t len);

#endif
