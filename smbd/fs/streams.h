/*
 * streams.h - alternate data streams (NTFS "file:stream:$DATA") on a
 * POSIX file system [MS-FSCC §2.1.5.3, MS-FSA §2.1.5.1].
 *
 * The store: every named stream is an ordinary file in a hidden
 * directory of the share root,
 *
 *     <share root>/.wgsmb:streams/<dev>-<ino>/<stream name>
 *
 * keyed by the base file's device and inode numbers (hex), so that a
 * rename of the base file, through the share or by a local program,
 * keeps its streams with no work, and hard links share them as on NTFS.
 * A stream is as large as the file system allows (no xattr size limit:
 * macOS resource forks of many MiB), and an open of one is an ordinary
 * open of that file: read, write, truncate, share modes, byte-range
 * locks, oplocks and leases all work per stream, keyed by the stream
 * file's own inode.
 *
 * Hidden: the store's name holds ':', which no client path can (CREATE
 * splits at the first ':', SET_INFO rename targets go through
 * vfs_canonicalize, which refuses ':'), QUERY_DIRECTORY leaves out names
 * with ':' and CHANGE_NOTIFY does not report them.
 *
 * Generation: inode numbers are reused. Each per-file directory holds a
 * marker ":gen-<birth time>" (statx btime of the base); a base whose
 * birth time differs is a new file on an old inode, and the streams left
 * there (its predecessor was deleted by a local program) are removed
 * before anything is looked up. Without btime (file systems that lack
 * it) the marker is ":gen-0" and this check cannot tell. A base deleted
 * through the share takes its streams with it (delete on close).
 *
 * Budget: at most STREAMS_MAX_PER_FILE named streams per file (the
 * listing must fit a QUERY_INFO reply and each is an inode); the size of
 * each is bounded only like any file's (quota, disk space).
 *
 * The blocking functions here (everything but the parser) do small
 * directory operations and are called on the loop or from a worker.
 */
#ifndef WG_SMBD_STREAMS_H
#define WG_SMBD_STREAMS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <talloc.h>
#include "proto/ntstatus.h"

struct smbd_open;
struct smbd_server;

/* The store's directory at the share root. */
#define STREAMS_STORE		".wgsmb:streams"
/* Named streams per file (more: NT_STATUS_INSUFFICIENT_RESOURCES). */
#define STREAMS_MAX_PER_FILE	256
/* A stream name: 1..255 UTF-16 code units, stored as UTF-8 in one
 * on-disk name (at most 255 bytes). */
#define STREAMS_NAME_MAX	255

/*
 * Split a client name ("dir\file:stream:$DATA") at its first ':' into
 * the base path (*base, '\' separators as given, still to be
 * canonicalized) and the stream part. *stream: NULL when the name has
 * no ':'; "" for the unnamed data stream ("file::$DATA"); else the
 * stream's name. The type, if given, must be $DATA in any case. Refused
 * with OBJECT_NAME_INVALID: a separator after the ':', an empty base,
 * "file:" and "file:s:" (empty type or stream), a type other than $DATA,
 * a third ':', a stream name of "." or "..", over STREAMS_NAME_MAX, or
 * holding NUL (any other character, wildcards and controls too, is
 * allowed). Both results are children of mem; pure, no I/O.
 */
NTSTATUS streams_split(TALLOC_CTX *mem, const char *name, char **base,
		       char **stream);

/* The store directory of base (its dev/ino) relative to the root:
 * ".wgsmb:streams/<dev>-<ino>" (talloc child of mem, NULL: no memory). */
char *streams_dir_rel(TALLOC_CTX *mem, dev_t dev, ino_t ino);

/*
 * The generation marker (":gen-<birth time>", see above) of name in
 * directory dirfd ("" with an fd of the file itself) into buf: what its
 * per-file directory holds while it is that directory's file. Pure
 * statx, worker-safe.
 */
#define STREAMS_GEN_MAX		64
void streams_gen_marker(int dirfd, const char *name, char *buf, size_t len);

/*
 * Find stream name of base (fd base_fd, any kind incl. O_PATH, and its
 * stat) beneath root_fd, case-insensitively. NT_STATUS_OK: *ondisk is
 * its path in the store (on-disk case). NT_STATUS_OBJECT_NAME_NOT_FOUND:
 * *ondisk is the path it would be created at. A stale per-file directory
 * (another file's streams, see the generation above) is emptied first.
 * Worker-safe; *ondisk is a child of mem.
 */
NTSTATUS streams_resolve(TALLOC_CTX *mem, int root_fd, int base_fd,
			 const struct stat *base, const char *name,
			 char **ondisk);

/*
 * Make ready the per-file directory of base to create one more stream
 * in: creates the store and the directory (0700) with its generation
 * marker. 0, -EDQUOT when base has STREAMS_MAX_PER_FILE streams, or
 * another -errno.
 */
int streams_prepare(int root_fd, int base_fd, const struct stat *base);

/* One named stream of a file (streams_list). */
struct streams_entry {
	char *name;		/* as stored (the case it was created with) */
	uint64_t size;
	uint64_t alloc;
};

/*
 * The named streams of base, in directory order (at most
 * STREAMS_MAX_PER_FILE): *out an array child of mem (NULL when none),
 * *n its length. 0 or -errno (-ENOMEM). A stale directory lists none.
 */
int streams_list(TALLOC_CTX *mem, int root_fd, int base_fd,
		 const struct stat *base, struct streams_entry **out,
		 size_t *n);

/*
 * streams_list() for QUERY_INFO FileStreamInformation on op, a file,
 * directory or stream open: the streams of its (base) file, and *ni
 * that file's own information (a stream open's base is looked up by its
 * path and must still be the same inode, else OBJECT_NAME_NOT_FOUND's
 * -ENOENT). Blocking, on the loop: one directory read.
 */
struct smbd_ntinfo;
int streams_list_open(TALLOC_CTX *mem, const struct smbd_open *op,
		      struct smbd_ntinfo *ni, struct streams_entry **out,
		      size_t *n);

/*
 * The base file of stream open op, looked up by its path (op->path
 * before the ':'): an O_PATH fd and *st, or -errno (-ENOENT: the name
 * now names another inode, or none; -EBADF: op is no stream open).
 */
int streams_base_fd(const struct smbd_open *op, struct stat *st);

/*
 * A stream open's FileBasicInformation and the rest [MS-FSCC §2.4]:
 * times, attributes, file index and link count are its base file's (one
 * file on NTFS), sizes the stream's own. 0 or -errno.
 */
int streams_ntinfo(const struct smbd_open *op, struct smbd_ntinfo *ni);

/* op's information, a stream open's (streams_ntinfo) or any other's
 * (smbd_ntinfo_fd). 0 or -errno. */
int streams_open_ntinfo(const struct smbd_open *op, struct smbd_ntinfo *ni);


/*
 * base (dev, ino) is gone (its last name unlinked): remove its streams
 * and their directory. Opens of them keep their data until closed.
 * 0 or -errno; no directory is 0.
 */
int streams_remove_all(int root_fd, dev_t dev, ino_t ino);

/*
 * Delete on close of a stream open: unlink its file if the store name
 * still names its inode (dev, ino). 0 or -errno.
 */
int streams_unlink(int root_fd, const struct smbd_open *op, dev_t dev,
		   ino_t ino);

/*
 * Mark op (just registered by CREATE) as an open of stream `stored` (its
 * on-disk name) of the base file at base_path (its stat): op->path
 * becomes "base_path:stored", what clients see (FileNameInformation) and
 * what follows renames of the base. Counts the open (streams_open_on).
 * 0 or -ENOMEM.
 */
int streams_open_mark(struct smbd_open *op, const char *base_path,
		      const struct stat *base, const char *stored);

/*
 * Delete on close of op, a base file's last open (root_fd its share's
 * root): while opens of its streams are left, its name is kept, and
 * delete-pending to new opens of it and its streams
 * (streams_base_doomed), until the last of them closes; then the name
 * goes (if it still names the inode) and the streams with it. true:
 * deferred so; false: unlink now.
 */
bool streams_defer_unlink(const struct smbd_open *op, int root_fd);

/* Is (dev, ino) a base whose delete waits for its streams' opens? */
bool streams_base_doomed(dev_t dev, ino_t ino);

/*
 * Would an open of the base file (dev, ino) asking `access` conflict
 * with the share modes of its streams' opens (a stream open without
 * FILE_SHARE_DELETE refuses DELETE on its base, MS-FSA §2.1.5.1.2)?
 * Walks the server's opens only while any stream is open.
 */
bool streams_base_conflict(struct smbd_server *srv, dev_t dev, ino_t ino,
			   uint32_t access);

/*
 * SET_INFO FileRenameInformation with a name ":new[:$DATA]" on the
 * stream open op [MS-FSCC §2.4.42]: rename the stream within its file.
 * OBJECT_NAME_COLLISION if new exists and !replace; with replace an
 * existing target is replaced only when empty and not open, else
 * INVALID_PARAMETER (MS-FSA 2.1.5.15.11.1); INVALID_PARAMETER for a
 * base-file open, OBJECT_NAME_INVALID for a bad name. "::$DATA" (the
 * unnamed stream, which always exists): the stream's data becomes the
 * file's (copied) and the stream goes, under the same rules.
 * A full "<file>:<stream>" name: SHARING_VIOLATION, as Windows answers.
 */
NTSTATUS streams_rename(struct smbd_open *op, const char *newname,
			bool replace);

/*
 * A stream of a file that does not exist (ondisk, on tree's share): the
 * file comes first, empty (READONLY if readonly). ACCESS_DENIED on a
 * read-only share, OBJECT_NAME_COLLISION if it came meanwhile, or the
 * file system's error.
 */
struct smbd_tree;
NTSTATUS streams_create_base(struct smbd_tree *tree, const char *ondisk,
			     bool readonly);

/*
 * FileStreamInformation of op [MS-FSCC §2.4.43] into w: "::$DATA" first
 * (files only) with the size in ni (op's file, or the stream's base
 * file), then the named streams of the file as ":name:$DATA".
 * Temporaries hang off w->buf. Errors: the file system's, NO_MEMORY.
 */
struct wire_wr;
NTSTATUS streams_put_info(struct wire_wr *w, const struct smbd_open *op,
			  const struct smbd_ntinfo *ni);

#endif
