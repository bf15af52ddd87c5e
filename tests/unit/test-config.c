/* SPDX-License-Identifier: MIT */
/*
 * test-config: sendmail.conf values, loading from temporary files through
 * POSTIE_CONFIG, the libconfuse pitfalls (octal ports, relative include,
 * duplicate titles, unset variables), permissions and account choice.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf-values.h"
#include "tap.h"

static char dir[] = "/tmp/test-config.XXXXXX";
static struct options o;
static struct failure f;
static struct account a;
static struct conf_info info;

static void
put(const char *name, int mode, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(99);
	}
	fputs(text, fp);
	fclose(fp);
	chmod(path, (mode_t)mode);
}

/* Load <dir>/name with --account acct and sender; returns conf_load's. */
static int
load(const char *name, const char *acct, const char *sender)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	setenv("POSTIE_CONFIG", path, 1);
	memset(&o, 0, sizeof(o));
	o.account = acct;
	account_free(&a);
	failure_clear(&f);
	return conf_load(&o, sender, &a, &info, &f);
}

static void
values(void)
{
	int n = 0;
	enum tls_mode t;
	enum auth_mode m;
	char *s;

	ok(confv_port("587", &n) == 0 && n == 587, "port 587");
	ok(confv_port("0587", &n) == -1, "port 0587 refused (octal trap)");
	ok(confv_port("0", &n) == -1, "port 0 refused");
	ok(confv_port("65536", &n) == -1, "port 65536 refused");
	ok(confv_port("65535", &n) == 0, "port 65535");
	ok(confv_port("5x", &n) == -1, "port 5x refused");
	ok(confv_duration("300", &n) == 0 && n == 300, "duration 300");
	ok(confv_duration("5m", &n) == 0 && n == 300, "duration 5m");
	ok(confv_duration("1h30m", &n) == 0 && n == 5400, "duration 1h30m");
	ok(confv_duration("5d", &n) == 0 && n == 432000, "duration 5d");
	ok(confv_duration("0", &n) == -1, "duration 0 refused");
	ok(confv_duration("5y", &n) == -1, "duration 5y refused");
	ok(confv_duration("99999999999", &n) == -1, "huge duration refused");
	ok(confv_duration("", &n) == -1, "empty duration refused");
	ok(confv_tls("implicit", &t) == 0 && t == TLSMODE_IMPLICIT, "tls implicit");
	ok(confv_tls("ssl", &t) == -1, "tls ssl refused");
	ok(confv_min_version("1.3") == 0 && confv_min_version("1.1") == -1,
	    "tls_min_version 1.2|1.3");
	ok(confv_fingerprint("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89") == 0,
	    "SHA-256 fingerprint with colons");
	ok(confv_fingerprint("AB:CD") == -1, "short fingerprint refused");
	ok(confv_mech("SCRAM-SHA-256") == 0 && confv_mech("A B") == -1,
	    "mechanism names");
	ok(confv_auth_word("on", &m) == 0 && m == AUTHMODE_ON, "auth on");
	ok(confv_log("syslog:local3") == 0 && confv_log("/var/log/p") == 0 &&
	    confv_log("none") == 0, "log targets");
	ok(confv_log("syslog:bogus") == -1 && confv_log("rel/file") == -1,
	    "bad log targets refused");
	s = confv_expand_from("%U@%H.example%%", "ann", "box");
	is_str(s, "ann@box.example%", "from: login, host and percent expanded");
	free(s);
}

static void
loading(void)
{
	char buf[256];
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	put("ok.conf", 0600, "host = \"relay.example.org\"\n"
	    "user = \"me\"\npassword = \"pw-secret\"\n"
	    "timeout_total = 10m\nauth = { scram-sha-256, plain }\n");
	is_int(load("ok.conf", NULL, NULL), 0, "a valid file loads");
	is_str(a.host, "relay.example.org", "host");
	is_int(conf_port(&a), 587, "port defaults to 587");
	is_int(a.timeouts.total, 600, "timeout_total = 10m");
	is_int(a.timeouts.data_end, 600, "data_end default (RFC 5321)");
	is_int(a.auth, AUTHMODE_ON, "a mechanism list means auth on");
	ok(a.auth_mechs && strcmp(a.auth_mechs[0], "SCRAM-SHA-256") == 0 &&
	    strcmp(a.auth_mechs[1], "PLAIN") == 0 && !a.auth_mechs[2],
	    "mechanisms upper-cased, in order");
	is_int(a.tls_verify, 1, "tls_verify defaults to true");
	is_int(a.queue, 1, "queue defaults to true");
	ok(a.domain != NULL && a.domain[0] != '\0', "domain defaults to a name");
	fp = open_memstream(&out, &len);
	conf_print(&a, fp);
	fclose(fp);
	ok(strstr(out, "password = ********\n") != NULL, "password masked");
	ok(strstr(out, "pw-secret") == NULL, "secret not printed");
	free(out);
	ok(conf_sender(&a, NULL, buf, sizeof(buf)) == 0 && buf[0] != '\0',
	    "sender falls back to the login name");
	ok(conf_sender(&a, "x@y.org", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "x@y.org") == 0, "-f wins");

	put("octal.conf", 0600, "host = \"r\"\nport = 022\n");
	is_int(load("octal.conf", NULL, NULL), -1, "port 022 refused");
	is_int(f.code, EX_CONFIG, "... EX_CONFIG");
	ok(strstr(f.msg, "octal.conf:2:") != NULL, "... with file:line");

	put("unset.conf", 0600, "host = ${POSTIE_TEST_UNSET_VAR}\n");
	unsetenv("POSTIE_TEST_UNSET_VAR");
	is_int(load("unset.conf", NULL, NULL), -1, "unset variable refused");
	ok(strstr(f.msg, "unset.conf:1:") && strstr(f.msg, "empty"),
	    "... explained with file:line");
	put("default.conf", 0600, "host = \"${POSTIE_TEST_UNSET_VAR:-d.org}\"\n");
	is_int(load("default.conf", NULL, NULL), 0, "${VAR:-default} works");
	is_str(a.host, "d.org", "... default used");

	put("dup.conf", 0600, "account \"a\" {\nhost = \"x\"\n}\n"
	    "account \"a\" {\nhost = \"y\"\n}\n");
	is_int(load("dup.conf", NULL, NULL), -1, "duplicate title refused");
	is_int(f.code, EX_CONFIG, "... EX_CONFIG");

	put("crlf.conf", 0600, "host = \"a\\r\\nb\"\n");
	is_int(load("crlf.conf", NULL, NULL), -1, "CR LF in a value refused");

	put("perm.conf", 0644, "host = \"r\"\npassword_command = \"pass x\"\n");
	is_int(load("perm.conf", NULL, NULL), -1,
	    "world-readable password_command refused");
	is_int(f.code, EX_CONFIG, "... EX_CONFIG");
	put("pub.conf", 0644, "host = \"r\"\n");
	is_int(load("pub.conf", NULL, NULL), 0,
	    "world-readable file without a secret is fine");
	put("gw.conf", 0664, "host = \"r\"\n");
	is_int(load("gw.conf", NULL, NULL), -1, "group-writable file refused");

	is_int(load("missing.conf", NULL, NULL), -1, "missing named file");
	is_int(f.code, EX_NOINPUT, "... EX_NOINPUT");

	put("notls.conf", 0600, "host = \"r\"\ntls = off\nauth = on\n"
	    "user = \"u\"\n");
	is_int(load("notls.conf", NULL, NULL), -1, "auth on without TLS");
	is_int(f.code, EX_CONFIG, "... EX_CONFIG");
	put("both.conf", 0600, "host = \"r\"\npassword = \"a\"\n"
	    "password_command = \"b\"\n");
	is_int(load("both.conf", NULL, NULL), -1, "password and command");

	put("nohost.conf", 0600, "tls = implicit\n");
	is_int(load("nohost.conf", NULL, NULL), 0, "no host loads");
	is_int(conf_port(&a), 465, "implicit TLS: port 465");
	is_int(conf_check_send(&a, &info, &f), -1, "... but cannot send");
	is_int(f.code, EX_CONFIG, "... EX_CONFIG");
}

static void
choosing(void)
{
	char sub[512];

	snprintf(sub, sizeof(sub), "%s/inc", dir);
	mkdir(sub, 0700);
	put("main.conf", 0600, "host = \"top.example.org\"\nport = 2525\n"
	    "include(\"inc/acc.conf\")\ndefault_account = \"b\"\n");
	put("inc/acc.conf", 0600,
	    "account \"a\" {\n host = \"a.example.org\"\n"
	    " from = \"*@a.example.org\"\n}\n"
	    "account \"b\" {\n host = \"b.example.org\"\n"
	    " from = \"me@b.example.org\"\n tls = implicit\n}\n");
	if (chdir("/") != 0)
		return;
	is_int(load("main.conf", NULL, NULL), 0,
	    "include relative to the including file, from another cwd");
	is_str(a.name, "b", "default_account chosen");
	is_int(conf_port(&a), 2525, "top-level port inherited");
	is_int(a.tls, TLSMODE_IMPLICIT, "account's own tls");
	is_int(load("main.conf", NULL, "Someone@A.example.org"), 0, "by from");
	is_str(a.name, "a", "pattern *@a.example.org matches, any case");
	is_int(load("main.conf", NULL, "me@b.example.org"), 0, "exact from");
	is_str(a.name, "b", "exact from matches");
	is_int(load("main.conf", "a", "me@b.example.org"), 0, "--account");
	is_str(a.name, "a", "--account wins over from");
	is_int(load("main.conf", "nosuch", NULL), -1, "unknown --account");
	is_int(f.code, EX_CONFIG, "... EX_CONFIG");
	is_int(load("main.conf", "default", NULL), 0, "--account default");
	is_str(a.host, "top.example.org", "... is the top level");

	put("badref.conf", 0600, "default_account = \"zz\"\n");
	is_int(load("badref.conf", NULL, NULL), -1,
	    "default_account must exist");
	put("badinc.conf", 0600, "include(\"inc/none.conf\")\n");
	is_int(load("badinc.conf", NULL, NULL), -1, "missing include");
	ok(strstr(f.msg, "badinc.conf:1:") != NULL, "... names the includer");
	put("inc/nest.conf", 0600, "include(\"acc.conf\")\n");
	put("nest.conf", 0600, "include(\"inc/nest.conf\")\n");
	is_int(load("nest.conf", NULL, NULL), -1, "nested include refused");
	ok(strstr(f.msg, "main file only") != NULL, "... explained");
	put("self.conf", 0600, "include(\"self.conf\")\n");
	is_int(load("self.conf", NULL, NULL), -1, "self include refused");
	ok(strstr(f.msg, "twice") != NULL, "... as a loop");
	put("inc/pub.conf", 0644, "password = \"x\"\n");
	put("incpub.conf", 0600, "host = \"h\"\ninclude(\"inc/pub.conf\")\n");
	is_int(load("incpub.conf", NULL, NULL), -1,
	    "secret in a world-readable included file");
	ok(strstr(f.msg, "pub.conf:1:") != NULL, "... names that file");
}

int
main(void)
{
	char cmd[600];

	plan(84);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	values();
	loading();
	choosing();
	account_free(&a);
	printf("# %d checks\n", tap_n);
	{
		static const char *const names[] = { "ok.conf", "octal.conf",
		    "unset.conf", "default.conf", "dup.conf", "crlf.conf",
		    "perm.conf", "pub.conf", "gw.conf", "notls.conf",
		    "both.conf", "nohost.conf", "main.conf", "inc/acc.conf",
		    "badref.conf", "badinc.conf", "inc/pub.conf",
		    "incpub.conf", "inc/nest.conf", "nest.conf", "self.conf", "inc",
		    "" };
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(cmd, sizeof(cmd), "%s/%s", dir, names[i]);
			if (unlink(cmd) != 0)
				rmdir(cmd);
		}
	}
	return done();
}
