/*
 * acl.c - security descriptors of files and directories, kept in an
 * extended attribute, and the access checks of CREATE, QUERY_INFO and
 * SET_INFO built on proto/seaccess.h. See acl.h for the format and the
 * defaults.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "smbd/fs/acl.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/smbd.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/open.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/watch.h"
#include "sessions/identity.h"
#include "sessions/users.h"

/* The root default, as SDDL (see acl.h). */
#define ACL_ROOT_DEFAULT_SDDL	"O:BAG:BUD:AI(A;OICI;FA;;;WD)"
/* Windows' "None" group of a workgroup machine: machine SID + 513 */
#define ACL_RID_NONE		IDENTITY_RID_NONE
/* the built-in Guest account's RID, for guests not in the users file */
#define ACL_RID_GUEST		IDENTITY_RID_GUEST

/* ---- the stored format ---- */

int smbd_acl_blob_pack(TALLOC_CTX *mem, const struct sec_desc *sd,
		       uint8_t **buf, size_t *len)
{
	struct wire_wr w;
	int rc = 0;

	wire_wr_init(&w, mem, SMBD_ACL_BLOB_MAX);
	wire_put_u8(&w, SMBD_ACL_BLOB_VERSION);
	rc = sd_push(&w, sd, SMBD_ACL_ALL_PARTS);
	if (rc == 0) {
		rc = wire_wr_error(&w);
	}
	if (rc != 0) {
		talloc_free(w.buf);
		return rc;
	}
	*buf = w.buf;
	*len = w.len;
	return 0;
}

int smbd_acl_blob_unpack(TALLOC_CTX *mem, const uint8_t *buf, size_t len,
			 struct sec_desc **sd)
{
	if (len < 1) {
		return WIRE_E_SHORT;
	}
	if (buf[0] != SMBD_ACL_BLOB_VERSION) {
		return WIRE_E_UNSUPPORTED;
	}
	return sd_pull(mem, buf + 1, len - 1, sd);
}

/*
 * The root default in our stored form, made once: every CREATE in a
 * share whose root has no descriptor of its own starts from it, and
 * unpacking the blob costs less than parsing the SDDL again. Never freed.
 */
static pthread_once_t acl_root_once = PTHREAD_ONCE_INIT;
static uint8_t *acl_root_blob;
static size_t acl_root_len;
/* the same, parsed: read-only, shared by every loop (a talloc tree of
 * its own, never freed) */
static const struct sec_desc *acl_root_sd;

static void acl_root_default_init(void)
{
	struct sec_desc *sd = NULL;
	uint8_t *blob = NULL;
	size_t len = 0;

	if (sd_from_sddl(NULL, ACL_ROOT_DEFAULT_SDDL, &sd, NULL) != 0) {
		return;
	}
	/* malloc'd, not talloc'd: not a leak of any talloc context */
	if (smbd_acl_blob_pack(NULL, sd, &blob, &len) == 0 &&
	    (acl_root_blob = malloc(len)) != NULL) {
		memcpy(acl_root_blob, blob, len);
		acl_root_len = len;
	}
	talloc_free(blob);
	acl_root_sd = sd;
}

/* The root default, read-only (not to be freed or changed), or NULL on
 * ENOMEM at the first call. */
static const struct sec_desc *acl_root_shared(void)
{
	pthread_once(&acl_root_once, acl_root_default_init);
	return acl_root_sd;
}

struct sec_desc *smbd_acl_root_default(TALLOC_CTX *mem)
{
	struct sec_desc *sd = NULL;

	pthread_once(&acl_root_once, acl_root_default_init);
	if (acl_root_blob != NULL &&
	    smbd_acl_blob_unpack(mem, acl_root_blob, acl_root_len, &sd) == 0) {
		return sd;
	}
	if (sd_from_sddl(mem, ACL_ROOT_DEFAULT_SDDL, &sd, NULL) != 0) {
		return NULL;
	}
	return sd;
}

/* ---- tokens ---- */

static bool acl_is_admin(const struct wg_config *cfg, const char *user)
{
	const char *p = cfg->admin_users;
	size_t ulen = user != NULL ? strlen(user) : 0;

	if (p == NULL || ulen == 0) {
		return false;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, " ,");

		if (n == ulen && strncasecmp(p, user, n) == 0) {
			return true;
		}
		p += n;
		p += strspn(p, " ,");
	}
	return false;
}

/*
 * A token is one allocation: the se_token, its primary group and its SIDs
 * (at most the user, Everyone, Authenticated Users, Users, the group
 * None, the local groups and Administrators), since every session holds
 * one for its life (about 600 bytes rather than 1.1 KiB in four pieces).
 */
struct acl_token_mem {
	struct se_token t;
	struct dom_sid group;
	struct dom_sid sids[];
};

#define ACL_TOKEN_FIXED_SIDS	6u

struct se_token *smbd_acl_token(TALLOC_CTX *mem,
				const struct smbd_server *srv,
				const char *user, bool guest, bool anonymous)
{
	const struct dom_sid *machine = &srv->machine_sid;
	struct acl_token_mem *tm = NULL;
	struct se_token *t = NULL;
	struct dom_sid *sids = NULL;
	struct dom_sid *group = NULL;
	uint32_t *groups = NULL;
	size_t n_groups = 0;
	uint32_t rid = 0;
	size_t n = 0;

	/* the local groups the user is in (none for guest and null) */
	if (!anonymous && !guest && srv->users != NULL &&
	    users_rid(srv->users, user, &rid) == 0) {
		n_groups = users_groups_of(srv->users, rid, NULL, 0);
		groups = talloc_array(NULL, uint32_t, n_groups + 1);
		if (groups == NULL) {
			return NULL;
		}
		n_groups = users_groups_of(srv->users, rid, groups, n_groups);
	}
	tm = talloc_zero_size(mem, sizeof(*tm) + sizeof(struct dom_sid) *
					  (ACL_TOKEN_FIXED_SIDS + n_groups));
	if (tm == NULL) {
		talloc_free(groups);
		return NULL;
	}
	talloc_set_name_const(tm, "struct se_token");
	t = &tm->t;
	sids = tm->sids;
	group = &tm->group;
	if (anonymous) {
		sids[n++] = sid_anonymous;
	} else if (srv->users != NULL &&
		   users_rid(srv->users, user, &rid) == 0 &&
		   sid_compose(&sids[n], machine, rid) == 0) {
		n++;
	} else if (guest && sid_compose(&sids[n], machine,
					ACL_RID_GUEST) == 0) {
		n++;
	} else {
		/* a user the users file no longer has: nobody in particular */
		sids[n++] = sid_anonymous;
	}
	if (anonymous && !srv->cfg->everyone_includes_anonymous) {
		/* Anonymous Logon alone: not one of Everyone, as Windows
		 * since XP/2003 unless EveryoneIncludesAnonymous is set */
	} else if (anonymous || guest) {
		sids[n++] = sid_everyone;
		sids[n++] = sid_builtin_guests;
		if (guest) {
			sids[n++] = sid_anonymous;
		}
	} else {
		sids[n++] = sid_everyone;
		sids[n++] = sid_authenticated_users;
		sids[n++] = sid_builtin_users;
		if (sid_compose(group, machine, ACL_RID_NONE) == 0) {
			sids[n++] = *group;
			t->group = group;
		}
		for (size_t i = 0; i < n_groups; i++) {
			if (sid_compose(&sids[n], machine, groups[i]) == 0) {
				n++;
			}
		}
		if (acl_is_admin(srv->cfg, user)) {
			sids[n++] = sid_builtin_admins;
			t->privileges = SE_PRIV_SECURITY |
					SE_PRIV_TAKE_OWNERSHIP |
					SE_PRIV_BACKUP | SE_PRIV_RESTORE;
		}
	}
	talloc_free(groups);
	t->sids = sids;
	t->n_sids = n;
	return t;
}

/*
 * The token the checks on tree use for sess: a null session on a guest
 * ok share acts as the guest account there (smbd_session.guest_token),
 * elsewhere as itself. NULL without a session.
 */
static const struct se_token *acl_token_of(const struct smbd_tree *tree,
					   const struct smbd_session *sess)
{
	if (sess == NULL) {
		return NULL;
	}
	if (sess->guest_token != NULL && tree != NULL &&
	    tree->share != NULL && tree->share->guest_ok) {
		return sess->guest_token;
	}
	return sess->token;
}

const struct se_token *smbd_acl_token_of(const struct smbd_tree *tree,
					 const struct smbd_session *sess)
{
	return acl_token_of(tree, sess);
}

const struct se_token *smbd_acl_token_hold(TALLOC_CTX *mem,
					   const struct se_token *t)
{
	return talloc_reference(mem, t);
}

void smbd_acl_token_drop(TALLOC_CTX *owner, const struct se_token *t)
{
	if (t != NULL) {
		/* with holders, it moves under one of them */
		(void)talloc_unlink(owner, (void *)(uintptr_t)t);
	}
}

/* ---- storage ---- */

int smbd_acl_read_fd(TALLOC_CTX *mem, int fd, struct sec_desc **sd)
{
	char path[64];
	uint8_t *buf = NULL;
	ssize_t n = 0;
	int rc = 0;

	smbd_proc_path(path, sizeof(path), fd, NULL);
	buf = talloc_size(NULL, SMBD_ACL_BLOB_MAX);
	if (buf == NULL) {
		return -ENOMEM;
	}
	n = getxattr(path, SMBD_ACL_XATTR, buf, SMBD_ACL_BLOB_MAX);
	if (n < 0) {
		rc = errno;
		talloc_free(buf);
		if (rc == ENOTSUP || rc == EOPNOTSUPP || rc == ENODATA) {
			return -ENODATA;
		}
		return rc == ERANGE ? -EINVAL : -rc;
	}
	rc = smbd_acl_blob_unpack(mem, buf, (size_t)n, sd);
	talloc_free(buf);
	if (rc == WIRE_E_NOMEM) {
		return -ENOMEM;
	}
	if (rc != 0) {
		DBG_WARN(VFS, "%s of fd %d does not parse: %s", SMBD_ACL_XATTR,
			 fd, wire_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

int smbd_acl_write_fd(int fd, const struct sec_desc *sd)
{
	char path[64];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = 0;

	if (smbd_acl_blob_pack(NULL, sd, &buf, &len) != 0) {
		return -ENOMEM;
	}
	smbd_proc_path(path, sizeof(path), fd, NULL);
	if (setxattr(path, SMBD_ACL_XATTR, buf, len, 0) != 0) {
		rc = -errno;
	}
	talloc_free(buf);
	if (rc == -EOPNOTSUPP) {
		rc = -ENOTSUP;
	}
	return rc;
}

/*
 * ---- the descriptor cache ----
 *
 * Every CREATE reads the stored descriptor of the object and of each of
 * its ancestors (smbd_acl_effective), and most of them have none. The
 * cache keeps, per object (dev, ino), what its attribute held (the
 * descriptor, parsed, or "none") with the object's st_ctime when it was
 * read. A hit costs the open and an fstat instead of a getxattr through
 * /proc/self/fd and a parse, and allocates nothing: the reader borrows
 * the cache's descriptor (acl_read_cached says for how long), read-only;
 * whoever changes a descriptor works on a copy (smbd_acl_effective and
 * smbd_acl_read_fd hand out copies of their own).
 *
 * Seeing changes: anything that changes the attribute changes ctime
 * (setxattr, removexattr, also rename and link count changes), ours and
 * other programs' (setfattr, a restore from backup) alike, so an entry
 * whose ctime no longer matches is read again. A ctime in the last two
 * seconds is not trusted (timestamps are coarse: two changes within one
 * tick share a ctime), so such objects are read every time until their
 * last change is older. A reused inode number has a new ctime. Our own
 * stores also drop the entry (smbd_acl_set) and wgnet acl /reset
 * flushes it all.
 *
 * Reading again need not mean parsing again: an entry keeps the bytes
 * it was parsed from, and when what getxattr returns now is the same
 * (a file being written, whose ctime moves on with every write, or one
 * made less than two seconds ago), the entry's descriptor is that of
 * the attribute as it is now and serves (counted as hit and verified).
 * Only an entry read when its ctime had settled is trusted without a
 * read while that ctime stays the same.
 *
 * Bounded: ACL_CACHE_SIZE entries and ACL_CACHE_BYTES of parsed
 * descriptors (talloc_total_size: ACEs, SIDs and talloc's headers; the
 * bound blobs of up to 4 KiB had before), least recently used evicted;
 * a descriptor over ACL_CACHE_SD_MAX parsed, or whose blob is over
 * ACL_CACHE_BLOB_MAX, is not kept. One per event loop (struct
 * smbd_loop), used from that loop only; the descriptors are its talloc
 * children.
 */
#define ACL_CACHE_SIZE		1024u
#define ACL_CACHE_BUCKETS	2048u	/* power of two */
#define ACL_CACHE_BLOB_MAX	4096u
#define ACL_CACHE_SD_MAX	(4u * ACL_CACHE_BLOB_MAX)
#define ACL_CACHE_BYTES	\
	((size_t)ACL_CACHE_SIZE * ACL_CACHE_BLOB_MAX)
#define ACL_CACHE_NONE		UINT32_MAX

struct acl_cache_ent {
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
	struct sec_desc *sd;	/* NULL: the object has no descriptor */
	uint8_t *blob;		/* what sd was parsed from, sd's child */
	size_t len;
	size_t size;		/* sd's bytes with blob, in the cache's */
	bool trusted;		/* read with ctime settled: vouches */
	uint32_t hnext;		/* bucket chain */
	uint32_t prev, next;	/* LRU, most recent at head */
	bool used;
};

struct smbd_acl_cache {
	struct acl_cache_ent ent[ACL_CACHE_SIZE];
	uint32_t bucket[ACL_CACHE_BUCKETS];
	uint32_t head, tail;	/* LRU */
	uint32_t n;
	size_t bytes;		/* of the entries' descriptors */
	struct smbd_acl_cache_stats stats;
};

struct smbd_acl_cache *smbd_acl_cache_new(TALLOC_CTX *mem)
{
	struct smbd_acl_cache *c = talloc_zero(mem, struct smbd_acl_cache);

	if (c == NULL) {
		return NULL;
	}
	for (uint32_t i = 0; i < ACL_CACHE_BUCKETS; i++) {
		c->bucket[i] = ACL_CACHE_NONE;
	}
	c->head = c->tail = ACL_CACHE_NONE;
	return c;
}

static uint32_t acl_cache_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev;

	return (uint32_t)(h >> 32) & (ACL_CACHE_BUCKETS - 1);
}

static uint32_t acl_cache_find(const struct smbd_acl_cache *c, dev_t dev,
			       ino_t ino)
{
	uint32_t i = c->bucket[acl_cache_hash(dev, ino)];

	while (i != ACL_CACHE_NONE) {
		const struct acl_cache_ent *e = &c->ent[i];

		if (e->dev == dev && e->ino == ino) {
			return i;
		}
		i = e->hnext;
	}
	return ACL_CACHE_NONE;
}

static void acl_lru_unlink(struct smbd_acl_cache *c, uint32_t i)
{
	struct acl_cache_ent *e = &c->ent[i];

	if (e->prev != ACL_CACHE_NONE) {
		c->ent[e->prev].next = e->next;
	} else {
		c->head = e->next;
	}
	if (e->next != ACL_CACHE_NONE) {
		c->ent[e->next].prev = e->prev;
	} else {
		c->tail = e->prev;
	}
}

static void acl_lru_push(struct smbd_acl_cache *c, uint32_t i)
{
	struct acl_cache_ent *e = &c->ent[i];

	e->prev = ACL_CACHE_NONE;
	e->next = c->head;
	if (c->head != ACL_CACHE_NONE) {
		c->ent[c->head].prev = i;
	}
	c->head = i;
	if (c->tail == ACL_CACHE_NONE) {
		c->tail = i;
	}
}

/* Take entry i out of the cache (its slot becomes free). */
static void acl_cache_drop(struct smbd_acl_cache *c, uint32_t i)
{
	struct acl_cache_ent *e = &c->ent[i];
	uint32_t *pp = &c->bucket[acl_cache_hash(e->dev, e->ino)];

	while (*pp != i) {
		pp = &c->ent[*pp].hnext;
	}
	*pp = e->hnext;
	acl_lru_unlink(c, i);
	TALLOC_FREE(e->sd);
	e->blob = NULL;
	c->bytes -= e->size;
	e->size = 0;
	e->used = false;
	c->n--;
}

static void acl_cache_forget(struct smbd_acl_cache *c, dev_t dev, ino_t ino)
{
	uint32_t i = 0;

	if (c == NULL) {
		return;
	}
	i = acl_cache_find(c, dev, ino);
	if (i != ACL_CACHE_NONE) {
		acl_cache_drop(c, i);
	}
}

void smbd_acl_cache_flush(struct smbd_acl_cache *c)
{
	while (c->head != ACL_CACHE_NONE) {
		acl_cache_drop(c, c->head);
	}
	c->stats.flushes++;
}

void smbd_acl_cache_stats(const struct smbd_acl_cache *c,
			  struct smbd_acl_cache_stats *out)
{
	*out = c->stats;
	out->entries = c->n;
	out->bytes = c->bytes;
}

/* The cache of the loop tree's connection runs on; NULL (read without
 * one) for a tree not on a connection (unit tests). */
static struct smbd_acl_cache *acl_cache_of(const struct smbd_tree *tree)
{
	const struct smbd_conn *conn = tree->sess != NULL ?
				       tree->sess->conn : NULL;

	if (conn == NULL || conn->loop == NULL) {
		return NULL;
	}
	return conn->loop->acl_cache;
}

/* Is ctime old enough that a change since would show as a new one? */
static bool acl_ctime_settled(const struct timespec *ct)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return ct->tv_sec + 2 <= now.tv_sec;
}

/*
 * Remember what st's object held (sd NULL: nothing), parsed from blob
 * (len bytes). Takes sd over (a talloc child of c from then on) and
 * returns true if it keeps it; false leaves sd to the caller.
 */
static bool acl_cache_put(struct smbd_acl_cache *c, const struct stat *st,
			  struct sec_desc *sd, const uint8_t *blob, size_t len)
{
	struct acl_cache_ent *e = NULL;
	uint8_t *copy = NULL;
	size_t size = 0;
	uint32_t i = 0, h = 0;

	if (len > ACL_CACHE_BLOB_MAX) {
		return false;
	}
	if (sd != NULL) {
		copy = talloc_memdup(sd, blob, len);
		size = copy != NULL ? talloc_total_size(sd) : SIZE_MAX;
	}
	if (size > ACL_CACHE_SD_MAX) {
		talloc_free(copy);
		return false;
	}
	i = acl_cache_find(c, st->st_dev, st->st_ino);
	if (i != ACL_CACHE_NONE) {
		acl_cache_drop(c, i);
	}
	while (c->n >= ACL_CACHE_SIZE ||
	       (c->n > 0 && c->bytes + size > ACL_CACHE_BYTES)) {
		acl_cache_drop(c, c->tail);
		c->stats.evictions++;
	}
	for (i = 0; c->ent[i].used; i++) {
		/* a free slot exists: n < ACL_CACHE_SIZE */
	}
	e = &c->ent[i];
	*e = (struct acl_cache_ent){
		.dev = st->st_dev, .ino = st->st_ino, .ctime = st->st_ctim,
		.sd = talloc_steal(c, sd), .blob = copy, .len = len,
		.size = size, .trusted = acl_ctime_settled(&st->st_ctim),
		.used = true,
	};
	c->bytes += size;
	h = acl_cache_hash(e->dev, e->ino);
	e->hnext = c->bucket[h];
	c->bucket[h] = i;
	acl_lru_push(c, i);
	c->n++;
	return true;
}

/*
 * st's object's entry, NULL if none. *trusted: its ctime vouches for it
 * (a hit, moved to the front); else the caller reads the attribute and
 * may still use the entry if that is unchanged (acl_cache_verified).
 */
static struct acl_cache_ent *acl_cache_get(struct smbd_acl_cache *c,
					   const struct stat *st,
					   bool *trusted)
{
	uint32_t i = 0;
	struct acl_cache_ent *e = NULL;

	*trusted = false;
	i = acl_cache_find(c, st->st_dev, st->st_ino);
	if (i == ACL_CACHE_NONE) {
		return NULL;
	}
	e = &c->ent[i];
	if (e->ctime.tv_sec != st->st_ctim.tv_sec ||
	    e->ctime.tv_nsec != st->st_ctim.tv_nsec) {
		c->stats.stale++;
		return e;
	}
	if (!e->trusted) {
		return e;
	}
	acl_lru_unlink(c, i);
	acl_lru_push(c, i);
	c->stats.hits++;
	*trusted = true;
	return e;
}

/* Entry e (of st's object) held what the attribute holds now: it serves,
 * as of st's ctime, moved to the front. */
static void acl_cache_verified(struct smbd_acl_cache *c,
			       struct acl_cache_ent *e, const struct stat *st)
{
	uint32_t i = (uint32_t)(e - c->ent);

	e->ctime = st->st_ctim;
	e->trusted = acl_ctime_settled(&st->st_ctim);
	acl_lru_unlink(c, i);
	acl_lru_push(c, i);
	c->stats.hits++;
	c->stats.verified++;
}

/*
 * The stored descriptor of the object of the O_PATH fd (whose stat is
 * st), through the cache; or -ENODATA / -EINVAL / -errno. Read-only:
 * *sd is the cache's (*owned false: valid until the next call on c,
 * which may drop it) or, when the cache did not keep it, a talloc child
 * of mem (*owned true).
 */
static int acl_read_cached(TALLOC_CTX *mem, struct smbd_acl_cache *c, int fd,
			   const struct stat *st, const struct sec_desc **sd,
			   bool *owned)
{
	bool trusted = false;
	struct acl_cache_ent *e = acl_cache_get(c, st, &trusted);
	struct sec_desc *got = NULL;
	char path[64];
	uint8_t small[ACL_CACHE_BLOB_MAX];
	uint8_t *big = NULL;
	const uint8_t *buf = small;
	ssize_t n = 0;
	int rc = 0;

	*owned = false;
	if (trusted) {
		if (e->sd == NULL) {
			return -ENODATA;
		}
		*sd = e->sd;
		return 0;
	}
	smbd_proc_path(path, sizeof(path), fd, NULL);
	/* on the stack when it fits what the cache keeps, as most do */
	n = getxattr(path, SMBD_ACL_XATTR, small, sizeof(small));
	if (n < 0 && errno == ERANGE) {
		big = talloc_size(NULL, SMBD_ACL_BLOB_MAX);
		if (big == NULL) {
			return -ENOMEM;
		}
		buf = big;
		n = getxattr(path, SMBD_ACL_XATTR, big, SMBD_ACL_BLOB_MAX);
	}
	if (n < 0) {
		rc = errno;
		talloc_free(big);
		if (rc == ENOTSUP || rc == EOPNOTSUPP || rc == ENODATA) {
			if (e != NULL && e->sd == NULL) {
				acl_cache_verified(c, e, st);
			} else {
				c->stats.misses++;
				(void)acl_cache_put(c, st, NULL, NULL, 0);
			}
			return -ENODATA;
		}
		return rc == ERANGE ? -EINVAL : -rc;
	}
	if (e != NULL && e->blob != NULL && e->len == (size_t)n &&
	    memcmp(e->blob, buf, (size_t)n) == 0) {
		talloc_free(big);
		acl_cache_verified(c, e, st);
		*sd = e->sd;
		return 0;
	}
	c->stats.misses++;
	rc = smbd_acl_blob_unpack(mem, buf, (size_t)n, &got);
	if (rc == 0) {
		c->stats.parses++;
		*owned = !acl_cache_put(c, st, got, buf, (size_t)n);
		*sd = got;
		talloc_free(big);
		return 0;
	}
	talloc_free(big);
	if (rc == WIRE_E_NOMEM) {
		return -ENOMEM;
	}
	if (rc != 0) {
		DBG_WARN(VFS, "%s of fd %d does not parse: %s", SMBD_ACL_XATTR,
			 fd, wire_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

/* The stored descriptor of ondisk, through cache c if not NULL, or
 * -ENODATA / -errno; *sd and *owned as acl_read_cached's. */
static int acl_read_at(TALLOC_CTX *mem, struct smbd_acl_cache *c, int root_fd,
		       const char *ondisk, const struct sec_desc **sd,
		       bool *owned)
{
	/* the root itself: root_fd is it (openat2 of "." would give the
	 * same inode again, for a syscall and a path walk) */
	bool root = ondisk[0] == '\0';
	int fd = root ? root_fd : vfs_open_beneath(root_fd, ondisk, O_PATH, 0);
	struct stat st;
	int rc = 0;

	if (fd < 0) {
		return fd;
	}
	if (c == NULL || fstat(fd, &st) != 0) {
		struct sec_desc *got = NULL;

		rc = smbd_acl_read_fd(mem, fd, &got);
		*sd = got;
		*owned = true;
	} else {
		rc = acl_read_cached(mem, c, fd, &st, sd, owned);
	}
	if (!root) {
		close(fd);
	}
	return rc;
}

/* The token of whoever put a file there without us: the parent's owner
 * and group become the object's (CREATOR OWNER maps to them). */
static void acl_legacy_token(const struct sec_desc *parent,
			     struct se_token *t)
{
	static const struct dom_sid fallback = {
		.num_auths = 2, .authority = 5, .sub_auths = { 32, 544 },
	};

	*t = (struct se_token){
		.sids = parent->owner != NULL ? parent->owner : &fallback,
		.n_sids = 1,
		.group = parent->group,
	};
}

/*
 * smbd_acl_effective for readers, where fd (if not -1) is an O_PATH fd
 * the caller holds on ondisk's object and st its stat: the object's own
 * descriptor is read through it (no openat2, fstat and close). *sd is
 * read-only: the cache's or the shared root default (valid until the
 * next call on cache), or a talloc child of mem (NULL: of none), which
 * *owned (if not NULL) tells. A hit on fd's object allocates nothing.
 */
static int acl_effective(TALLOC_CTX *mem, struct smbd_acl_cache *cache,
			 int root_fd, const char *ondisk, bool is_dir,
			 int fd, const struct stat *st,
			 const struct sec_desc **sd, bool *owned);

int smbd_acl_effective(TALLOC_CTX *mem, struct smbd_acl_cache *cache,
		       int root_fd, const char *ondisk, bool is_dir,
		       struct sec_desc **sd)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const struct sec_desc *got = NULL;
	int rc = 0;

	if (tmp == NULL) {
		return -ENOMEM;
	}
	rc = acl_effective(tmp, cache, root_fd, ondisk, is_dir, -1, NULL,
			   &got, NULL);
	if (rc == 0) {
		/* the caller's own, to change if it likes */
		*sd = sd_copy(mem, got);
		rc = *sd != NULL ? 0 : -ENOMEM;
	}
	talloc_free(tmp);
	return rc;
}

static int acl_effective(TALLOC_CTX *mem, struct smbd_acl_cache *cache,
			 int root_fd, const char *ondisk, bool is_dir,
			 int fd, const struct stat *st,
			 const struct sec_desc **sd, bool *sd_owned)
{
	TALLOC_CTX *tmp = NULL;
	const struct sec_desc *cur = NULL;
	bool owned = false;	/* cur is a talloc child of tmp (or mem) */
	bool self_none = false;	/* fd's object has none of its own */
	char *path = NULL;
	size_t have = 0;	/* length of the prefix cur belongs to */
	size_t len = strlen(ondisk);
	int rc = 0;

	/* the object's own first, through fd: most have one (stored at
	 * their CREATE), and a hit needs nothing allocated */
	if (fd >= 0 && cache != NULL) {
		rc = acl_read_cached(mem, cache, fd, st, &cur, &owned);
		if (rc == 0) {
			*sd = cur;
			if (sd_owned != NULL) {
				*sd_owned = owned;
			}
			return 0;
		}
		if (rc != -ENODATA && rc != -EINVAL) {
			return rc;
		}
		self_none = true;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return -ENOMEM;
	}
	path = talloc_strdup(tmp, ondisk);
	if (path == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* up: the nearest of ondisk and its ancestors that has one */
	have = len;
	for (;;) {
		char save = path[have];

		path[have] = '\0';
		if (have == len && self_none) {
			rc = -ENODATA;	/* read above */
		} else if (have == len && fd >= 0) {
			struct sec_desc *got = NULL;

			rc = smbd_acl_read_fd(tmp, fd, &got);
			cur = got;
			owned = true;
		} else {
			rc = acl_read_at(tmp, cache, root_fd, path, &cur,
					 &owned);
		}
		path[have] = save;
		if (rc == 0) {
			break;
		}
		if (rc != -ENODATA && rc != -EINVAL) {
			goto out;
		}
		if (have == 0) {
			cur = acl_root_shared();
			owned = false;
			if (cur == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			break;
		}
		while (have > 0 && path[have - 1] != '/') {
			have--;
		}
		if (have > 0) {
			have--;		/* the '/' */
		}
	}
	/* down: inherit one level at a time */
	while (have < len) {
		struct sec_desc *next = NULL;
		struct se_token t;
		bool last = false;

		if (path[have] == '/') {
			have++;
		}
		while (have < len && path[have] != '/') {
			have++;
		}
		last = have >= len;
		acl_legacy_token(cur, &t);
		rc = se_create_sd(tmp, cur, NULL, last ? is_dir : true, &t,
				  NULL, &se_file_mapping,
				  se_inherit_flags(cur), &next);
		if (rc != 0) {
			rc = -ENOMEM;
			goto out;
		}
		if (owned) {
			talloc_free((void *)(uintptr_t)cur);
		}
		cur = next;
		owned = true;
	}
	*sd = owned ? talloc_steal(mem, cur) : cur;
	if (sd_owned != NULL) {
		*sd_owned = owned;
	}
	rc = 0;
out:
	talloc_free(tmp);
	return rc;
}

/* ---- access checks ---- */

static bool acl_tree(const struct smbd_tree *tree)
{
	return tree != NULL && tree->root_fd >= 0 && tree->share != NULL &&
	       tree->share->type == WG_SHARE_DISK;
}

/* The parent's path of ondisk (a talloc child of mem); "" for the root's
 * children. NULL on ENOMEM. */
static char *acl_parent_path(TALLOC_CTX *mem, const char *ondisk)
{
	const char *slash = strrchr(ondisk, '/');

	if (slash == NULL) {
		return talloc_strdup(mem, "");
	}
	return talloc_strndup(mem, ondisk, (size_t)(slash - ondisk));
}

/* What the token may do by sd (MAXIMUM_ALLOWED), 0 if nothing. */
static uint32_t acl_max(const struct sec_desc *sd, const struct se_token *t,
			uint32_t flags)
{
	uint32_t granted = 0;

	if (se_access_check(sd, t, SEC_RIGHT_MAXIMUM_ALLOWED, &se_file_mapping,
			    flags, &granted) != NT_STATUS_OK) {
		return 0;
	}
	return granted;
}

/*
 * What the parent of ondisk gives on it [MS-FSA §2.1.5.1.2.1]: DELETE
 * with FILE_DELETE_CHILD, FILE_READ_ATTRIBUTES with FILE_LIST_DIRECTORY.
 * Nothing but ACL_FROM_PARENT.
 */
#define ACL_FROM_PARENT		(SEC_RIGHT_DELETE | FILE_READ_ATTRIBUTES)

static uint32_t acl_from_parent(TALLOC_CTX *mem, struct smbd_acl_cache *cache,
				int root_fd, const char *ondisk, const struct se_token *t,
				uint32_t flags)
{
	const struct sec_desc *psd = NULL;
	char *parent = acl_parent_path(mem, ondisk);
	uint32_t pmax = 0, got = 0;

	if (parent == NULL ||
	    acl_effective(mem, cache, root_fd, parent, true, -1, NULL,
			  &psd, NULL) != 0) {
		return 0;
	}
	pmax = acl_max(psd, t, flags);
	if (pmax & FILE_DELETE_CHILD) {
		got |= SEC_RIGHT_DELETE;
	}
	if (pmax & FILE_LIST_DIRECTORY) {
		got |= FILE_READ_ATTRIBUTES;
	}
	return got;
}

NTSTATUS smbd_acl_open_check(const struct smbd_tree *tree,
			     const struct se_token *t,
			     const char *ondisk, bool is_dir, uint32_t desired,
			     uint32_t options, uint32_t *max)
{
	return smbd_acl_open_check_fd(tree, t, -1, NULL, ondisk, is_dir,
				      desired, options, max);
}

NTSTATUS smbd_acl_open_check_fd(const struct smbd_tree *tree,
				const struct se_token *t, int fd,
				const struct stat *st, const char *ondisk,
				bool is_dir, uint32_t desired,
				uint32_t options, uint32_t *max)
{
	uint32_t flags = (options & FILE_OPEN_FOR_BACKUP_INTENT) ?
			 SE_CHECK_BACKUP_INTENT : 0;
	TALLOC_CTX *tmp = NULL;
	const struct sec_desc *sd = NULL;	/* read-only */
	bool owned = false;			/* sd is ours to free */
	uint32_t sd_max = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (!acl_tree(tree) || t == NULL) {
		return NT_STATUS_OK;
	}
	if ((desired & SEC_RIGHT_SYSTEM_SECURITY) &&
	    (t->privileges & SE_PRIV_SECURITY) == 0) {
		return NT_STATUS_PRIVILEGE_NOT_HELD;
	}
	/* no context of its own unless needed: a hit allocates nothing */
	if (acl_effective(NULL, acl_cache_of(tree), tree->root_fd, ondisk,
			  is_dir, st != NULL ? fd : -1, st, &sd, &owned) != 0) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	sd_max = acl_max(sd, t, flags) & ~SEC_RIGHT_SYSTEM_SECURITY;
	/* SeTakeOwnershipPrivilege counts only when asked for by name */
	if ((se_map_generic(desired, &se_file_mapping) &
	     SEC_RIGHT_WRITE_OWNER) &&
	    (t->privileges & SE_PRIV_TAKE_OWNERSHIP)) {
		sd_max |= SEC_RIGHT_WRITE_OWNER;
	}
	/* the parent can only add these: when the object's own descriptor
	 * gives both, its descriptor need not be read at all */
	if (ondisk[0] != '\0' &&
	    (sd_max & ACL_FROM_PARENT) != ACL_FROM_PARENT) {
		/* (sd, the cache's, is not used after this reads the cache) */
		tmp = talloc_new(NULL);
		if (tmp == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
		sd_max |= acl_from_parent(tmp, acl_cache_of(tree), tree->root_fd,
					  ondisk, t, flags);
	}
	*max &= sd_max;
	if (desired & SEC_RIGHT_SYSTEM_SECURITY) {
		*max |= SEC_RIGHT_SYSTEM_SECURITY;
	}
out:
	if (owned) {
		talloc_free((void *)(uintptr_t)sd);
	}
	talloc_free(tmp);
	return status;
}

/* ---- access-based enumeration ---- */

/* What a listed entry's descriptor must grant [MS-SMB2 §3.3.5.18]: read
 * data (list folder), attributes and EAs, as smb2.acls.ACCESSBASED
 * checks each of them. */
#define ACL_LIST_NEED	(FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA)

struct smbd_acl_list {
	struct smbd_acl_cache *cache;	/* its loop's (outlives it), or NULL */
	int root_fd;			/* a dup of the tree's */
	char *dir;			/* on-disk, "" for the root */
	struct se_token token;		/* a copy: the session may go */
	struct sec_desc *parent;	/* the folder's effective one */
	/* the verdict for entries without a stored descriptor, which all
	 * inherit the same one from the folder: -1 not computed yet */
	int inherited[2];		/* [is_dir] */
};

/* A copy of t in mem (its SIDs too). */
static bool acl_token_copy(TALLOC_CTX *mem, const struct se_token *t,
			   struct se_token *out)
{
	*out = *t;
	out->sids = talloc_memdup(mem, t->sids,
				  t->n_sids * sizeof(t->sids[0]));
	out->owner = t->owner != NULL ?
		     talloc_memdup(mem, t->owner, sizeof(*t->owner)) : NULL;
	out->group = t->group != NULL ?
		     talloc_memdup(mem, t->group, sizeof(*t->group)) : NULL;
	return (out->sids != NULL || t->n_sids == 0) &&
	       (out->owner != NULL) == (t->owner != NULL) &&
	       (out->group != NULL) == (t->group != NULL);
}

static int acl_list_destructor(struct smbd_acl_list *l)
{
	if (l->root_fd >= 0) {
		close(l->root_fd);
		l->root_fd = -1;
	}
	return 0;
}

NTSTATUS smbd_acl_list_new(TALLOC_CTX *mem, const struct smbd_tree *tree,
			   const struct smbd_session *sess, const char *dir,
			   struct smbd_acl_list **out)
{
	const struct se_token *t = acl_token_of(tree, sess);
	struct smbd_acl_list *l = NULL;

	*out = NULL;
	if (!acl_tree(tree) || !tree->share->access_based_enum || t == NULL) {
		return NT_STATUS_OK;
	}
	l = talloc_zero(mem, struct smbd_acl_list);
	if (l == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	l->inherited[0] = l->inherited[1] = -1;
	l->cache = acl_cache_of(tree);
	l->root_fd = fcntl(tree->root_fd, F_DUPFD_CLOEXEC, 0);
	talloc_set_destructor(l, acl_list_destructor);
	l->dir = talloc_strdup(l, dir);
	if (l->root_fd < 0 || l->dir == NULL ||
	    !acl_token_copy(l, t, &l->token) ||
	    smbd_acl_effective(l, l->cache, tree->root_fd, dir, true,
			       &l->parent) != 0) {
		talloc_free(l);
		return NT_STATUS_NO_MEMORY;
	}
	*out = l;
	return NT_STATUS_OK;
}

static bool acl_list_grants(const struct sec_desc *sd,
			    const struct se_token *t)
{
	return (acl_max(sd, t, 0) & ACL_LIST_NEED) == ACL_LIST_NEED;
}

/* The verdict for an entry of l->dir without a stored descriptor. */
static bool acl_list_inherited(struct smbd_acl_list *l, bool is_dir)
{
	TALLOC_CTX *tmp = NULL;
	struct sec_desc *sd = NULL;
	struct se_token legacy;

	if (l->inherited[is_dir] >= 0) {
		return l->inherited[is_dir] != 0;
	}
	tmp = talloc_new(NULL);
	acl_legacy_token(l->parent, &legacy);
	if (tmp == NULL ||
	    se_create_sd(tmp, l->parent, NULL, is_dir, &legacy, NULL,
			 &se_file_mapping, se_inherit_flags(l->parent),
			 &sd) != 0) {
		talloc_free(tmp);
		return false;	/* not known: hidden, and asked again */
	}
	l->inherited[is_dir] = acl_list_grants(sd, &l->token) ? 1 : 0;
	talloc_free(tmp);
	return l->inherited[is_dir] != 0;
}

bool smbd_acl_list_visible(struct smbd_acl_list *l, const char *name)
{
	TALLOC_CTX *tmp = NULL;
	const struct sec_desc *sd = NULL;
	struct sec_desc *got = NULL;
	struct stat st;
	char *path = NULL;
	bool visible = false;
	bool owned = false;
	int fd = -1;
	int rc = 0;

	if (l == NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		return true;
	}
	tmp = talloc_new(NULL);
	if (tmp != NULL) {
		path = l->dir[0] == '\0' ? talloc_strdup(tmp, name) :
		       talloc_asprintf(tmp, "%s/%s", l->dir, name);
	}
	if (path == NULL) {
		goto out;
	}
	fd = vfs_open_beneath(l->root_fd, path, O_PATH, 0);
	if (fd < 0 || fstat(fd, &st) != 0) {
		goto out;	/* gone, or a link out of the share */
	}
	if (l->cache != NULL) {
		rc = acl_read_cached(tmp, l->cache, fd, &st, &sd, &owned);
	} else {
		rc = smbd_acl_read_fd(tmp, fd, &got);
		sd = got;
	}
	if (rc == 0) {
		visible = acl_list_grants(sd, &l->token);
	} else if (rc == -ENODATA || rc == -EINVAL) {
		visible = acl_list_inherited(l, S_ISDIR(st.st_mode));
	}
out:
	if (fd >= 0) {
		close(fd);
	}
	talloc_free(tmp);
	return visible;
}

/* May the token make sid the owner of something? Its own user SID or
 * Administrators it belongs to; anything with SeRestorePrivilege. */
static bool acl_owner_ok(const struct se_token *t, const struct dom_sid *sid)
{
	if (t->privileges & SE_PRIV_RESTORE) {
		return true;
	}
	if (t->n_sids > 0 && sid_equal(&t->sids[0], sid)) {
		return true;
	}
	return sid_equal(sid, &sid_builtin_admins) &&
	       se_token_has_sid(t, sid);
}

/*
 * se_create_sd()'s flags for a new child of psd: auto-inherit by the
 * parent's ACLs (se_inherit_flags), except for an ACL the creator gives,
 * which Windows keeps as given, unmerged with the parent's
 * (smb2.create.aclfile). Such an ACL is not auto-inherited, so the new
 * descriptor does not carry its AUTO_INHERITED bit, whatever the creator
 * sent (MS-DTYP 2.5.3.4.1 sets it only when the ACL is auto-inherited;
 * raw.acls.create_file reads it back over NT_TRANSACT CREATE).
 */
static uint32_t acl_create_flags(const struct sec_desc *psd,
				 const struct sec_desc *creator)
{
	uint32_t flags = se_inherit_flags(psd);

	if (creator != NULL && (creator->control & SEC_DESC_DACL_PRESENT)) {
		flags &= ~SE_INHERIT_DACL_AUTO;
	}
	if (creator != NULL && (creator->control & SEC_DESC_SACL_PRESENT)) {
		flags &= ~SE_INHERIT_SACL_AUTO;
	}
	return flags;
}

NTSTATUS smbd_acl_create_prepare(TALLOC_CTX *mem, const struct smbd_tree *tree,
				 const struct se_token *t,
				 const char *ondisk, bool is_dir,
				 const struct wire_rd *secd, uint32_t desired,
				 uint32_t *max, struct sec_desc **sd)
{
	uint32_t need = is_dir ? FILE_ADD_SUBDIRECTORY : FILE_ADD_FILE;
	TALLOC_CTX *tmp = NULL;
	const struct sec_desc *psd = NULL;	/* read-only */
	struct sec_desc *creator = NULL;
	char *parent = NULL;
	NTSTATUS status = NT_STATUS_OK;

	*sd = NULL;
	if (!acl_tree(tree) || t == NULL) {
		return NT_STATUS_OK;
	}
	if (desired & SEC_RIGHT_SYSTEM_SECURITY) {
		if ((t->privileges & SE_PRIV_SECURITY) == 0) {
			return NT_STATUS_PRIVILEGE_NOT_HELD;
		}
		*max |= SEC_RIGHT_SYSTEM_SECURITY;
	}
	tmp = talloc_new(NULL);
	parent = tmp != NULL ? acl_parent_path(tmp, ondisk) : NULL;
	if (parent == NULL ||
	    acl_effective(tmp, acl_cache_of(tree), tree->root_fd, parent,
			  true, -1, NULL, &psd, NULL) != 0) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	if ((acl_max(psd, t, 0) & need) == 0) {
		status = NT_STATUS_ACCESS_DENIED;
		goto out;
	}
	if (secd != NULL) {
		if (sd_pull(tmp, secd->base + secd->off,
			    secd->len - secd->off, &creator) != 0) {
			status = NT_STATUS_INVALID_SECURITY_DESCR;
			goto out;
		}
		if (creator->owner != NULL &&
		    !acl_owner_ok(t, creator->owner)) {
			status = NT_STATUS_INVALID_OWNER;
			goto out;
		}
		if ((creator->control & SEC_DESC_SACL_PRESENT) &&
		    (t->privileges & SE_PRIV_SECURITY) == 0) {
			status = NT_STATUS_PRIVILEGE_NOT_HELD;
			goto out;
		}
	}
	if (se_create_sd(mem, psd, creator, is_dir, t, NULL, &se_file_mapping,
			 acl_create_flags(psd, creator), sd) != 0) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
out:
	DBG_DEBUG(VFS, "new '%s': %s", ondisk, nt_errstr(status));
	talloc_free(tmp);
	return status;
}

NTSTATUS smbd_acl_create_store(int fd, const struct sec_desc *sd,
			       bool explicit)
{
	int rc = 0;

	if (sd == NULL) {
		return NT_STATUS_OK;
	}
	/*
	 * Every new object keeps the descriptor it got, as on Windows: a
	 * later change of its folder's inheritable ACEs does not reach it
	 * (no dynamic inheritance, smb2.acls.DYNAMIC). The block it may
	 * take on ext4 is not counted in AllocationSize (fs/fileinfo.c),
	 * and the IN_ATTRIB of setting it is not reported by change
	 * notify (smbd_watch_own_attrib, called by CREATE).
	 */
	rc = smbd_acl_write_fd(fd, sd);
	if (rc == 0) {
		return NT_STATUS_OK;
	}
	if (!explicit) {
		/* shown as inherited from the parent, owner included */
		DBG_INFO(VFS, "cannot store a new object's descriptor: %s",
			 strerror(-rc));
		return NT_STATUS_OK;
	}
	return rc == -ENOTSUP ? NT_STATUS_NOT_SUPPORTED :
				smbd_map_errno(-rc);
}

/* ---- rename ---- */

NTSTATUS smbd_acl_rename_check(const struct smbd_tree *tree,
			       const struct smbd_session *sess,
			       const char *dst, bool is_dir, bool replaces,
			       bool dst_is_dir)
{
	const struct se_token *t = acl_token_of(tree, sess);
	uint32_t need = is_dir ? FILE_ADD_SUBDIRECTORY : FILE_ADD_FILE;
	TALLOC_CTX *tmp = NULL;
	const struct sec_desc *psd = NULL;	/* read-only */
	const struct sec_desc *tsd = NULL;
	char *parent = NULL;
	uint32_t pmax = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (!acl_tree(tree) || t == NULL) {
		return NT_STATUS_OK;
	}
	tmp = talloc_new(NULL);
	parent = tmp != NULL ? acl_parent_path(tmp, dst) : NULL;
	if (parent == NULL ||
	    acl_effective(tmp, acl_cache_of(tree), tree->root_fd, parent,
			  true, -1, NULL, &psd, NULL) != 0) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	pmax = acl_max(psd, t, 0);
	if ((pmax & need) == 0) {
		status = NT_STATUS_ACCESS_DENIED;
		goto out;
	}
	/* the replaced object goes: DELETE on it or DELETE_CHILD on its
	 * folder, as for a delete-on-close open of it */
	if (replaces && (pmax & FILE_DELETE_CHILD) == 0) {
		if (acl_effective(tmp, acl_cache_of(tree), tree->root_fd, dst,
				  dst_is_dir, -1, NULL, &tsd, NULL) != 0) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
		if ((acl_max(tsd, t, 0) & SEC_RIGHT_DELETE) == 0) {
			status = NT_STATUS_ACCESS_DENIED;
		}
	}
out:
	DBG_DEBUG(VFS, "rename to '%s': %s", dst, nt_errstr(status));
	talloc_free(tmp);
	return status;
}

/* ---- QUERY_INFO / SET_INFO ---- */

/* op's descriptor: stored on its fd, else inherited. */
static int acl_of_open(TALLOC_CTX *mem, const struct smbd_open *op,
		       struct sec_desc **sd)
{
	int rc = -ENODATA;

	if (!acl_tree(op->tree)) {
		*sd = smbd_acl_root_default(mem);
		return *sd != NULL ? 0 : -ENOMEM;
	}
	if (op->fd >= 0) {
		rc = smbd_acl_read_fd(mem, op->fd, sd);
	}
	if (rc == -ENODATA || rc == -EINVAL) {
		rc = smbd_acl_effective(mem, acl_cache_of(op->tree), op->tree->root_fd, op->path,
					op->is_dir, sd);
	}
	return rc;
}

NTSTATUS smbd_acl_query(const struct smbd_open *op, uint32_t secinfo,
			struct wire_wr *w)
{
	struct sec_desc *sd = NULL;
	int rc = 0;

	if ((secinfo & (SECINFO_OWNER | SECINFO_GROUP | SECINFO_DACL)) &&
	    (op->access & SEC_RIGHT_READ_CONTROL) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if ((secinfo & SECINFO_SACL) &&
	    (op->access & SEC_RIGHT_SYSTEM_SECURITY) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	rc = acl_of_open(NULL, op, &sd);
	if (rc != 0) {
		return smbd_map_errno(-rc);
	}
	rc = sd_push(w, sd, secinfo);
	talloc_free(sd);
	return rc == 0 ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

/* Replace the DACL or SACL of sd by in's (with its control bits). */
static void acl_take(struct sec_desc *sd, struct sec_desc *in, bool dacl)
{
	uint16_t bits = dacl ? SEC_DESC_DACL_BITS : SEC_DESC_SACL_BITS;

	sd->control = (uint16_t)((sd->control & ~bits) |
				 (se_set_control(in->control) & bits));
	if (dacl) {
		/* a DACL set without DACL_PRESENT is a NULL DACL (everyone
		 * anything), as Windows keeps it (smb2.create.nulldacl) */
		sd->control |= SEC_DESC_DACL_PRESENT;
		sd->dacl = talloc_steal(sd, in->dacl);
	} else {
		sd->sacl = talloc_steal(sd, in->sacl);
	}
}

/*
 * Generic rights in the ACEs that apply to the object itself are stored
 * mapped to the file rights, as Windows does; inherit-only ACEs keep
 * them for the children to map.
 */
static void acl_map_generic(struct sec_acl *acl)
{
	for (uint32_t i = 0; acl != NULL && i < acl->n; i++) {
		struct sec_ace *a = &acl->aces[i];

		if ((a->flags & SEC_ACE_FLAG_INHERIT_ONLY) == 0) {
			a->mask = se_map_generic(a->mask, &se_file_mapping);
		}
	}
}

/* The rights on the handle that setting these parts needs. */
static uint32_t acl_set_needs(uint32_t secinfo)
{
	uint32_t need = 0;

	if (secinfo & (SECINFO_OWNER | SECINFO_GROUP)) {
		need |= SEC_RIGHT_WRITE_OWNER;
	}
	if (secinfo & SECINFO_DACL) {
		need |= SEC_RIGHT_WRITE_DAC;
	}
	if (secinfo & (SECINFO_SACL | SECINFO_LABEL)) {
		need |= SEC_RIGHT_SYSTEM_SECURITY;
	}
	return need;
}

/* Merge the parts of in that secinfo names into sd. */
static NTSTATUS acl_merge(struct sec_desc *sd, struct sec_desc *in,
			  uint32_t secinfo, const struct se_token *t)
{
	if (secinfo & SECINFO_OWNER) {
		/* the owner it has already may be sent back (smbcacls does) */
		if (in->owner == NULL ||
		    (!acl_owner_ok(t, in->owner) &&
		     (sd->owner == NULL || !sid_equal(sd->owner, in->owner)))) {
			return NT_STATUS_INVALID_OWNER;
		}
		sd->owner = talloc_steal(sd, in->owner);
	}
	if ((secinfo & SECINFO_GROUP) && in->group != NULL) {
		sd->group = talloc_steal(sd, in->group);
	}
	if (secinfo & SECINFO_DACL) {
		acl_take(sd, in, true);
	}
	if (secinfo & SECINFO_SACL) {
		acl_take(sd, in, false);
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_acl_set(const struct smbd_open *op,
		      const struct smbd_session *sess, uint32_t secinfo,
		      const uint8_t *buf, size_t len)
{
	const struct se_token *t = acl_token_of(op->tree, sess);
	uint32_t need = acl_set_needs(secinfo);
	TALLOC_CTX *tmp = NULL;
	struct sec_desc *sd = NULL;
	struct sec_desc *in = NULL;
	struct stat st;
	NTSTATUS status = NT_STATUS_OK;
	int rc = 0;

	if (!acl_tree(op->tree) || op->fd < 0 || t == NULL) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	if ((op->access & need) != need) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (op->tree->read_only) {
		return NT_STATUS_ACCESS_DENIED;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	rc = sd_pull(tmp, buf, len, &in);
	if (rc != 0) {
		DBG_CLIENT(VFS, "security descriptor of %zu bytes for '%s': %s",
			   len, op->path, wire_strerror(rc));
		status = NT_STATUS_INVALID_SECURITY_DESCR;
		goto out;
	}
	/* AUTO_INHERIT_REQ only decides whether AUTO_INHERITED is kept
	 * (se_set_control); no re-inheritance from the parent on SET, as
	 * smb2.acls.INHERITFLAGS sees of Windows */
	acl_map_generic(in->dacl);
	acl_map_generic(in->sacl);
	rc = acl_of_open(tmp, op, &sd);
	if (rc != 0) {
		status = smbd_map_errno(-rc);
		goto out;
	}
	status = acl_merge(sd, in, secinfo, t);
	if (status != NT_STATUS_OK) {
		goto out;
	}
	rc = smbd_acl_write_fd(op->fd, sd);
	/* (its ctime changed too: this only spares the loop a stale hit) */
	if (fstat(op->fd, &st) == 0) {
		acl_cache_forget(acl_cache_of(op->tree), st.st_dev, st.st_ino);
	}
	if (rc != 0) {
		status = rc == -ENOTSUP ? NT_STATUS_NOT_SUPPORTED :
					  smbd_map_errno(-rc);
		DBG_CLIENT(VFS, "security of '%s' not stored: %s", op->path,
			   strerror(-rc));
	} else {
		smbd_watch_modified(op, FILE_NOTIFY_CHANGE_SECURITY);
	}
out:
	talloc_free(tmp);
	return status;
}
