/* SPDX-License-Identifier: MIT */
/*
 * aliases: load and expand an /etc/aliases-style file (see aliases.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliases.h"

struct alias {
	char		*name;		/* owned */
	struct addr_list targets;
};

struct aliases {
	struct alias	*a;
	size_t		 n, cap;
};

void
aliases_free(struct aliases *al)
{
	if (al == NULL)
		return;
	for (size_t i = 0; i < al->n; i++) {
		free(al->a[i].name);
		addr_list_free(&al->a[i].targets);
	}
	free(al->a);
	free(al);
}

static const struct alias *
lookup(const struct aliases *al, const char *name)
{
	for (size_t i = 0; i < al->n; i++)
		if (strcasecmp(al->a[i].name, name) == 0)
			return &al->a[i];
	return NULL;
}

/* Read the whole file (bounded) into a NUL-terminated buffer. */
static char *
slurp(const char *path, struct failure *fail)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		failure_set(fail, EX_NOINPUT, FAIL_PERM, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ALIASES_FILE_MAX) {
		failure_set(fail, EX_CONFIG, FAIL_PERM,
		    "%s: not a regular file of at most %d octets", path,
		    ALIASES_FILE_MAX);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		failure_set(fail, EX_OSERR, FAIL_TEMP, "out of memory");
		goto out;
	}
	while (len < (size_t)st.st_size &&
	    (r = read(fd, buf + len, (size_t)st.st_size - len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			failure_set(fail, EX_NOINPUT, FAIL_PERM, "%s: %s",
			    path, strerror(errno));
			free(buf);
			buf = NULL;
			goto out;
		}
		len += (size_t)r;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		failure_set(fail, EX_CONFIG, FAIL_PERM, "%s: NUL byte",
		    path);
		free(buf);
		buf = NULL;
	}
out:
	if (fd != -1)
		close(fd);
	return buf;
}

/* One logical entry "name: targets" (continuations already joined). */
static int
add_entry(struct aliases *al, char *text, const char *path, int line,
    struct failure *fail)
{
	char *colon = strchr(text, ':'), *name = text, *end;
	char err[ADDRESS_ERR_MAX];
	struct alias *e;

	if (colon == NULL) {
		failure_set(fail, EX_CONFIG, FAIL_PERM,
		    "%s:%d: expected \"name: address, ...\"", path, line);
		return -1;
	}
	*colon = '\0';
	end = colon;
	while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*name == '\0' || strcspn(name, " \t\"@<>,") != strlen(name)) {
		failure_set(fail, EX_CONFIG, FAIL_PERM,
		    "%s:%d: bad alias name", path, line);
		return -1;
	}
	if (lookup(al, name) != NULL) {
		failure_set(fail, EX_CONFIG, FAIL_PERM,
		    "%s:%d: duplicate alias \"%s\"", path, line, name);
		return -1;
	}
	colon++;
	colon += strspn(colon, " \t");
	if (*colon == '|' || *colon == '/' ||
	    strncasecmp(colon, ":include:", 9) == 0 ||
	    strstr(colon, ", |") != NULL || strstr(colon, ",|") != NULL) {
		failure_set(fail, EX_CONFIG, FAIL_PERM,
		    "%s:%d: pipes, files and :include: are not supported",
		    path, line);
		return -1;
	}
	if (al->n == al->cap) {
		size_t ncap = al->cap ? al->cap * 2 : 16;
		struct alias *na = realloc(al->a, ncap * sizeof(*na));

		if (na == NULL)
			goto nomem;
		al->a = na;
		al->cap = ncap;
	}
	e = &al->a[al->n];
	addr_list_init(&e->targets);
	if ((e->name = strdup(name)) == NULL)
		goto nomem;
	switch (address_parse_list(colon, &e->targets, err, sizeof(err))) {
	case 0:
		break;
	case -1:
		failure_set(fail, EX_CONFIG, FAIL_PERM, "%s:%d: %s", path,
		    line, err);
		free(e->name);
		addr_list_free(&e->targets);
		return -1;
	default:
		free(e->name);
		addr_list_free(&e->targets);
		goto nomem;
	}
	for (size_t i = 0; i < e->targets.n; i++)
		if (address_check(e->targets.addr[i], err, sizeof(err))) {
			failure_set(fail, EX_CONFIG, FAIL_PERM, "%s:%d: %s",
			    path, line, err);
			free(e->name);
			addr_list_free(&e->targets);
			return -1;
		}
	al->n++;
	return 0;
nomem:
	failure_set(fail, EX_OSERR, FAIL_TEMP, "out of memory");
	return -1;
}

struct aliases *
aliases_load(const char *path, struct failure *fail)
{
	struct aliases *al;
	char *buf, *p, *entry = NULL;
	int line = 0, entry_line = 0;

	if ((buf = slurp(path, fail)) == NULL)
		return NULL;
	if ((al = calloc(1, sizeof(*al))) == NULL) {
		free(buf);
		failure_set(fail, EX_OSERR, FAIL_TEMP, "out of memory");
		return NULL;
	}
	/*
	 * Join continuation lines in place: a line starting with SP or HT
	 * belongs to the entry above it (as in aliases(5)).  The newline
	 * before it becomes a space, so one entry is one C string.
	 */
	for (p = buf; ; ) {
		char *nl = strchr(p, '\n');
		int last = nl == NULL;

		line++;
		if (nl != NULL)
			*nl = '\0';
		if (nl != NULL && nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p == '#' || p[strspn(p, " \t")] == '\0') {
			/* comment or blank: ends nothing, adds nothing */
			if (*p == '#')
				*p = '\0';
		} else if (*p == ' ' || *p == '\t') {
			if (entry == NULL) {
				failure_set(fail, EX_CONFIG, FAIL_PERM,
				    "%s:%d: continuation line with no entry",
				    path, line);
				goto fail;
			}
			/* glue onto the entry: shift this line left */
			memmove(entry + strlen(entry) + 1, p, strlen(p) + 1);
			entry[strlen(entry)] = ' ';
		} else {
			if (entry != NULL &&
			    add_entry(al, entry, path, entry_line, fail) == -1)
				goto fail;
			entry = p;
			entry_line = line;
		}
		if (last)
			break;
		p = nl + 1;
	}
	if (entry != NULL && add_entry(al, entry, path, entry_line, fail))
		goto fail;
	free(buf);
	return al;
fail:
	free(buf);
	aliases_free(al);
	return NULL;
}

struct expand {
	const struct aliases	*al;
	const char		*stack[ALIASES_DEPTH_MAX + 1];
	int			 depth;
	struct addr_list	*out;
	struct failure		*fail;
};

static int
emit(struct expand *x, const char *addr)
{
	if (x->out->n >= ALIASES_EXPAND_MAX) {
		failure_set(x->fail, EX_CONFIG, FAIL_PERM,
		    "aliases: more than %d addresses", ALIASES_EXPAND_MAX);
		return -1;
	}
	if (addr_list_add(x->out, addr) == -1) {
		failure_set(x->fail, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	return 0;
}

static int
expand(struct expand *x, const char *name)
{
	const struct alias *e;
	int r = 0;

	for (int i = 0; i < x->depth; i++)
		if (strcasecmp(x->stack[i], name) == 0)
			return emit(x, name);	/* a loop: itself */
	if ((e = lookup(x->al, name)) == NULL &&
	    (x->depth > 0 || (e = lookup(x->al, "default")) == NULL))
		return emit(x, name);
	if (x->depth == ALIASES_DEPTH_MAX) {
		failure_set(x->fail, EX_CONFIG, FAIL_PERM,
		    "aliases: \"%s\" nests deeper than %d", name,
		    ALIASES_DEPTH_MAX);
		return -1;
	}
	x->stack[x->depth++] = name;
	for (size_t i = 0; r == 0 && i < e->targets.n; i++) {
		const char *t = e->targets.addr[i];

		r = address_has_domain(t) ? emit(x, t) : expand(x, t);
	}
	x->depth--;
	return r;
}

int
aliases_expand(const struct aliases *al, const char *name,
    struct addr_list *out, struct failure *fail)
{
	struct expand x = { .al = al, .out = out, .fail = fail };

	return expand(&x, name);
}
