/* SPDX-License-Identifier: MIT */
/*
 * aliases: an /etc/aliases-style file mapping local names to addresses.
 *
 *   # comment
 *   root: admin@example.com, "Ops Desk" <ops@example.com>
 *   admin: root,
 *       backup@example.net          (a line starting with WSP continues)
 *   default: catchall@example.com   (for a name found nowhere else)
 *
 * Names are matched case-insensitively.  A target without "@" is looked
 * up again (at most ALIASES_DEPTH_MAX levels); a name already being
 * expanded (a loop, or "root: root, x@y") is returned as it is, for the
 * caller to qualify.  Pipes, files and :include: are refused: postie
 * never runs or writes anything on an alias's behalf.
 */
#ifndef POSTIE_ALIASES_H
#define POSTIE_ALIASES_H

#include "address.h"
#include "status.h"

#define ALIASES_DEPTH_MAX	10
#define ALIASES_FILE_MAX	(1024 * 1024)	/* octets */
#define ALIASES_EXPAND_MAX	1000		/* addresses from one name */

struct aliases;		/* opaque */

/*
 * Load the file.  Returns the table (free with aliases_free), or NULL
 * with the failure recorded: EX_NOINPUT when it cannot be read,
 * EX_CONFIG with "file:line: reason" for a syntax error, a duplicate
 * name, a refused target or a file over ALIASES_FILE_MAX.
 */
struct aliases *aliases_load(const char *path, struct failure *);
void	 aliases_free(struct aliases *);

/*
 * Append to `out` what the bare name expands to: the name itself when no
 * entry (and no "default") matches.  Returns 0, or -1 with the failure
 * recorded (EX_CONFIG: deeper than ALIASES_DEPTH_MAX or more than
 * ALIASES_EXPAND_MAX addresses; EX_OSERR: out of memory).
 */
int	 aliases_expand(const struct aliases *, const char *name,
	    struct addr_list *out, struct failure *);

#endif
