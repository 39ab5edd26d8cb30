/*
 * vfs.c - share filesystem access that cannot leave the share root
 * (see vfs.h).
 *
 * Every path lookup goes through openat2(2) with RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS relative to the tree's root fd: "..", absolute
 * symlinks and symlinks that climb out of the root fail with EXDEV, and
 * /proc magic links with ELOOP. Case-insensitive lookup reads the
 * directory only when the exact name does not exist.
 *
 * Nothing here logs or uses tevent: it is plain blocking code, usable on
 * the loop or from a worker thread.
 */
#include "smbd/fs/vfs.h"
#include "smbd/fs/shortname.h"
#include "smbd/base/errmap.h"
#include "proto/utf16.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VFS_NAME_MAX	255	/* bytes in one on-disk component */

/* ---- names ---- */

/*
 * The one UTF-8 decoder and case mapping live in proto/utf16.h. An ASCII
 * prefix, most names whole, is compared here first with the same keys
 * (unicode_upper of an ASCII character is its ASCII upper case): a
 * CREATE of a new name compares it with every entry of the directory.
 */
int vfs_name_casecmp(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	while (*pa != '\0' && *pa < 0x80 && *pb != '\0' && *pb < 0x80) {
		unsigned int ka = *pa >= 'a' && *pa <= 'z' ? *pa - 0x20u : *pa;
		unsigned int kb = *pb >= 'a' && *pb <= 'z' ? *pb - 0x20u : *pb;

		if (ka != kb) {
			return ka < kb ? -1 : 1;
		}
		pa++;
		pb++;
	}
	return utf8_casecmp((const char *)pa, (const char *)pb);
}

/* ---- errno mapping ---- */

NTSTATUS vfs_map_errno(int err)
{
	return smbd_map_errno(err < 0 ? -err : err);
}

/* ---- client path to rel path ---- */

static bool is_wildcard(unsigned char c)
{
	return c == '*' || c == '?' || c == '<' || c == '>' || c == '"';
}

NTSTATUS vfs_canonicalize(TALLOC_CTX *mem, const char *client_path,
			  bool allow_wildcards, char **rel)
{
	const unsigned char *p = (const unsigned char *)client_path;
	size_t len = strlen(client_path);
	char *out = NULL;
	size_t o = 0;
	size_t comp = 0;	/* start of the current component in out */

	*rel = NULL;
	out = talloc_array(mem, char, len + 1);
	if (out == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (;; p++) {
		unsigned char c = *p;

		if (c == '\\' || c == '/' || c == '\0') {
			size_t clen = o - comp;

			if (clen == 1 && out[comp] == '.') {
				goto invalid;
			}
			if (clen == 2 && out[comp] == '.' &&
			    out[comp + 1] == '.') {
				/* "dir\.." is dir's parent; nothing above
				 * the share root: a path that climbs out is
				 * malformed as a whole (as Windows answers
				 * mkdir "..\..\.."), not a bad name */
				if (comp == 0) {
					talloc_free(out);
					return NT_STATUS_OBJECT_PATH_SYNTAX_BAD;
				}
				o = comp - 1;	/* drop "/.." */
				while (o > 0 && out[o - 1] != '/') {
					o--;	/* and the component */
				}
				comp = o;
				if (c == '\0') {
					break;
				}
				continue;
			}
			if (clen > VFS_NAME_MAX) {
				goto invalid;
			}
			if (clen > 0 && c != '\0') {
				out[o++] = '/';
				comp = o;
			}
			if (c == '\0') {
				break;
			}
			continue;
		}
		if (c < 0x20 || c == '|' || c == ':') {
			goto invalid;
		}
		if (is_wildcard(c) && !allow_wildcards) {
			goto invalid;
		}
		out[o++] = (char)c;
	}
	/* a trailing separator left a '/' at the end */
	if (o > 0 && out[o - 1] == '/') {
		o--;
	}
	out[o] = '\0';
	*rel = out;
	return NT_STATUS_OK;

invalid:
	talloc_free(out);
	return NT_STATUS_OBJECT_NAME_INVALID;
}

/* ---- opens beneath the root ---- */

int vfs_open_beneath(int root_fd, const char *ondisk, int flags, mode_t mode)
{
	struct open_how how = {};
	const char *path = ondisk[0] == '\0' ? "." : ondisk;
	long fd = -1;
	int tries = 0;

	how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
	if (flags & (O_CREAT | __O_TMPFILE)) {
		how.mode = mode;
	}
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	for (;;) {
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0) {
			return (int)fd;
		}
		/* EAGAIN: a concurrent rename raced the lookup; retry */
		if ((errno == EAGAIN || errno == EINTR) && ++tries < 16) {
			continue;
		}
		return -errno;
	}
}

int vfs_open_parent(int root_fd, const char *ondisk, const char **leaf)
{
	const char *slash = strrchr(ondisk, '/');
	char *parent = NULL;
	int fd = -1;

	*leaf = NULL;
	if (ondisk[0] == '\0') {
		return -EINVAL;
	}
	if (slash == NULL) {
		fd = vfs_open_beneath(root_fd, "", O_PATH | O_DIRECTORY, 0);
		if (fd >= 0) {
			*leaf = ondisk;
		}
		return fd;
	}
	if (slash[1] == '\0') {
		return -EINVAL;
	}
	parent = strndup(ondisk, (size_t)(slash - ondisk));
	if (parent == NULL) {
		return -ENOMEM;
	}
	fd = vfs_open_beneath(root_fd, parent, O_PATH | O_DIRECTORY, 0);
	free(parent);
	if (fd >= 0) {
		*leaf = slash + 1;
	}
	return fd;
}

/* ---- case-insensitive resolution ---- */

/*
 * Could want be a short name the server generated (shortname.h): an 8.3
 * name with a '~'? Only then are the entries' short names computed.
 */
static bool maybe_short(const char *want)
{
	return strchr(want, '~') != NULL && smbd_is_8dot3(want);
}

/* Is want the short name of entry name (a long name, not 8.3)? Names
 * with ':' (the streams store) have none a client may use. */
static bool short_matches(const char *name, const char *want)
{
	char sn[SMBD_SHORT_NAME_MAX + 1];

	if (strchr(name, ':') != NULL || smbd_is_8dot3(name)) {
		return false;
	}
	(void)smbd_short_name(name, sn);
	return strcasecmp(sn, want) == 0;
}

/*
 * Look for a name in directory dir (an on-disk rel path) that matches
 * want case-insensitively but is not want itself, or else, as Windows
 * opens a file by its 8.3 name, whose short name is want. One pass over
 * the directory, whichever it is. Returns a talloc string under mem,
 * NULL if none (or on error).
 */
static char *find_case(TALLOC_CTX *mem, int root_fd, const char *dir,
		       const char *want)
{
	/* not in the streams store (its path has ':', no client's can):
	 * stream names have no short form */
	bool shortname = maybe_short(want) && strchr(dir, ':') == NULL;
	struct dirent *de = NULL;
	char *found = NULL;
	char *alias = NULL;
	DIR *d = NULL;
	int fd = -1;

	fd = vfs_open_beneath(root_fd, dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0) {
		return NULL;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, want) == 0) {
			continue;
		}
		if (vfs_name_casecmp(de->d_name, want) == 0) {
			found = talloc_strdup(mem, de->d_name);
			break;
		}
		if (shortname && alias == NULL &&
		    short_matches(de->d_name, want)) {
			alias = talloc_strdup(mem, de->d_name);
		}
	}
	closedir(d);
	/* a long name that is want in another case wins over a short one */
	if (found != NULL) {
		talloc_free(alias);
		return found;
	}
	return alias;
}

static char *path_join(TALLOC_CTX *mem, const char *dir, const char *name)
{
	if (dir[0] == '\0') {
		return talloc_strdup(mem, name);
	}
	return talloc_asprintf(mem, "%s/%s", dir, name);
}

/* Try to open cand as a lookup step; 0 if it exists (as a dir if
 * want_dir), else -errno. */
static int probe(int root_fd, const char *cand, bool want_dir)
{
	int flags = O_PATH | (want_dir ? O_DIRECTORY : 0);
	int fd = vfs_open_beneath(root_fd, cand, flags, 0);

	if (fd < 0) {
		return fd;
	}
	close(fd);
	return 0;
}

/*
 * Component by component, trying other cases where the exact one fails.
 * missing: -errno of opening rel as written if the caller just did
 * (-ENOENT or -ENOTDIR), else 0: while every parent is found as written,
 * the last component's own open would repeat the caller's, so it is not
 * done again.
 */
static NTSTATUS resolve_walk(TALLOC_CTX *mem, int root_fd, const char *rel,
			     int missing, char **ondisk)
{
	bool exact = true;	/* prefix is rel's own so far */
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *prefix = talloc_strdup(tmp, "");
	char *copy = talloc_strdup(tmp, rel);
	char *save = NULL;
	char *c = NULL;
	char *next = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (tmp == NULL || prefix == NULL || copy == NULL) {
		talloc_free(tmp);
		return NT_STATUS_NO_MEMORY;
	}
	c = strtok_r(copy, "/", &save);
	while (c != NULL) {
		bool last = false;
		char *cand = NULL;
		char *alt = NULL;
		int rc = 0;

		next = strtok_r(NULL, "/", &save);
		last = next == NULL;
		cand = path_join(tmp, prefix, c);
		if (cand == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto done;
		}
		if (last && exact && missing != 0) {
			rc = missing;
		} else {
			rc = probe(root_fd, cand, !last);
		}
		if (rc == -ENOENT || rc == -ENOTDIR) {
			alt = find_case(tmp, root_fd, prefix, c);
			if (alt != NULL) {
				char *acand = path_join(tmp, prefix, alt);

				if (acand == NULL) {
					status = NT_STATUS_NO_MEMORY;
					goto done;
				}
				rc = probe(root_fd, acand, !last);
				if (rc == 0) {
					cand = acand;
					exact = false;
				}
			}
		}
		if (rc == -ENOENT || rc == -ENOTDIR) {
			if (last && rc == -ENOENT) {
				/* parent found: ready for creation */
				*ondisk = talloc_steal(mem, cand);
				status = NT_STATUS_OBJECT_NAME_NOT_FOUND;
			} else {
				status = NT_STATUS_OBJECT_PATH_NOT_FOUND;
			}
			goto done;
		}
		if (rc < 0) {
			status = smbd_map_errno(-rc);
			goto done;
		}
		prefix = cand;
		c = next;
	}
	*ondisk = talloc_steal(mem, prefix);
done:
	talloc_free(tmp);
	return status;
}

NTSTATUS vfs_resolve(TALLOC_CTX *mem, int root_fd, const char *rel,
		     char **ondisk)
{
	int rc = 0;

	*ondisk = NULL;
	/* Fast path: the name exists exactly as given. */
	rc = probe(root_fd, rel, false);
	if (rc == 0) {
		*ondisk = talloc_strdup(mem, rel);
		return *ondisk == NULL ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
	}
	if (rc != -ENOENT && rc != -ENOTDIR) {
		return smbd_map_errno(-rc);
	}
	/* the open just failed: the walk does not repeat it */
	return resolve_walk(mem, root_fd, rel, rc, ondisk);
}

NTSTATUS vfs_resolve_missing(TALLOC_CTX *mem, int root_fd, const char *rel,
			     int missing, char **ondisk)
{
	*ondisk = NULL;
	if (missing != -ENOENT && missing != -ENOTDIR) {
		return vfs_resolve(mem, root_fd, rel, ondisk);
	}
	return resolve_walk(mem, root_fd, rel, missing, ondisk);
}

/* ---- wildcards ---- */

/*
 * Decode and fold a UTF-8 string into a malloc'ed array of comparison keys
 * (utf8_casekey_next(): upper-cased code points, UTF8_KEY_BAD + byte for a
 * malformed byte, which matches '?' like any character).
 */
static uint32_t *decode_folded(const char *s, size_t *n)
{
	size_t len = strlen(s);
	uint32_t *out = malloc((len + 1) * sizeof(*out));
	size_t i = 0;

	if (out == NULL) {
		return NULL;
	}
	while (*s != '\0') {
		out[i++] = utf8_casekey_next(&s);
	}
	*n = i;
	return out;
}

/*
 * Windows name matching [MS-FSA 2.1.4.4]: '*' any run, '?' one
 * character, '>' (DOS_QM) one character, or nothing at a '.' or the end
 * (so a run of them stops there), '<' (DOS_STAR) any run that does not
 * take the name's last '.', '"' (DOS_DOT) a '.', or nothing at the end.
 *
 * Dynamic programming from the end: row i says which name suffixes
 * pattern[i..] matches; only two rows are kept. Every cell costs O(1)
 * ('<' and '*' keep a running OR), so a match is O(pattern x name).
 */
static bool match_cp(const uint32_t *pat, size_t np, const uint32_t *name,
		     size_t nn, bool *next, bool *cur)
{
	size_t lastdot = SIZE_MAX;
	size_t i = 0;
	size_t j = 0;

	for (j = 0; j < nn; j++) {
		if (name[j] == '.') {
			lastdot = j;
		}
	}
	/* row np: the empty pattern matches only the empty suffix */
	for (j = 0; j <= nn; j++) {
		next[j] = j == nn;
	}
	for (i = np; i-- > 0;) {
		uint32_t p = pat[i];
		bool run = false;	/* '<': OR of next[j..stop] */

		cur[nn] = false;
		for (j = nn + 1; j-- > 0;) {
			bool at_end = j == nn;
			bool m = false;

			switch (p) {
			case '*':
				m = next[j] || (!at_end && cur[j + 1]);
				break;
			case '?':
				m = !at_end && next[j + 1];
				break;
			case '>':
				if (at_end || name[j] == '.') {
					m = next[j];
				} else {
					m = next[j + 1];
				}
				break;
			case '"':
				if (at_end) {
					m = next[j];
				} else {
					m = name[j] == '.' && next[j + 1];
				}
				break;
			case '<':
				/* it may stop at, but not take, the last '.' */
				if (j == lastdot) {
					run = false;
				}
				run = run || next[j];
				m = run;
				break;
			default:
				m = !at_end && name[j] == p && next[j + 1];
				break;
			}
			cur[j] = m;
		}
		memcpy(next, cur, (nn + 1) * sizeof(*next));
	}
	return next[0];
}

bool vfs_wildcard_match(const char *pattern, const char *name)
{
	uint32_t *pat = NULL;
	uint32_t *nm = NULL;
	bool *rows = NULL;
	size_t np = 0;
	size_t nn = 0;
	bool ok = false;

	/* MS-FSA 2.1.4.4 part 1 */
	if (name[0] == '\0' || pattern[0] == '\0') {
		return name[0] == '\0' && pattern[0] == '\0';
	}
	if (strcmp(pattern, "*") == 0 || strcmp(pattern, "*.*") == 0) {
		return true;
	}
	pat = decode_folded(pattern, &np);
	nm = decode_folded(name, &nn);
	rows = calloc(2 * (nn + 1), sizeof(*rows));
	if (pat != NULL && nm != NULL && rows != NULL) {
		ok = match_cp(pat, np, nm, nn, rows, rows + nn + 1);
	}
	free(rows);
	free(nm);
	free(pat);
	return ok;
}
