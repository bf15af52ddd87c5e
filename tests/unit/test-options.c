/* SPDX-License-Identifier: MIT */
/*
 * test-options: the sendmail command line.  Every vector that real callers
 * pass (notes/anchors.md 1.2) must parse; grouping, attached and separate
 * values, long options, refusals and the CR/LF rule.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "tap.h"

static struct options o;
static struct failure f;

/* Parse a NULL-terminated list of words after argv[0] = "sendmail". */
static int
parse(const char *first, ...)
{
	static char *argv[64];
	const char *w;
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"/usr/sbin/sendmail";
	va_start(ap, first);
	for (w = first; w != NULL && argc < 63; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	failure_clear(&f);
	return options_parse(&o, argc, argv, &f);
}

static void
callers(void)
{
	/* Debian cron */
	is_int(parse("-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root",
	    NULL), 0, "Debian cron vector parses");
	is_str(o.from_name, "CronDaemon", "cron: -F attached");
	is_int(o.dot_ends, 0, "cron: -i");
	is_int(o.body, BODY_8BITMIME, "cron: -B8BITMIME");
	is_int(o.nrcpts, 1, "cron: one recipient");
	is_str(o.rcpts[0], "root", "cron: recipient root");
	is_int(o.mode, OPTMODE_SEND, "cron: send mode");

	/* Vixie/ISC cron */
	is_int(parse("-FCronDaemon", "-odi", "-oem", "-oi", "-t", NULL), 0,
	    "Vixie cron vector parses");
	ok(o.extract_rcpts && !o.dot_ends && o.nrcpts == 0,
	    "vixie: -t, -oi, no operands");

	/* mutt / neomutt */
	is_int(parse("-oem", "-oi", "-f", "me@example.org", "-B8BITMIME",
	    "-N", "failure,delay", "-R", "hdrs", "--", "a@example.org",
	    "-b@example.org", NULL), 0, "mutt vector parses");
	is_str(o.sender, "me@example.org", "mutt: -f separate");
	is_str(o.dsn_notify, "FAILURE,DELAY", "mutt: -N normalised");
	is_str(o.dsn_ret, "HDRS", "mutt: -R hdrs");
	is_int(o.nrcpts, 2, "mutt: -- then two recipients");
	is_str(o.rcpts[1], "-b@example.org", "mutt: dash recipient after --");

	/* git send-email */
	is_int(parse("-i", "a@example.org", "b@example.org", NULL), 0,
	    "git send-email vector parses");
	is_int(o.nrcpts, 2, "git: two recipients");
	is_int(parse("-i", "-f", "me@example.org", "a@example.org", NULL), 0,
	    "git send-email with envelope sender parses");
	is_str(o.sender, "me@example.org", "git: -f");

	/* PHP mail() */
	is_int(parse("-t", "-i", "-fwww@example.org", NULL), 0,
	    "PHP mail() vector parses");
	is_str(o.sender, "www@example.org", "php: -f attached");
	ok(o.extract_rcpts && !o.dot_ends, "php: -t -i");

	/* PHPMailer */
	is_int(parse("-oi", "-t", "-f", "app@example.org", NULL), 0,
	    "PHPMailer vector parses");
	ok(o.extract_rcpts && !o.dot_ends, "phpmailer: -oi -t");

	/* Symfony/SwiftMailer (-t) and Alpine (-bs -odb -oem) */
	is_int(parse("-t", NULL), 0, "Symfony -t vector parses");
	is_int(parse("-bs", "-odb", "-oem", NULL), 0,
	    "Alpine -bs vector parses");
	is_int(o.mode, OPTMODE_SMTP_STDIO, "alpine: mode is -bs");

	/* s-nail / mailx */
	is_int(parse("-i", "-m", "-v", "-f", "me@example.org", "-F",
	    "Me Myself", "--", "a@example.org", NULL), 0,
	    "s-nail vector parses");
	is_str(o.from_name, "Me Myself", "s-nail: -F separate");
	is_int(o.verbose, 1, "s-nail: -v");

	/* busybox crond: -ti and a recipient */
	is_int(parse("-ti", "root", NULL), 0, "busybox crond -ti parses");
	ok(o.extract_rcpts && !o.dot_ends, "busybox: grouped -ti");
}

static void
forms(void)
{
	is_int(parse("-tv", NULL), 0, "-tv parses");
	ok(o.extract_rcpts && o.verbose == 1, "-tv: both flags");
	is_int(parse("-B", "8BITMIME", "x", NULL), 0, "-B separate");
	is_int(o.body, BODY_8BITMIME, "-B 8BITMIME");
	is_int(parse("-B7BIT", "x", NULL), 0, "-B7BIT");
	is_int(o.body, BODY_7BIT, "-B7BIT value");
	is_int(parse("-tifme@x.org", NULL), 0, "-tifme@x: group ending in a value");
	is_str(o.sender, "me@x.org", "group: value taken from the rest");
	is_int(parse("-f", "<me@x.org>", "y", NULL), 0, "-f <addr>");
	is_str(o.sender, "me@x.org", "angle brackets removed");
	is_int(parse("-f", "<>", "y", NULL), 0, "-f <>");
	is_str(o.sender, "", "null sender");
	is_int(parse("-r", "r@x.org", "y", NULL), 0, "-r");
	is_str(o.sender, "r@x.org", "-r is -f");
	is_int(parse("-bm", "-G", "-U", "-h", "5", "-L", "tag", "-Ac", "-Am",
	    "-n", "-m", "-O", "DeliveryMode=b", "-X", "/tmp/x", "-p", "smtp",
	    "-d9.9", "y", NULL), 0, "ignored flags are accepted");
	is_int(o.nrcpts, 1, "ignored flags' values are not recipients");
	is_int(parse("-V", "abc123", "-N", "never", "-R", "full", "y", NULL), 0,
	    "DSN flags");
	is_str(o.dsn_envid, "abc123", "-V envid");
	is_str(o.dsn_notify, "NEVER", "-N never");
	is_str(o.dsn_ret, "FULL", "-R full");
	is_int(parse("-N", "success,failure,delay", "y", NULL), 0, "-N all three");
	is_str(o.dsn_notify, "SUCCESS,FAILURE,DELAY", "-N normalised list");
	is_int(parse("-C", "/etc/x.conf", "y", NULL), 0, "-C parses");
	is_str(o.config_file, "/etc/x.conf", "-C recorded (checked later)");
	is_int(parse("--account", "work", "--pretend", "y", NULL), 0,
	    "--account NAME --pretend");
	ok(o.pretend && strcmp(o.account, "work") == 0, "long options set");
	is_int(parse("--account=home", "y", NULL), 0, "--account=NAME");
	is_str(o.account, "home", "--account= value");
	is_int(parse("--check-config", NULL), 0, "--check-config");
	is_int(o.mode, OPTMODE_CHECK_CONFIG, "check-config mode");
	is_int(parse("--help", NULL), 0, "--help");
	is_int(o.mode, OPTMODE_HELP, "help mode");
	is_int(parse("--version", NULL), 0, "--version");
	is_int(o.mode, OPTMODE_VERSION, "version mode");
	is_int(parse("-d0.1", NULL), 0, "-d0.1");
	is_int(o.mode, OPTMODE_VERSION, "-d0.1 prints the version");
}

static void
modes(void)
{
	char *mq[] = { (char *)"/usr/bin/mailq", NULL };

	is_int(parse("-bp", NULL), 0, "-bp");
	is_int(o.mode, OPTMODE_LIST_QUEUE, "-bp lists");
	failure_clear(&f);
	is_int(options_parse(&o, 1, mq, &f), 0, "invoked as mailq");
	is_int(o.mode, OPTMODE_LIST_QUEUE, "mailq lists");
	is_int(parse("-q", NULL), 0, "-q");
	is_int(o.mode, OPTMODE_RUN_QUEUE, "-q runs the queue");
	is_int(parse("-q30m", NULL), 0, "-q30m");
	is_str(o.queue_interval, "30m", "-q interval");
	is_int(parse("-qIabc", NULL), 0, "-qI");
	is_str(o.queue_id, "abc", "-qI id");
	is_int(parse("-qRexample.org", NULL), 0, "-qR");
	is_str(o.queue_rcpt, "example.org", "-qR rcpt");
	is_int(parse("-qS", NULL), -1, "-qS without a value is refused");
	is_int(parse("-qx", NULL), -1, "-qx is refused");
}

static void
attachments(void)
{
	is_int(parse("-a", "a.pdf", "--attach-type", "text/csv",
	    "--attach-name", "r.csv", "--attach", "/tmp/r", "--attach=c.txt",
	    "y", NULL), 0, "attachments parse");
	is_int(o.nattach, 3, "three attachments");
	ok(o.attach[0].type == NULL && o.attach[0].name == NULL,
	    "first: no type, no name");
	ok(strcmp(o.attach[1].path, "/tmp/r") == 0 &&
	    strcmp(o.attach[1].type, "text/csv") == 0 &&
	    strcmp(o.attach[1].name, "r.csv") == 0,
	    "type and name apply to the next file");
	ok(o.attach[2].type == NULL, "and only to the next file");
	is_int(parse("--attach-type", "text/csv", "y", NULL), -1,
	    "--attach-type with no file after it");
	is_int(f.code, EX_USAGE, "... is a usage error");
}

static void
refusals(void)
{
	is_int(parse("-x", NULL), -1, "-x refused");
	is_int(f.code, EX_USAGE, "-x: EX_USAGE");
	is_str(f.msg, "unknown option -x", "-x: message");
	is_int(parse("-tx", NULL), -1, "-tx refused");
	is_int(parse("--frobnicate", NULL), -1, "unknown long option");
	is_int(f.code, EX_USAGE, "long: EX_USAGE");
	is_int(parse("-bt", NULL), -1, "-bt refused");
	is_int(f.code, EX_USAGE, "-bt: EX_USAGE");
	is_int(parse("-bz", NULL), -1, "-bz refused");
	is_int(parse("-Ax", NULL), -1, "-Ax refused");
	is_int(parse("-f", NULL), -1, "-f without a value");
	is_int(f.code, EX_USAGE, "-f missing value: EX_USAGE");
	is_int(parse("-N", "sometimes", "y", NULL), -1, "-N bad word");
	is_int(parse("-N", "never,success", "y", NULL), -1, "-N never mixed");
	is_int(parse("-N", "success,success", "y", NULL), -1, "-N repeated");
	is_int(parse("-N", "success,", "y", NULL), -1, "-N trailing comma");
	is_int(parse("-R", "body", "y", NULL), -1, "-R bad");
	is_int(parse("-B", "BINARYMIME", "y", NULL), -1, "-B bad");
	is_int(parse("-V", "a b", "y", NULL), -1, "-V with a space");
	is_int(parse("--pretend=1", NULL), -1, "--pretend takes no value");
	is_int(parse("-", NULL), -1, "a lone dash");
	is_int(parse("-f", "a@x\r\nRCPT TO:<b@y>", "z", NULL), -1,
	    "CR LF in -f");
	is_int(f.code, EX_DATAERR, "CR LF in -f: EX_DATAERR");
	is_int(parse("-F", "Name\nBcc: x@y", "z", NULL), -1, "LF in -F");
	is_int(f.code, EX_DATAERR, "LF in -F: EX_DATAERR");
	is_int(parse("a@x\r", NULL), -1, "CR in a recipient");
	is_int(f.code, EX_DATAERR, "CR in a recipient: EX_DATAERR");
}

static void
help(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	options_help(fp);
	fclose(fp);
	ok(strstr(buf, "-X file") && strstr(buf, "never writes"),
	    "--help says -X never writes");
	ok(strstr(buf, "-bt") && strstr(buf, "[refused]"), "--help: refused");
	ok(strstr(buf, "-G") && strstr(buf, "[ignored]"), "--help: ignored");
	free(buf);
}

int
main(void)
{
	plan(119);
	callers();
	forms();
	modes();
	attachments();
	refusals();
	help();
	printf("# %d checks\n", tap_n);
	return done();
}
