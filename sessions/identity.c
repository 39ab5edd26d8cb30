/*
 * identity.c - the machine SID file and users' SIDs (identity.h).
 */
#include "sessions/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sessions/users.h"

#define SID_FILE_MAX	512	/* bytes; the real one is under 80 */

/* S-1-5-21 and three sub-authorities: a machine (domain) SID. */
static bool is_machine_sid(const struct dom_sid *s)
{
	return s->authority == 5 && s->num_auths == 4 &&
	       s->sub_auths[0] == 21;
}

/* The next line of text[*off..len) without its line end, or NULL. */
static const char *next_line(const char *text, size_t len, size_t *off,
			     size_t *llen)
{
	const char *line = text + *off;
	const char *nl = NULL;
	size_t n = 0;

	if (*off >= len) {
		return NULL;
	}
	nl = memchr(line, '\n', len - *off);
	n = nl != NULL ? (size_t)(nl - line) : len - *off;
	*off += n + (nl != NULL ? 1 : 0);
	if (n > 0 && line[n - 1] == '\r') {
		n--;
	}
	*llen = n;
	return line;
}

int identity_sid_parse(const char *text, size_t len, struct dom_sid *sid,
		       const char **why)
{
	char buf[SID_STR_MAX];
	const char *line = NULL;
	size_t off = 0, llen = 0;

	line = next_line(text, len, &off, &llen);
	if (line == NULL || llen != strlen(IDENTITY_SID_HEADER) ||
	    memcmp(line, IDENTITY_SID_HEADER, llen) != 0) {
		*why = "missing header \"" IDENTITY_SID_HEADER "\"";
		return -EINVAL;
	}
	line = next_line(text, len, &off, &llen);
	if (line == NULL || llen >= sizeof(buf) ||
	    memchr(line, '\0', llen) != NULL) {
		*why = "not a machine SID (S-1-5-21-x-y-z)";
		return -EINVAL;
	}
	memcpy(buf, line, llen);
	buf[llen] = '\0';
	if (sid_parse(buf, sid) != 0 || !is_machine_sid(sid)) {
		*why = "not a machine SID (S-1-5-21-x-y-z)";
		return -EINVAL;
	}
	if (off < len) {
		*why = "text after the SID";
		return -EINVAL;
	}
	return 0;
}

char *identity_sid_render(TALLOC_CTX *mem, const struct dom_sid *sid)
{
	char buf[SID_STR_MAX];

	return talloc_asprintf(mem, IDENTITY_SID_HEADER "\n%s\n",
			       sid_format_buf(sid, buf));
}

int identity_sid_generate(struct dom_sid *sid)
{
	uint32_t r[3] = { 0 };
	size_t got = 0;

	/* zero sub-authorities are legal but look like a placeholder */
	while (got < sizeof(r) || r[0] == 0 || r[1] == 0 || r[2] == 0) {
		ssize_t n = 0;

		if (got == sizeof(r)) {
			got = 0;
		}
		n = getrandom((uint8_t *)r + got, sizeof(r) - got, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		got += (size_t)n;
	}
	*sid = (struct dom_sid) {
		.num_auths = 4,
		.authority = 5,
		.sub_auths = { 21, r[0], r[1], r[2] },
	};
	return 0;
}

int identity_user_sid(const struct dom_sid *machine, uint32_t rid,
		      struct dom_sid *out)
{
	if (!is_machine_sid(machine)) {
		return -EINVAL;
	}
	return sid_compose(out, machine, rid) == 0 ? 0 : -EINVAL;
}

int identity_sid_rid(const struct dom_sid *machine, const struct dom_sid *sid,
		     uint32_t *rid)
{
	return sid_in_domain(sid, machine, rid) ? 0 : -ENOENT;
}

/* Read and check an existing file. -ENOENT if there is none. */
static int read_sid_file(TALLOC_CTX *mem, const char *path,
			 struct dom_sid *sid, char **err)
{
	char buf[SID_FILE_MAX + 1];
	const char *why = NULL;
	struct stat st = {};
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	int rc = 0;

	if (fd < 0) {
		rc = -errno;
		if (rc != -ENOENT) {
			*err = talloc_asprintf(mem, "%s: cannot open: %s",
					       path, strerror(-rc));
		}
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		*err = talloc_asprintf(mem, "%s: not a regular file that only "
				       "its owner may write", path);
		close(fd);
		return -EPERM;
	}
	while (len <= SID_FILE_MAX) {
		ssize_t n = read(fd, buf + len, SID_FILE_MAX + 1 - len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			rc = -errno;
			*err = talloc_asprintf(mem, "%s: cannot read: %s",
					       path, strerror(-rc));
			close(fd);
			return rc;
		}
		if (n == 0) {
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len > SID_FILE_MAX) {
		*err = talloc_asprintf(mem, "%s: larger than %u bytes", path,
				       SID_FILE_MAX);
		return -EFBIG;
	}
	if (identity_sid_parse(buf, len, sid, &why) != 0) {
		*err = talloc_asprintf(mem, "%s: %s", path, why);
		return -EINVAL;
	}
	return 0;
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

/* Write a new SID to a temporary file and link it into place. -EEXIST if
 * another process made the file first. */
static int create_sid_file(TALLOC_CTX *mem, const char *dir,
			   const char *path, const struct dom_sid *sid)
{
	char *tmp = talloc_asprintf(mem, "%s/.%s.XXXXXX", dir,
				    IDENTITY_SID_FILE);
	char *text = identity_sid_render(mem, sid);
	int fd = -1;
	int rc = 0;

	if (tmp == NULL || text == NULL) {
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	if (fchmod(fd, 0644) != 0) {
		rc = -errno;
	}
	if (rc == 0) {
		rc = write_all(fd, text, strlen(text));
	}
	if (rc == 0 && fsync(fd) != 0) {
		rc = -errno;
	}
	if (close(fd) != 0 && rc == 0) {
		rc = -errno;
	}
	/* link() never replaces: the first writer wins */
	if (rc == 0 && link(tmp, path) != 0) {
		rc = -errno;
	}
	unlink(tmp);
	if (rc == 0) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0 || fsync(dfd) != 0) {
			rc = -errno;
		}
		if (dfd >= 0) {
			close(dfd);
		}
	}
	return rc;
}

int identity_machine_sid(TALLOC_CTX *mem, const char *state_dir,
			 struct dom_sid *sid, char **err)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *path = NULL;
	struct dom_sid fresh;
	int rc = 0;

	*err = NULL;
	if (tmp == NULL) {
		return -ENOMEM;
	}
	path = talloc_asprintf(tmp, "%s/%s", state_dir, IDENTITY_SID_FILE);
	if (path == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	rc = read_sid_file(mem, path, sid, err);
	if (rc != -ENOENT) {
		goto done;
	}
	rc = identity_sid_generate(&fresh);
	if (rc != 0) {
		*err = talloc_asprintf(mem, "cannot make a machine SID: %s",
				       strerror(-rc));
		goto done;
	}
	rc = create_sid_file(tmp, state_dir, path, &fresh);
	if (rc == -EEXIST) {
		rc = read_sid_file(mem, path, sid, err);
		goto done;
	}
	if (rc != 0) {
		*err = talloc_asprintf(mem, "%s: cannot create: %s", path,
				       strerror(-rc));
		goto done;
	}
	*sid = fresh;

done:
	talloc_free(tmp);
	return rc;
}

void identity_sid_name(const struct users_db *db,
		       const struct dom_sid *machine, const char *host,
		       const struct dom_sid *sid, struct identity_name *out)
{
	const struct sid_wk *wk = sid_wk_by_sid(sid);
	uint32_t rid = 0;

	*out = (struct identity_name){ .use = SID_NAME_UNKNOWN };
	if (wk != NULL) {
		out->use = wk->use;
		out->domain = wk->domain;
		out->domain_sid = wk->sid;
		if (wk->use == SID_NAME_DOMAIN) {
			out->name = wk->domain;
		} else {
			out->name = wk->name;
			if (out->domain_sid.num_auths > 0) {
				out->domain_sid.num_auths--;
			}
		}
		return;
	}
	if (machine == NULL || host == NULL) {
		return;
	}
	if (sid_equal(sid, machine)) {
		out->use = SID_NAME_DOMAIN;
		out->domain = host;
		out->domain_sid = *machine;
		out->name = host;
		return;
	}
	if (!sid_in_domain(sid, machine, &rid)) {
		return;
	}
	out->domain = host;
	out->domain_sid = *machine;
	out->name = db != NULL ? users_name_by_rid(db, rid) : NULL;
	if (out->name != NULL) {
		out->use = SID_NAME_USER;
	} else if (db != NULL && users_group_index(db, rid) >= 0) {
		/* a local group: an alias of the machine's domain */
		out->name = users_group_name_at(db,
				(size_t)users_group_index(db, rid));
		out->use = SID_NAME_ALIAS;
	} else if (rid == IDENTITY_RID_NONE) {
		/* every user's primary group, as on a Windows workstation */
		out->name = "None";
		out->use = SID_NAME_DOM_GRP;
	} else if (rid == IDENTITY_RID_GUEST) {
		out->name = "Guest";	/* what guest sessions are */
		out->use = SID_NAME_USER;
	}
}

char *identity_sid_display(TALLOC_CTX *mem, const struct users_db *db,
			   const struct dom_sid *machine, const char *host,
			   const struct dom_sid *sid)
{
	struct identity_name n;

	identity_sid_name(db, machine, host, sid, &n);
	if (n.use == SID_NAME_UNKNOWN || n.name == NULL) {
		return sid_format(mem, sid);
	}
	if (n.use == SID_NAME_DOMAIN || n.domain == NULL ||
	    n.domain[0] == '\0') {
		return talloc_strdup(mem, n.name);
	}
	return talloc_asprintf(mem, "%s\\%s", n.domain, n.name);
}
