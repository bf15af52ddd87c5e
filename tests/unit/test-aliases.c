/* SPDX-License-Identifier: MIT */
/* Unit tests of src/aliases.c. */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "aliases.h"
#include "tap.h"

static char path[64];

static struct aliases *
load(const char *text, struct failure *f)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	failure_clear(f);
	return aliases_load(path, f);
}

static const char *
expand(struct aliases *al, const char *name)
{
	static char buf[1024];
	struct addr_list l;
	struct failure f = { 0 };

	addr_list_init(&l);
	buf[0] = '\0';
	if (aliases_expand(al, name, &l, &f) == -1)
		snprintf(buf, sizeof(buf), "ERR %d", f.code);
	else
		for (size_t i = 0; i < l.n; i++) {
			if (i > 0)
				strncat(buf, "|", sizeof(buf) - strlen(buf) - 1);
			strncat(buf, l.addr[i], sizeof(buf) - strlen(buf) - 1);
		}
	addr_list_free(&l);
	return buf;
}

int
main(void)
{
	struct failure f = { 0 };
	struct aliases *al;
	int fd;

	plan(19);
	snprintf(path, sizeof(path), "/tmp/test-aliases.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);

	al = load("# comment\n"
	    "root: admin\n"
	    "Admin: ops@example.com,\n"
	    "   \"Desk\" <desk@example.com>  # not a comment: error?\n", &f);
	ok(al == NULL && f.code == EX_CONFIG && strstr(f.msg, ":3:"),
	    "text after an address is an error, with file:line");
	aliases_free(al);

	al = load("# comment\n"
	    "\n"
	    "root: admin\r\n"
	    "Admin: ops@example.com,\n"
	    "   \"Desk\" <desk@example.com>\n"
	    "   , (a comment) bob\n"
	    "bob: bob, bob@elsewhere.example\n"
	    "loop1: loop2\n"
	    "loop2: loop1\n", &f);
	ok(al != NULL, "loads");
	is_str(expand(al, "root"),
	    "ops@example.com|desk@example.com|bob|bob@elsewhere.example",
	    "recursive, continuation lines, self-reference kept");
	is_str(expand(al, "ADMIN"),
	    "ops@example.com|desk@example.com|bob|bob@elsewhere.example",
	    "case-insensitive");
	is_str(expand(al, "nobody"), "nobody", "unknown name returned as is");
	is_str(expand(al, "loop1"), "loop1", "loop ends at the name itself");
	aliases_free(al);

	al = load("default: catch@example.com\nroot: admin\n", &f);
	is_str(expand(al, "x"), "catch@example.com", "default catch-all");
	is_str(expand(al, "root"), "admin",
	    "default not applied inside an expansion");
	aliases_free(al);

	al = load("a1: a2\na2: a3\na3: a4\na4: a5\na5: a6\na6: a7\na7: a8\n"
	    "a8: a9\na9: a10\na10: a11\na11: a12\na12: x@y\n", &f);
	is_str(expand(al, "a1"), "ERR 78", "depth cap");
	is_str(expand(al, "a5"), "x@y", "within the cap");
	aliases_free(al);

	al = load("a: b, b, b, b, b, b, b, b, b, b\nb: c, c, c, c, c, c, c, c,"
	    " c, c\nc: d, d, d, d, d, d, d, d, d, d\nd: e@x, f@x\n", &f);
	is_str(expand(al, "a"), "ERR 78", "expansion count cap");
	aliases_free(al);

	al = load("root: |/bin/sh\n", &f);
	ok(al == NULL && f.code == EX_CONFIG, "pipe refused");
	al = load("root: /var/mail/root\n", &f);
	ok(al == NULL && f.code == EX_CONFIG, "file refused");
	al = load("root: :include:/etc/x\n", &f);
	ok(al == NULL && f.code == EX_CONFIG, "include refused");
	al = load("root: a@b\nroot: c@d\n", &f);
	ok(al == NULL && f.code == EX_CONFIG && strstr(f.msg, ":2:"),
	    "duplicate refused with line");
	al = load("  a@b\n", &f);
	ok(al == NULL && f.code == EX_CONFIG, "continuation first refused");
	al = load("no colon here\n", &f);
	ok(al == NULL && f.code == EX_CONFIG && strstr(f.msg, ":1:"),
	    "missing colon refused");
	al = load("x: a@b\n", &f);
	ok(al != NULL, "no trailing garbage: loads");
	aliases_free(al);

	unlink(path);
	failure_clear(&f);
	al = aliases_load(path, &f);
	ok(al == NULL && f.code == EX_NOINPUT, "missing file: EX_NOINPUT");
	return done();
}
