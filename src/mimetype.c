/* SPDX-License-Identifier: MIT */
/*
 * mimetype: attachment content types and text charsets (see mimetype.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#ifdef HAVE_LIBMAGIC
#include <dlfcn.h>
#include <magic.h>
#endif

#include "encode.h"
#include "mimetype.h"

/* Common types, so the answer does not depend on what the system has
 * installed; sorted only for the reader. */
static const struct {
	const char	*ext, *type;
} ext_table[] = {
	{ "7z", "application/x-7z-compressed" },
	{ "avif", "image/avif" },
	{ "bz2", "application/x-bzip2" },
	{ "c", "text/x-c" },
	{ "css", "text/css" },
	{ "csv", "text/csv" },
	{ "doc", "application/msword" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document" },
	{ "eml", "message/rfc822" },
	{ "gif", "image/gif" },
	{ "gz", "application/gzip" },
	{ "h", "text/x-c" },
	{ "htm", "text/html" },
	{ "html", "text/html" },
	{ "ics", "text/calendar" },
	{ "jpeg", "image/jpeg" },
	{ "jpg", "image/jpeg" },
	{ "js", "text/javascript" },
	{ "json", "application/json" },
	{ "log", "text/plain" },
	{ "md", "text/markdown" },
	{ "mp3", "audio/mpeg" },
	{ "mp4", "video/mp4" },
	{ "odp", "application/vnd.oasis.opendocument.presentation" },
	{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
	{ "odt", "application/vnd.oasis.opendocument.text" },
	{ "pdf", "application/pdf" },
	{ "png", "image/png" },
	{ "ppt", "application/vnd.ms-powerpoint" },
	{ "pptx", "application/vnd.openxmlformats-officedocument."
	    "presentationml.presentation" },
	{ "sh", "application/x-sh" },
	{ "svg", "image/svg+xml" },
	{ "tar", "application/x-tar" },
	{ "tgz", "application/gzip" },
	{ "tif", "image/tiff" },
	{ "tiff", "image/tiff" },
	{ "txt", "text/plain" },
	{ "wav", "audio/wav" },
	{ "webp", "image/webp" },
	{ "xls", "application/vnd.ms-excel" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet" },
	{ "xml", "application/xml" },
	{ "xz", "application/x-xz" },
	{ "yaml", "application/yaml" },
	{ "zip", "application/zip" },
	{ "zst", "application/zstd" },
};

static int
token_span(const char *s, size_t *n)
{
	size_t i = 0;

	while (s[i] && s[i] != '/' && s[i] != ';' && enc_is_token(s + i, 1))
		i++;
	*n = i;
	return i > 0;
}

int
mimetype_valid(const char *s)
{
	size_t n;
	const char *p;

	if (strlen(s) >= MIMETYPE_MAX * 4 || !token_span(s, &n) ||
	    s[n] != '/' || !token_span(s + n + 1, &n))
		return 0;
	p = strchr(s, '/') + 1 + n;
	if (*p == '\0')
		return 1;
	if (*p != ';' && *p != ' ')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p < 32 || (unsigned char)*p > 126)
			return 0;
	return 1;
}

static const char *
copy_out(const char *type, size_t n, char *buf, size_t cap)
{
	if (n >= cap || n >= MIMETYPE_MAX)
		return NULL;
	memcpy(buf, type, n);
	buf[n] = '\0';
	/* only a bare type/subtype comes from tables and libmagic */
	return mimetype_valid(buf) && !strchr(buf, ';') ? buf : NULL;
}

/* The next whitespace-separated word of *p, NUL-terminated in place. */
static char *
next_word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s == '\0')
		return NULL;
	for (w = s; *s && *s != ' ' && *s != '\t' && *s != '\r' &&
	    *s != '\n'; s++)
		;
	if (*s)
		*s++ = '\0';
	*p = s;
	return w;
}

/* Look ext up in a mime.types file: "type ext ext ..." lines, "#"
 * comments.  Lines over the buffer are skipped whole. */
static const char *
types_file_lookup(const char *file, const char *ext, char *buf, size_t cap)
{
	char line[1024], *type, *e, *p;
	const char *found = NULL;
	FILE *fp;
	int skip = 0;

	if ((fp = fopen(file, "re")) == NULL)
		return NULL;
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);
		int whole = len > 0 && line[len - 1] == '\n';

		if (skip || !whole) {
			skip = !whole;
			if (!feof(fp))
				continue;
		}
		if ((e = strchr(line, '#')) != NULL)
			*e = '\0';
		p = line;
		if ((type = next_word(&p)) == NULL)
			continue;
		while ((e = next_word(&p)) != NULL)
			if (strcasecmp(e, ext) == 0) {
				found = copy_out(type, strlen(type), buf, cap);
				break;
			}
	}
	fclose(fp);
	return found;
}

const char *
mimetype_by_name(const char *name, const char *types_file, char *buf,
    size_t cap)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot == NULL || dot == name || dot[1] == '\0' ||
	    strchr(dot, '/') != NULL)
		return NULL;
	dot++;
	for (i = 0; i < sizeof(ext_table) / sizeof(ext_table[0]); i++)
		if (strcasecmp(dot, ext_table[i].ext) == 0)
			return copy_out(ext_table[i].type,
			    strlen(ext_table[i].type), buf, cap);
	return types_file ? types_file_lookup(types_file, dot, buf, cap) :
	    NULL;
}

#ifdef HAVE_LIBMAGIC
/*
 * libmagic (and its chain: liblzma, libbz2, libz) is loaded with dlopen(3)
 * the first time an attachment's content is sniffed, not linked, so that
 * runs without attachments do not pay for loading it.  Its four
 * functions, typed from <magic.h>.  A libmagic that cannot be loaded is
 * like one without a database: the type comes from the other sources.
 */
#define MAGIC_SONAME "libmagic.so.1"
static struct {
	__typeof__(magic_open)		*open_db;
	__typeof__(magic_load)		*load_db;
	__typeof__(magic_close)		*close_db;
	__typeof__(magic_descriptor)	*descriptor;
} mg;
static magic_t magic_db;
static int magic_failed;

static int
load_magic(void)
{
	static const char *const names[] = { "magic_open", "magic_load",
	    "magic_close", "magic_descriptor" };
	void *p, *f[4];
	size_t i;

	if ((p = dlopen(MAGIC_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return -1;
	for (i = 0; i < 4; i++)
		if ((f[i] = dlsym(p, names[i])) == NULL) {
			dlclose(p);
			return -1;
		}
	/* POSIX: function and object pointers convert via dlsym */
	memcpy(&mg.open_db, &f[0], sizeof(f[0]));
	memcpy(&mg.load_db, &f[1], sizeof(f[1]));
	memcpy(&mg.close_db, &f[2], sizeof(f[2]));
	memcpy(&mg.descriptor, &f[3], sizeof(f[3]));
	return 0;
}
#endif

const char *
mimetype_by_content(int fd, char *buf, size_t cap)
{
#ifdef HAVE_LIBMAGIC
	const char *t;

	if (magic_db == NULL && !magic_failed) {
		/* libraries.md section 4: load once, classify the open fd */
		if (mg.open_db == NULL && load_magic() == -1) {
			magic_failed = 1;
			return NULL;
		}
		magic_db = mg.open_db(MAGIC_MIME_TYPE | MAGIC_ERROR);
		if (magic_db == NULL || mg.load_db(magic_db, NULL) != 0) {
			if (magic_db)
				mg.close_db(magic_db);
			magic_db = NULL;
			magic_failed = 1;
		}
	}
	if (magic_db == NULL || (t = mg.descriptor(magic_db, fd)) == NULL)
		return NULL;
	/* "application/octet-stream" says nothing; the empty-file types
	 * ("inode/x-empty", "application/x-empty") are not media types */
	if (strcmp(t, MIMETYPE_DEFAULT) == 0 || strncmp(t, "inode/", 6) == 0 ||
	    strcmp(t, "application/x-empty") == 0)
		return NULL;
	return copy_out(t, strlen(t), buf, cap);
#else
	(void)fd;
	(void)buf;
	(void)cap;
	return NULL;
#endif
}

void
mimetype_cleanup(void)
{
#ifdef HAVE_LIBMAGIC
	if (magic_db)
		mg.close_db(magic_db);
	magic_db = NULL;
	magic_failed = 0;
#endif
}

/* ---- text ---- */

void
textscan_init(struct textscan *t)
{
	memset(t, 0, sizeof(*t));
	t->blank = 1;
	t->prev = 256;
}

static void
utf8_octet(struct textscan *t, unsigned c)
{
	if (t->need > 0) {
		if ((c & 0xc0) != 0x80) {
			t->utf8_bad = 1;
			t->need = 0;
			utf8_octet(t, c);
			return;
		}
		t->cp = t->cp << 6 | (c & 0x3f);
		if (--t->need == 0 && (t->cp < t->min || t->cp > 0x10ffff ||
		    (t->cp >= 0xd800 && t->cp <= 0xdfff)))
			t->utf8_bad = 1;
		return;
	}
	if (c < 0x80)
		return;
	t->eightbit = 1;
	if (c >= 0xc2 && c <= 0xdf)
		t->need = 1, t->cp = c & 0x1f, t->min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		t->need = 2, t->cp = c & 0x0f, t->min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		t->need = 3, t->cp = c & 0x07, t->min = 0x10000;
	else
		t->utf8_bad = 1;
}

void
textscan_update(struct textscan *t, const void *vp, size_t n)
{
	const unsigned char *p = vp;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned c = p[i];

		if (t->prev == '\r' && c != '\n')
			t->bare = 1;
		if (c == '\n') {
			uint64_t len = t->linelen - (t->prev == '\r');

			if (t->prev != '\r')
				t->bare = 1;
			if (len > t->maxline)
				t->maxline = len;
			t->linelen = 0;
		} else
			t->linelen++;
		if (c == 0)
			t->nul = 1;
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			t->blank = 0;
		if (c >= 0x80 || t->need > 0)
			utf8_octet(t, c);
		t->prev = c;
	}
}

void
textscan_final(struct textscan *t)
{
	if (t->prev == '\r')
		t->bare = 1;
	if (t->linelen > t->maxline)
		t->maxline = t->linelen;
	if (t->need > 0)
		t->utf8_bad = 1;
	t->need = 0;
}

enum charset
textscan_charset(const struct textscan *t)
{
	if (!t->eightbit)
		return CHARSET_ASCII;
	return t->utf8_bad ? CHARSET_8BIT : CHARSET_UTF8;
}

const char *
charset_name(enum charset c)
{
	switch (c) {
	case CHARSET_ASCII:
		return "us-ascii";
	case CHARSET_UTF8:
		return "utf-8";
	default:
		return "unknown-8bit";
	}
}
