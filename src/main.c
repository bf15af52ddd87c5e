/* SPDX-License-Identifier: MIT */
/*
 * main: wires the stages together: options, config, message, mime,
 * envelope, SMTP session or queue, exit code.  No logic of its own.
 */
#include "config.h"

#include <stdio.h>

#include "log.h"
#include "status.h"

int
main(int argc, char **argv)
{
	log_init(argv[0], 0);
	log_error("not built yet");
	return EX_SOFTWARE;
}
