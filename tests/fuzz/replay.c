/* SPDX-License-Identifier: MIT */
/*
 * replay: runs one fuzz target without libFuzzer, over files.  Linked
 * with one fuzz-*.c (FUZZ_TARGET names it), it is a TAP test in `make
 * check`: every file of tests/fuzz/regress/<target>/ (the inputs that once
 * crashed) and of tests/fuzz/corpus/<target>/ (the seeds) goes through
 * LLVMFuzzerTestOneInput once; a crash or a broken invariant aborts the
 * program, which fails the test.  With arguments, it replays those files
 * instead (to reproduce a crash from build-aux/run-fuzz).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error FUZZ_TARGET must name the target
#endif

#define REPLAY_MAX	(4 * 1024 * 1024)	/* larger inputs are a mistake */
#define REPLAY_FILES	10000

static int n;

static int
replay_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	ssize_t r;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > REPLAY_MAX) {
		printf("not ok %d - %s: cannot read\n", ++n, path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* one extra byte so an empty file still has a valid pointer */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		abort();
	while (got < (size_t)st.st_size &&
	    (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	fflush(stdout);
	(void)LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	printf("ok %d - %s\n", ++n, path);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (so runs are repeatable). */
static int
replay_dir(const char *dir)
{
	char *names[REPLAY_FILES], path[4096];
	struct dirent *de;
	size_t k = 0, i;
	DIR *d;
	int bad = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL && k < REPLAY_FILES)
		if (de->d_name[0] != '.' &&
		    (names[k] = strdup(de->d_name)) != NULL)
			k++;
	closedir(d);
	qsort(names, k, sizeof(names[0]), cmp);
	for (i = 0; i < k; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (replay_file(path) == -1)
			bad = 1;
		free(names[i]);
	}
	return bad ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *src = getenv("TEST_SRCDIR");
	char dir[4096];
	int bad = 0, i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (replay_file(argv[i]) == -1)
				bad = 1;
	} else {
		if (src == NULL)
			src = "tests";
		snprintf(dir, sizeof(dir), "%s/fuzz/regress/%s", src,
		    FUZZ_TARGET);
		if (replay_dir(dir) == -1)
			bad = 1;
		snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", src,
		    FUZZ_TARGET);
		if (replay_dir(dir) == -1)
			bad = 1;
		if (n == 0) {
			printf("not ok 1 - no input found under %s/fuzz\n",
			    src);
			n = 1;
			bad = 1;
		}
	}
	printf("1..%d\n", n);
	return bad;
}
