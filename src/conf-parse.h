/* SPDX-License-Identifier: MIT */
/*
 * conf-parse: read one sendmail.conf into a libconfuse tree (internal to
 * conf.c).  The tree's schema: the account options at the top level, plus
 * default_account, allowed_config_dirs, account "title" { ... } sections
 * and include("file").  Every option is CFGF_NODEFAULT: cfg_size() == 0
 * means "not set here".
 */
#ifndef POSTIE_CONF_PARSE_H
#define POSTIE_CONF_PARSE_H

#include <confuse.h>

#include "status.h"

/*
 * Open path, check its mode on the descriptor, parse it and its includes.
 * named: the file was named by the user (-C, POSTIE_CONFIG), so failing to
 * open it is EX_NOINPUT rather than EX_CONFIG.  Returns the tree (free it
 * with cfg_free), or NULL with the failure recorded ("FILE:LINE: ...").
 * Not reentrant (libconfuse's lexer is not).
 */
cfg_t	*confp_parse(const char *path, int named, struct failure *);

/* An empty tree with the schema, for when no file exists. */
cfg_t	*confp_new(void);

#endif
