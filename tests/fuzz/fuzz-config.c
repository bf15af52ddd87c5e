/* SPDX-License-Identifier: MIT */
/*
 * fuzz-config: sendmail.conf through the real loader.  The input is
 * written to a private file (mode 0600, in a private directory, so an
 * include() resolves next to it) named by POSTIE_CONFIG, and conf_load()
 * parses it with libconfuse and our validation callbacks, merges and
 * checks every account.  Invariants: a failure carries EX_CONFIG, EX_OSERR
 * or EX_NOINPUT and a message without CR or LF; a loaded account prints
 * (as --check-config does) with password and password_command masked.
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static char dir[64] = "/tmp/postie-fuzz-conf.XXXXXX";
static char path[128];
static int fd = -1;

static void
cleanup(void)
{
	if (fd != -1) {
		unlink(path);
		rmdir(dir);
	}
}

static void
setup(void)
{
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/sendmail.conf", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		abort();
	setenv("POSTIE_CONFIG", path, 1);
	atexit(cleanup);
}

/* Every "password..." line that --check-config prints is masked. */
static void
check_print(const struct account *a)
{
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	fuzz_assert(fp != NULL);
	conf_print(a, fp);
	fclose(fp);
	for (p = buf; (p = strstr(p, "\npassword")) != NULL; p++) {
		const char *eq = strstr(p, " = ");

		fuzz_assert(eq != NULL);
		if (strncmp(eq, " = ********\n", 12) != 0 &&
		    strncmp(eq, " = (none)\n", 10) != 0)
			fuzz_fail("an unmasked secret: %.40s", p + 1);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct failure f;
	struct account a;
	struct conf_info info;
	char sender[1024];

	if (fd == -1)
		setup();
	if (size > 64 * 1024)
		return 0;
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	failure_clear(&f);
	if (conf_load(NULL, "someone@example.org", &a, &info, &f) == -1) {
		fuzz_assert(f.code == EX_CONFIG || f.code == EX_OSERR ||
		    f.code == EX_NOINPUT);
		fuzz_assert(strpbrk(f.msg, "\r\n") == NULL);
		return 0;
	}
	fuzz_assert(info.named == 1);
	check_print(&a);
	(void)conf_check_send(&a, &info, &f);
	fuzz_assert(conf_port(&a) > 0 && conf_port(&a) < 65536);
	if (conf_sender(&a, NULL, sender, sizeof(sender)) == 0)
		fuzz_assert(strpbrk(sender, "\r\n") == NULL);
	account_free(&a);
	return 0;
}

/*
 * libconfuse 3.3 leaks on two error paths, both inside the library:
 * its lexer buffers when an include() fails in the middle of a parse, and
 * the arguments collected so far on a syntax error in a function call
 * (`include("a" x`).  postie exits right after either error (78), so
 * nothing is lost in use, but LeakSanitizer would stop on every such
 * input.  The library has no symbols, hence the module name.  Our own use
 * of libconfuse (cfg_free on every path) is checked without this by
 * tests/unit/test-config and tests/valgrind.sh.
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:cfg_yy_create_buffer\nleak:libconfuse.so\n";
}
