/*
 * users.c - load, query, edit and atomically save the users file
 * (format and rules in users.h).
 */
#include "sessions/users.h"
#include "proto/utf16.h"
#include "proto/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USERS_FILE_MAX	(16u * 1024 * 1024)
#define HASH_HEX_LEN	32

#define NEXT_RID_KEY	"next rid "
#define GROUP_KEY	"group "

struct users_entry {
	char *name;		/* talloc child of the db */
	uint8_t nt_hash[16];
	uint32_t rid;
	unsigned line;		/* where users_load() found it; 0 if set */
};

/* A local group; members are user RIDs. */
struct users_group {
	char *name;		/* talloc child of the db */
	uint32_t rid;
	uint32_t *members;	/* talloc child of the db, n_members used */
	size_t n_members;
	unsigned line;		/* where users_load() found it; 0 if added */
	char **pending;		/* member names read, until resolved */
	size_t n_pending;
};

struct users_db {
	struct users_entry *v;	/* talloc array, n used */
	size_t n;
	struct users_group *g;	/* talloc array, n_groups used */
	size_t n_groups;
	uint32_t next_rid;	/* the RID the next new user gets */
	int version;		/* of the file as read (USERS_FILE_VERSION
				 * if there was none) */
	unsigned next_rid_line;	/* where "next rid" was read; 0 if not */
	/* identity of the file at load time, for users_changed() */
	bool existed;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;
};

static int ascii_lower(int c)
{
	if (c >= 'A' && c <= 'Z') {
		return c + ('a' - 'A');
	}
	return c;
}

/* strcasecmp() folds by locale; names fold ASCII only, whatever locale. */
static bool name_eq(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b)) {
			return false;
		}
		a++;
		b++;
	}
	return *a == *b;
}

const char *users_name_check(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = 0;

	if (name == NULL || name[0] == '\0') {
		return "name is empty";
	}
	n = strlen(name);
	if (n > USERS_NAME_MAX) {
		return "name is longer than 64 bytes";
	}
	if (name[0] == '#') {
		return "name starts with '#'";
	}
	if (name[0] == ' ' || name[n - 1] == ' ') {
		return "name starts or ends with a space";
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t len = 0;

		if (s[i] < 0x20 || s[i] == 0x7F) {
			return "name contains a control character";
		}
		if (s[i] == ':') {
			return "name contains ':'";
		}
		len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			return "name is not valid UTF-8";
		}
		i += len;
	}
	return NULL;
}

static int hash_parse(const char *s, size_t len, uint8_t out[16])
{
	if (len != HASH_HEX_LEN) {
		return -EINVAL;
	}
	for (size_t i = 0; i < 16; i++) {
		int hi = hex_digit(s[2 * i]);
		int lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return -EINVAL;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static struct users_entry *find(const struct users_db *db, const char *name)
{
	for (size_t i = 0; i < db->n; i++) {
		if (name_eq(db->v[i].name, name)) {
			return &db->v[i];
		}
	}
	return NULL;
}

static struct users_entry *find_rid(const struct users_db *db, uint32_t rid)
{
	for (size_t i = 0; i < db->n; i++) {
		if (db->v[i].rid == rid) {
			return &db->v[i];
		}
	}
	return NULL;
}

static struct users_group *find_group(const struct users_db *db,
				      const char *name)
{
	for (size_t i = 0; i < db->n_groups; i++) {
		if (name_eq(db->g[i].name, name)) {
			return &db->g[i];
		}
	}
	return NULL;
}

static struct users_group *find_group_rid(const struct users_db *db,
					  uint32_t rid)
{
	for (size_t i = 0; i < db->n_groups; i++) {
		if (db->g[i].rid == rid) {
			return &db->g[i];
		}
	}
	return NULL;
}

/* The line of whoever (user or group) has rid, or 0 if nobody. */
static unsigned rid_taken_line(const struct users_db *db, uint32_t rid,
			       bool *taken)
{
	const struct users_entry *u = find_rid(db, rid);
	const struct users_group *g = find_group_rid(db, rid);

	*taken = u != NULL || g != NULL;
	return u != NULL ? u->line : g != NULL ? g->line : 0;
}

struct users_db *users_new(TALLOC_CTX *mem)
{
	struct users_db *db = talloc_zero(mem, struct users_db);

	if (db != NULL) {
		db->next_rid = USERS_RID_FIRST;
		db->version = USERS_FILE_VERSION;
	}
	return db;
}

/* Append without checks; the name is copied. */
static int append(struct users_db *db, const char *name, size_t name_len,
		  const uint8_t nt_hash[16], uint32_t rid, unsigned line)
{
	struct users_entry *v = NULL;
	char *copy = NULL;

	copy = talloc_strndup(db, name, name_len);
	if (copy == NULL) {
		return -ENOMEM;
	}
	v = talloc_realloc(db, db->v, struct users_entry, db->n + 1);
	if (v == NULL) {
		talloc_free(copy);
		return -ENOMEM;
	}
	db->v = v;
	db->v[db->n] = (struct users_entry) {
		.name = copy,
		.rid = rid,
		.line = line,
	};
	memcpy(db->v[db->n].nt_hash, nt_hash, 16);
	db->n++;
	return 0;
}

/* A RID in decimal, USERS_RID_FIRST..USERS_RID_MAX; 0 or -EINVAL. */
static int rid_parse(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10) {
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return -EINVAL;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v < USERS_RID_FIRST || v > USERS_RID_MAX) {
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

#define RID_RANGE_MSG	"RID must be a number from 1000 to 4294967294"

/*
 * Parse one record line (no line end): NAME:NTHASH in a v1 file (the RID
 * is the next free one), NAME:NTHASH:RID in a v2 file. Returns NULL or a
 * static reason, or a reason allocated on err_mem for duplicates.
 */
static const char *parse_record(struct users_db *db, TALLOC_CTX *err_mem,
				char *line, size_t len, unsigned lineno)
{
	const struct users_entry *dup = NULL;
	uint8_t hash[16] = { 0 };
	const char *why = NULL;
	char *colon = memchr(line, ':', len);
	char *hash_s = NULL;
	char *colon2 = NULL;
	size_t name_len = 0;
	size_t hash_len = 0;
	uint32_t rid = 0;

	if (colon == NULL) {
		return db->version == 1 ? "expected NAME:NTHASH"
					: "expected NAME:NTHASH:RID";
	}
	name_len = (size_t)(colon - line);
	hash_s = colon + 1;
	hash_len = len - name_len - 1;
	if (db->version >= 2) {
		colon2 = memchr(hash_s, ':', hash_len);
		if (colon2 == NULL) {
			return "expected NAME:NTHASH:RID";
		}
		hash_len = (size_t)(colon2 - hash_s);
		if (rid_parse(colon2 + 1, len - name_len - 2 - hash_len,
			      &rid) != 0) {
			return RID_RANGE_MSG;
		}
	}
	if (hash_parse(hash_s, hash_len, hash) != 0) {
		return "NT hash must be 32 hex digits";
	}
	*colon = '\0';		/* the name is now a C string */
	why = users_name_check(line);
	if (why != NULL) {
		return why;
	}
	dup = find(db, line);
	if (dup != NULL) {
		return talloc_asprintf(err_mem,
				       "duplicate user \"%s\" (see line %u)",
				       line, dup->line);
	}
	if (find_group(db, line) != NULL) {
		return talloc_asprintf(err_mem,
				       "user \"%s\" has a group's name (see "
				       "line %u)", line,
				       find_group(db, line)->line);
	}
	if (db->version == 1) {
		/* migration: RIDs in file order, as they will be saved */
		if (db->next_rid > USERS_RID_MAX) {
			return "too many users";
		}
		rid = db->next_rid++;
	}
	{
		bool taken = false;
		unsigned at = rid_taken_line(db, rid, &taken);

		if (taken) {
			return talloc_asprintf(err_mem,
					       "duplicate RID %u (see line %u)",
					       (unsigned)rid, at);
		}
	}
	if (append(db, line, name_len, hash, rid, lineno) != 0) {
		return "out of memory";
	}
	return NULL;
}

/* Append an empty group without checks; the name is copied. */
static struct users_group *group_append(struct users_db *db, const char *name,
					size_t name_len, uint32_t rid,
					unsigned line)
{
	struct users_group *g = NULL;
	char *copy = talloc_strndup(db, name, name_len);

	if (copy == NULL) {
		return NULL;
	}
	g = talloc_realloc(db, db->g, struct users_group, db->n_groups + 1);
	if (g == NULL) {
		talloc_free(copy);
		return NULL;
	}
	db->g = g;
	g = &db->g[db->n_groups++];
	*g = (struct users_group) { .name = copy, .rid = rid, .line = line };
	return g;
}

/* Is the field after the first ':' of line[0..len) 32 hex digits (a user
 * record, whatever its name)? */
static bool second_field_is_hash(const char *line, size_t len)
{
	const char *c1 = memchr(line, ':', len);
	const char *c2 = NULL;
	uint8_t h[16];
	size_t rest = 0;

	if (c1 == NULL) {
		return false;
	}
	rest = len - (size_t)(c1 + 1 - line);
	c2 = memchr(c1 + 1, ':', rest);
	return hash_parse(c1 + 1, c2 != NULL ? (size_t)(c2 - c1 - 1) : rest,
			  h) == 0;
}

/*
 * "group NAME:RID[:MEMBER]..." (v3), line[0..len) after the "group "
 * key (NUL-terminated there). Member names wait in g->pending until the
 * whole file is read (resolve_members()).
 */
static const char *parse_group(struct users_db *db, TALLOC_CTX *err_mem,
			       char *line, size_t len, unsigned lineno)
{
	struct users_group *g = NULL;
	const char *why = NULL;
	char *colon = memchr(line, ':', len);
	char *rid_s = NULL;
	char *end = line + len;
	char *p = NULL;
	uint32_t rid = 0;
	bool taken = false;
	unsigned at = 0;

	if (colon == NULL) {
		return "expected group NAME:RID[:MEMBER]...";
	}
	*colon = '\0';
	why = users_name_check(line);
	if (why != NULL) {
		return talloc_asprintf(err_mem, "group %s", why);
	}
	if (find_group(db, line) != NULL) {
		return talloc_asprintf(err_mem,
				       "duplicate group \"%s\" (see line %u)",
				       line, find_group(db, line)->line);
	}
	if (find(db, line) != NULL) {
		return talloc_asprintf(err_mem,
				       "group \"%s\" has a user's name (see "
				       "line %u)", line, find(db, line)->line);
	}
	rid_s = colon + 1;
	p = memchr(rid_s, ':', (size_t)(end - rid_s));
	if (rid_parse(rid_s, (size_t)((p != NULL ? p : end) - rid_s),
		      &rid) != 0) {
		return "group " RID_RANGE_MSG;
	}
	at = rid_taken_line(db, rid, &taken);
	if (taken) {
		return talloc_asprintf(err_mem,
				       "duplicate RID %u (see line %u)",
				       (unsigned)rid, at);
	}
	g = group_append(db, line, strlen(line), rid, lineno);
	if (g == NULL) {
		return "out of memory";
	}
	while (p != NULL) {
		char *m = p + 1;
		char **v = NULL;

		p = memchr(m, ':', (size_t)(end - m));
		if (p != NULL) {
			*p = '\0';
		}
		v = talloc_realloc(db, g->pending, char *, g->n_pending + 1);
		if (v == NULL) {
			return "out of memory";
		}
		g->pending = v;
		g->pending[g->n_pending++] = m;	/* points into the buffer */
	}
	return NULL;
}

/* Turn the member names read into user RIDs, now every user is known.
 * On error *lineno is the group's line. */
static const char *resolve_members(struct users_db *db, TALLOC_CTX *err_mem,
				   unsigned *lineno)
{
	for (size_t i = 0; i < db->n_groups; i++) {
		struct users_group *g = &db->g[i];

		g->members = talloc_array(db, uint32_t, g->n_pending + 1);
		if (g->members == NULL) {
			return "out of memory";
		}
		for (size_t k = 0; k < g->n_pending; k++) {
			const struct users_entry *u = find(db, g->pending[k]);

			*lineno = g->line;
			if (u == NULL) {
				return talloc_asprintf(err_mem,
						       "group \"%s\": no user "
						       "\"%s\"", g->name,
						       g->pending[k]);
			}
			for (size_t j = 0; j < g->n_members; j++) {
				if (g->members[j] == u->rid) {
					return talloc_asprintf(
						err_mem,
						"group \"%s\": \"%s\" listed "
						"twice", g->name, u->name);
				}
			}
			g->members[g->n_members++] = u->rid;
		}
		TALLOC_FREE(g->pending);
		g->n_pending = 0;
	}
	return NULL;
}

/* "next rid N" (v2): the first RID no user has had yet. */
static const char *parse_next_rid(struct users_db *db, const char *line,
				  size_t len, unsigned lineno)
{
	size_t klen = strlen(NEXT_RID_KEY);
	uint32_t rid = 0;

	if (db->next_rid_line != 0) {
		return "\"next rid\" given twice";
	}
	if (rid_parse(line + klen, len - klen, &rid) != 0) {
		return "next " RID_RANGE_MSG;
	}
	db->next_rid = rid;
	db->next_rid_line = lineno;
	return NULL;
}

/* The file's header: its version, or 0 if it is none we know. */
static int header_version(const char *line)
{
	if (strcmp(line, USERS_FILE_HEADER) == 0) {
		return USERS_FILE_VERSION;
	}
	if (strcmp(line, USERS_FILE_HEADER_V1) == 0) {
		return 1;
	}
	if (strcmp(line, USERS_FILE_HEADER_V3) == 0) {
		return USERS_FILE_VERSION_GROUPS;
	}
	return 0;
}

/* Parse the whole file held in buf[0..len) (NUL-terminated). */
static const char *parse(struct users_db *db, TALLOC_CTX *err_mem,
			 char *buf, size_t len, unsigned *lineno)
{
	size_t off = 0;

	*lineno = 0;
	while (off < len) {
		char *line = buf + off;
		char *nl = memchr(line, '\n', len - off);
		size_t llen = nl != NULL ? (size_t)(nl - line) : len - off;
		const char *why = NULL;

		off += llen + (nl != NULL ? 1 : 0);
		(*lineno)++;
		if (llen > 0 && line[llen - 1] == '\r') {
			llen--;
		}
		line[llen] = '\0';
		if (strlen(line) != llen) {
			return "NUL byte in line";
		}
		if (*lineno == 1) {
			db->version = header_version(line);
			if (db->version == 0) {
				return "missing header \"" USERS_FILE_HEADER
				       "\"";
			}
			continue;
		}
		if (llen == 0 || line[0] == '#') {
			continue;
		}
		if (db->version >= 2 && memchr(line, ':', llen) == NULL &&
		    strncmp(line, NEXT_RID_KEY, strlen(NEXT_RID_KEY)) == 0) {
			why = parse_next_rid(db, line, llen, *lineno);
		} else if (db->version >= USERS_FILE_VERSION_GROUPS &&
			   strncmp(line, GROUP_KEY, strlen(GROUP_KEY)) == 0 &&
			   !second_field_is_hash(line, llen)) {
			why = parse_group(db, err_mem, line + strlen(GROUP_KEY),
					  llen - strlen(GROUP_KEY), *lineno);
		} else {
			why = parse_record(db, err_mem, line, llen, *lineno);
		}
		if (why != NULL) {
			return why;
		}
	}
	return resolve_members(db, err_mem, lineno);
}

/* Read all of fd (size hint from fstat) into a NUL-terminated buffer. */
static int read_all(TALLOC_CTX *mem, int fd, size_t hint, char **out,
		    size_t *out_len)
{
	size_t cap = hint + 1;
	size_t len = 0;
	char *buf = talloc_array(mem, char, cap + 1);

	if (buf == NULL) {
		return -ENOMEM;
	}
	for (;;) {
		ssize_t got = 0;

		if (len == cap) {
			char *nb = NULL;

			if (cap >= USERS_FILE_MAX) {
				talloc_free(buf);
				return -EFBIG;
			}
			cap *= 2;
			nb = talloc_realloc(mem, buf, char, cap + 1);
			if (nb == NULL) {
				talloc_free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got < 0) {
			int e = errno;

			talloc_free(buf);
			return -e;
		}
		if (got == 0) {
			break;
		}
		len += (size_t)got;
	}
	if (len > USERS_FILE_MAX) {
		talloc_free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

static void record_identity(struct users_db *db, const struct stat *st)
{
	db->existed = true;
	db->dev = st->st_dev;
	db->ino = st->st_ino;
	db->size = st->st_size;
	db->mtime = st->st_mtim;
	db->ctime = st->st_ctim;
}

/* Open and vet the file: regular, no group/other bits, not too big. */
static int open_checked(TALLOC_CTX *mem, const char *path, struct stat *st,
			char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		int e = errno;

		if (e != ENOENT) {
			*err = talloc_asprintf(mem, "%s: cannot open: %s",
					       path, strerror(e));
		}
		return -e;
	}
	if (fstat(fd, st) != 0) {
		int e = errno;

		*err = talloc_asprintf(mem, "%s: cannot stat: %s", path,
				       strerror(e));
		close(fd);
		return -e;
	}
	if (!S_ISREG(st->st_mode)) {
		*err = talloc_asprintf(mem, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*err = talloc_asprintf(mem,
				       "%s: mode %04o gives group/other "
				       "access; run chmod 600 %s",
				       path, (unsigned)(st->st_mode & 07777),
				       path);
		close(fd);
		return -EPERM;
	}
	if (st->st_size > (off_t)USERS_FILE_MAX) {
		*err = talloc_asprintf(mem, "%s: larger than 16 MiB", path);
		close(fd);
		return -EFBIG;
	}
	return fd;
}

struct users_db *users_load(TALLOC_CTX *mem, const char *path, char **err)
{
	struct users_db *db = NULL;
	struct stat st = {};
	char *buf = NULL;
	size_t len = 0;
	const char *why = NULL;
	unsigned lineno = 0;
	int fd = -1;
	int rc = 0;

	*err = NULL;
	db = users_new(mem);
	if (db == NULL) {
		return NULL;
	}
	fd = open_checked(mem, path, &st, err);
	if (fd == -ENOENT) {
		return db;
	}
	if (fd < 0) {
		goto fail;
	}
	record_identity(db, &st);
	rc = read_all(db, fd, (size_t)st.st_size, &buf, &len);
	if (rc != 0) {
		*err = talloc_asprintf(mem, "%s: cannot read: %s", path,
				       strerror(-rc));
		goto fail;
	}
	/* a reason built on db goes away with it below */
	why = parse(db, db, buf, len, &lineno);
	if (why != NULL) {
		*err = talloc_asprintf(mem, "%s:%u: %s", path, lineno, why);
		goto fail;
	}
	/* a zero-byte file has no header and is a current empty one */
	if (db->version == 0) {
		db->version = USERS_FILE_VERSION;
	}
	/* never hand out a RID a listed user has, whatever the file says */
	for (size_t i = 0; i < db->n; i++) {
		if (db->v[i].rid >= db->next_rid) {
			db->next_rid = db->v[i].rid + 1;
		}
	}
	for (size_t i = 0; i < db->n_groups; i++) {
		if (db->g[i].rid >= db->next_rid) {
			db->next_rid = db->g[i].rid + 1;
		}
	}
	TALLOC_FREE(buf);
	close(fd);
	return db;

fail:
	if (fd >= 0) {
		close(fd);
	}
	talloc_free(db);	/* and buf, and any reason built on it */
	return NULL;
}

int users_lookup(const struct users_db *db, const char *name,
		 uint8_t nt_hash[16], const char **canonical_name)
{
	const struct users_entry *e = NULL;

	if (name == NULL) {
		return -ENOENT;
	}
	e = find(db, name);
	if (e == NULL) {
		return -ENOENT;
	}
	if (nt_hash != NULL) {
		memcpy(nt_hash, e->nt_hash, 16);
	}
	if (canonical_name != NULL) {
		*canonical_name = e->name;
	}
	return 0;
}

int users_set(struct users_db *db, const char *name, const uint8_t nt_hash[16])
{
	struct users_entry *e = NULL;
	int rc = 0;

	if (users_name_check(name) != NULL) {
		return -EINVAL;
	}
	e = find(db, name);
	if (e != NULL) {
		memcpy(e->nt_hash, nt_hash, 16);
		return 0;
	}
	if (find_group(db, name) != NULL) {
		return -EEXIST;
	}
	if (db->next_rid > USERS_RID_MAX) {
		return -ENOSPC;
	}
	rc = append(db, name, strlen(name), nt_hash, db->next_rid, 0);
	if (rc == 0) {
		db->next_rid++;
	}
	return rc;
}

int users_del(struct users_db *db, const char *name)
{
	struct users_entry *e = NULL;
	size_t i = 0;

	if (name == NULL) {
		return -ENOENT;
	}
	e = find(db, name);
	if (e == NULL) {
		return -ENOENT;
	}
	i = (size_t)(e - db->v);
	for (size_t k = 0; k < db->n_groups; k++) {
		struct users_group *g = &db->g[k];

		for (size_t j = 0; j < g->n_members; j++) {
			if (g->members[j] == e->rid) {
				memmove(&g->members[j], &g->members[j + 1],
					(g->n_members - j - 1) *
					sizeof(g->members[0]));
				g->n_members--;
				break;
			}
		}
	}
	talloc_free(e->name);
	memmove(&db->v[i], &db->v[i + 1], (db->n - i - 1) * sizeof(db->v[0]));
	db->n--;
	return 0;
}

size_t users_count(const struct users_db *db)
{
	return db->n;
}

const char *users_name_at(const struct users_db *db, size_t i)
{
	if (i >= db->n) {
		return NULL;
	}
	return db->v[i].name;
}

uint32_t users_rid_at(const struct users_db *db, size_t i)
{
	if (i >= db->n) {
		return 0;
	}
	return db->v[i].rid;
}

int users_rid(const struct users_db *db, const char *name, uint32_t *rid)
{
	const struct users_entry *e = name != NULL ? find(db, name) : NULL;

	if (e == NULL) {
		return -ENOENT;
	}
	*rid = e->rid;
	return 0;
}

const char *users_name_by_rid(const struct users_db *db, uint32_t rid)
{
	const struct users_entry *e = rid != 0 ? find_rid(db, rid) : NULL;

	return e != NULL ? e->name : NULL;
}

int users_group_add(struct users_db *db, const char *name)
{
	if (users_name_check(name) != NULL) {
		return -EINVAL;
	}
	if (find(db, name) != NULL || find_group(db, name) != NULL) {
		return -EEXIST;
	}
	if (db->next_rid > USERS_RID_MAX) {
		return -ENOSPC;
	}
	if (group_append(db, name, strlen(name), db->next_rid, 0) == NULL) {
		return -ENOMEM;
	}
	db->g[db->n_groups - 1].members = talloc_array(db, uint32_t, 1);
	if (db->g[db->n_groups - 1].members == NULL) {
		talloc_free(db->g[db->n_groups - 1].name);
		db->n_groups--;
		return -ENOMEM;
	}
	db->next_rid++;
	return 0;
}

int users_group_del(struct users_db *db, const char *name)
{
	struct users_group *g = name != NULL ? find_group(db, name) : NULL;
	size_t i = 0;

	if (g == NULL) {
		return -ENOENT;
	}
	i = (size_t)(g - db->g);
	talloc_free(g->name);
	talloc_free(g->members);
	memmove(&db->g[i], &db->g[i + 1],
		(db->n_groups - i - 1) * sizeof(db->g[0]));
	db->n_groups--;
	return 0;
}

/* The group and user of a membership edit, and where the user is in the
 * group's members (g->n_members if not). */
static int member_find(const struct users_db *db, const char *group,
		       const char *user, struct users_group **g,
		       const struct users_entry **u, size_t *at)
{
	*g = group != NULL ? find_group(db, group) : NULL;
	if (*g == NULL) {
		return -ENOENT;
	}
	*u = user != NULL ? find(db, user) : NULL;
	if (*u == NULL) {
		return -ESRCH;
	}
	for (*at = 0; *at < (*g)->n_members; (*at)++) {
		if ((*g)->members[*at] == (*u)->rid) {
			break;
		}
	}
	return 0;
}

int users_group_addmember(struct users_db *db, const char *group,
			  const char *user)
{
	struct users_group *g = NULL;
	const struct users_entry *u = NULL;
	uint32_t *v = NULL;
	size_t at = 0;
	int rc = member_find(db, group, user, &g, &u, &at);

	if (rc != 0) {
		return rc;
	}
	if (at < g->n_members) {
		return -EEXIST;
	}
	v = talloc_realloc(db, g->members, uint32_t, g->n_members + 1);
	if (v == NULL) {
		return -ENOMEM;
	}
	g->members = v;
	g->members[g->n_members++] = u->rid;
	return 0;
}

int users_group_delmember(struct users_db *db, const char *group,
			  const char *user)
{
	struct users_group *g = NULL;
	const struct users_entry *u = NULL;
	size_t at = 0;
	int rc = member_find(db, group, user, &g, &u, &at);

	if (rc != 0) {
		return rc;
	}
	if (at == g->n_members) {
		return -ENODATA;
	}
	memmove(&g->members[at], &g->members[at + 1],
		(g->n_members - at - 1) * sizeof(g->members[0]));
	g->n_members--;
	return 0;
}

size_t users_group_count(const struct users_db *db)
{
	return db->n_groups;
}

const char *users_group_name_at(const struct users_db *db, size_t i)
{
	return i < db->n_groups ? db->g[i].name : NULL;
}

uint32_t users_group_rid_at(const struct users_db *db, size_t i)
{
	return i < db->n_groups ? db->g[i].rid : 0;
}

size_t users_group_members_at(const struct users_db *db, size_t i,
			      const uint32_t **rids)
{
	if (i >= db->n_groups) {
		*rids = NULL;
		return 0;
	}
	*rids = db->g[i].members;
	return db->g[i].n_members;
}

int users_group_lookup(const struct users_db *db, const char *name,
		       uint32_t *rid, const char **canonical_name)
{
	const struct users_group *g = name != NULL ? find_group(db, name) :
						     NULL;

	if (g == NULL) {
		return -ENOENT;
	}
	if (rid != NULL) {
		*rid = g->rid;
	}
	if (canonical_name != NULL) {
		*canonical_name = g->name;
	}
	return 0;
}

int users_group_index(const struct users_db *db, uint32_t rid)
{
	const struct users_group *g = rid != 0 ? find_group_rid(db, rid) :
						 NULL;

	return g != NULL ? (int)(g - db->g) : -ENOENT;
}

size_t users_groups_of(const struct users_db *db, uint32_t user_rid,
		       uint32_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < db->n_groups; i++) {
		for (size_t j = 0; j < db->g[i].n_members; j++) {
			if (db->g[i].members[j] != user_rid) {
				continue;
			}
			if (n < max) {
				out[n] = db->g[i].rid;
			}
			n++;
			break;
		}
	}
	return n;
}

uint32_t users_next_rid(const struct users_db *db)
{
	return db->next_rid;
}

int users_file_version(const struct users_db *db)
{
	return db->version;
}

/* The file's text, a talloc child of mem; NULL on ENOMEM. */
static char *render(TALLOC_CTX *mem, const struct users_db *db)
{
	char *s = talloc_asprintf(mem, "%s\n" NEXT_RID_KEY "%u\n",
				  db->n_groups > 0 ? USERS_FILE_HEADER_V3 :
						     USERS_FILE_HEADER,
				  (unsigned)db->next_rid);

	for (size_t i = 0; s != NULL && i < db->n; i++) {
		static const char digits[] = "0123456789ABCDEF";
		const uint8_t *h = db->v[i].nt_hash;
		char hex[HASH_HEX_LEN + 1] = { 0 };

		for (size_t k = 0; k < 16; k++) {
			hex[2 * k] = digits[h[k] >> 4];
			hex[2 * k + 1] = digits[h[k] & 0x0F];
		}
		s = talloc_asprintf_append_buffer(s, "%s:%s:%u\n",
						  db->v[i].name, hex,
						  (unsigned)db->v[i].rid);
		explicit_bzero(hex, sizeof(hex));
	}
	for (size_t i = 0; s != NULL && i < db->n_groups; i++) {
		const struct users_group *g = &db->g[i];

		s = talloc_asprintf_append_buffer(s, GROUP_KEY "%s:%u",
						  g->name, (unsigned)g->rid);
		for (size_t j = 0; s != NULL && j < g->n_members; j++) {
			const struct users_entry *u =
				find_rid(db, g->members[j]);

			if (u != NULL) {
				s = talloc_asprintf_append_buffer(s, ":%s",
								  u->name);
			}
		}
		if (s != NULL) {
			s = talloc_asprintf_append_buffer(s, "\n");
		}
	}
	return s;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w < 0) {
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0) {
		return -errno;
	}
	if (fsync(fd) != 0) {
		rc = -errno;
	}
	close(fd);
	return rc;
}

/* The directory part of path ("." if none), a talloc child of mem. */
static char *dir_of(TALLOC_CTX *mem, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		return talloc_strdup(mem, ".");
	}
	if (slash == path) {
		return talloc_strdup(mem, "/");
	}
	return talloc_strndup(mem, path, (size_t)(slash - path));
}

/* Write text to a fresh temporary next to path; *tmp_path on success. */
static int write_tmp(TALLOC_CTX *mem, const char *path, const char *text,
		     char **tmp_path)
{
	char *tmpl = talloc_asprintf(mem, "%s.tmp.XXXXXX", path);
	struct stat old = {};
	int fd = -1;
	int rc = 0;

	if (tmpl == NULL) {
		return -ENOMEM;
	}
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	if (fchmod(fd, 0600) != 0) {
		rc = -errno;
		goto fail;
	}
	/* Keep the old file's owner (e.g. the daemon's user) if we can;
	 * only root can, and a non-root editor owns both anyway. */
	if (stat(path, &old) == 0 && fchown(fd, old.st_uid, old.st_gid) != 0 &&
	    errno != EPERM) {
		rc = -errno;
		goto fail;
	}
	rc = write_all(fd, text, strlen(text));
	if (rc != 0) {
		goto fail;
	}
	if (fsync(fd) != 0) {
		rc = -errno;
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = -errno;
		goto fail;
	}
	*tmp_path = tmpl;
	return 0;

fail:
	if (fd >= 0) {
		close(fd);
	}
	unlink(tmpl);
	return rc;
}

int users_save(const struct users_db *db, const char *path)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *text = NULL;
	char *tmp_path = NULL;
	char *dir = NULL;
	int rc = 0;

	if (tmp == NULL) {
		return -ENOMEM;
	}
	text = render(tmp, db);
	if (text == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	rc = write_tmp(tmp, path, text, &tmp_path);
	if (rc != 0) {
		goto done;
	}
	if (rename(tmp_path, path) != 0) {
		rc = -errno;
		unlink(tmp_path);
		goto done;
	}
	dir = dir_of(tmp, path);
	rc = dir != NULL ? fsync_dir(dir) : -ENOMEM;

done:
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
	}
	talloc_free(tmp);
	return rc;
}

static bool ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

bool users_changed(const char *path, struct users_db *db)
{
	struct stat st = {};

	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			return db->existed;
		}
		return true;
	}
	if (!db->existed) {
		return true;
	}
	return st.st_dev != db->dev || st.st_ino != db->ino ||
	       st.st_size != db->size || !ts_eq(&st.st_mtim, &db->mtime) ||
	       !ts_eq(&st.st_ctim, &db->ctime);
}
