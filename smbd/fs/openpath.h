/*
 * openpath.h - the file system core of an open by name, shared by the
 * SMB2 CREATE (smb2/cmd/create.c) and the SMB1 opens (smbd/smb1): what
 * the file system lets us do with an object, the access a client may be
 * granted on it, delete-on-close checks, and the open(2)s themselves.
 * Blocking but short; smbd_fs_probe and smbd_dir_list_left are
 * thread-safe (a worker may run them).
 */
#ifndef WG_SMBD_FS_OPENPATH_H
#define WG_SMBD_FS_OPENPATH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <talloc.h>
#include <tevent.h>

#include "smbd/smbd.h"
#include "smbd/fs/fileinfo.h"

struct smbd_workers;

/*
 * What a directory holds, as far as deleting it goes: up to
 * SMBD_DIR_LEFT_MAX entries (their inodes), or more.
 */
#define SMBD_DIR_LEFT_MAX 8
struct smbd_dir_left {
	size_t n;
	bool more;
	dev_t dev[SMBD_DIR_LEFT_MAX];
	ino_t ino[SMBD_DIR_LEFT_MAX];
};

/* What the filesystem lets us do with one object. */
struct smbd_fs_access {
	bool read;
	bool write;
	bool unlink;
};

/* May we (effective ids, ACLs, read-only mounts) access fd with mode? */
bool smbd_fd_may(int fd, int mode);

/* Does directory fd hold nothing but "." and ".."? */
bool smbd_dir_is_empty(int fd);

/* List what directory fd holds into l (a worker may call it). */
void smbd_dir_list_left(int fd, struct smbd_dir_left *l);

/*
 * Does a directory holding l count as empty for its delete on close at
 * close time [MS-FSA §2.1.5.5 phase 1]? Only if every entry is
 * delete-pending already (it goes when its last open does): smbtorture
 * smb2.notify.rec and mask-change rmdir a directory whose subdirectory
 * was rmdir'ed while another handle held it open. If the entry is still
 * there when the last open closes, the directory stays.
 */
bool smbd_dir_left_empty(struct smbd_server *srv,
			 const struct smbd_dir_left *l);

/*
 * May we unlink the name whose parent is pfd and whose inode is fd?
 * unlink(2) wants a writable, searchable parent, and in a sticky
 * directory (/tmp-like shares) to own the file or the directory.
 */
bool smbd_may_unlink(int pfd, int fd);

/*
 * smbd_fs_probe of a file or directory this request has just created on
 * fd, in the folder pfd (open, not the share root's parent), st its stat
 * taken after the create: pfd is not opened again, and not stat'ed for
 * its sticky bit when the new object is ours (the usual case: the rule
 * then allows the unlink whatever the folder's mode). Thread-safe.
 */
void smbd_fs_probe_new(int pfd, int fd, const struct stat *st,
		       struct smbd_fs_access *acc);

/* Probe fd (named ondisk beneath root_fd); blocking, thread-safe. */
void smbd_fs_probe(int root_fd, int fd, const char *ondisk,
		   bool want_unlink, struct smbd_fs_access *acc);

/*
 * smbd_fs_probe where st is fd's stat (taken by the caller): read and
 * write access of a regular file that is ours then need no system call.
 */
void smbd_fs_probe_st(int root_fd, int fd, const struct stat *st,
		      const char *ondisk, bool want_unlink,
		      struct smbd_fs_access *acc);

/*
 * The most a client may get on an object: the tree's maximal access less
 * what the share's read-only flag and the filesystem (acc) forbid.
 */
uint32_t smbd_maximal_access(const struct smbd_tree *tree,
			     const struct smbd_fs_access *acc, bool is_dir);

/* GENERIC_* rights as the specific file rights [MS-SMB2 §2.2.13.1.1]. */
uint32_t smbd_map_generic(uint32_t a);

/* Requested access (generic and MAXIMUM_ALLOWED resolved) against max. */
NTSTATUS smbd_grant_access(uint32_t desired, uint32_t max,
			   uint32_t *granted);

/*
 * Delete on close asked at open time [MS-FSA §2.1.5.1.2.1]: OK, or
 * ACCESS_DENIED (no DELETE granted), CANNOT_DELETE (the share root, a
 * read-only file). A directory is accepted empty or not (open.h: the
 * close keeps one that is not empty).
 */
NTSTATUS smbd_create_check_doc(uint32_t granted, const struct stat *st,
			       const char *ondisk);

/*
 * Overwrite or supersede of an existing file's unnamed data stream
 * [MS-FSA 2.1.5.1.2]: ACCESS_DENIED when the file (open on fd, O_PATH
 * will do) is HIDDEN or SYSTEM and attrs, the FileAttributes of the
 * request, does not carry that attribute; else OK. Only what a client
 * stored counts: the HIDDEN a name starting with '.' shows (fileinfo.h)
 * is a Unix convention, and clients overwrite such files (.gitignore)
 * with FILE_ATTRIBUTE_NORMAL. *stored says whether the file has
 * attributes a client stored, for smbd_overwrite_set_attrs (this is the
 * one read of them an overwrite makes).
 */
NTSTATUS smbd_overwrite_check_attrs(int fd, uint32_t attrs, bool *stored);

/*
 * The overwritten or superseded file open on fd (with write access)
 * takes attrs, the request's FileAttributes, plus ARCHIVE [MS-FSA
 * 2.1.5.1.2]; READONLY drops the write bits of st's mode. st is the
 * caller's stat of the file (its mode is what counts; the truncate does
 * not change it), stored what smbd_overwrite_check_attrs said: nothing
 * is stat'ed again. Best effort, as at create.
 */
void smbd_overwrite_set_attrs(int fd, const struct stat *st, bool stored,
			      uint32_t attrs);

/* AllocationSize of a new or overwritten file: best effort. */
void smbd_create_prealloc(int fd, uint64_t size);

/*
 * An overwritten file at least this large is truncated on a worker, not
 * on the loop (smbd_trunc_send): freeing its pages takes milliseconds
 * (tens for 256 MiB on tmpfs), during which, with several loops, no loop
 * could run a request (the state lock; docs/threads.md).
 */
#define SMBD_TRUNC_OFFLOAD_MIN	(1024 * 1024)

/*
 * Truncate fd's file to 0 and preallocate alloc_size for it
 * (smbd_create_prealloc) on one of w's workers, counted against owner's
 * share (the client computer). The job works on its own dup of fd, so
 * the caller's open may close meanwhile. NULL with errno set (ENOMEM,
 * the dup's) if it could not be started.
 */
struct tevent_req *smbd_trunc_send(TALLOC_CTX *mem, struct tevent_context *ev,
				   struct smbd_workers *w, const void *owner,
				   int fd, uint64_t alloc_size);
/*
 * Does fd name a regular file holding SMBD_TRUNC_OFFLOAD_MIN or more on
 * disk? The last reference to such a file, once it has no name, frees
 * its extents there and then (ext4: a quarter second for 64 MiB in
 * 3,900 extents): the caller keeps fd across the unlink or the rename
 * over it and closes it with smbd_workers_close_fd, so that a worker
 * frees them and not the loop.
 */
bool smbd_fd_is_big(int fd);
/*
 * An O_PATH fd on leaf in dirfd when it is a regular file that
 * smbd_fd_is_big, else -1: held across a rename that replaces it, for
 * the same reason.
 */
int smbd_hold_big(int dirfd, const char *leaf);

/*
 * Does cutting fd's file to len free SMBD_TRUNC_OFFLOAD_MIN or more, so
 * that the cut belongs on a worker (smbd_cut_send)? false also when the
 * fstat fails: the caller cuts on the loop and sees the error there.
 * Smaller cuts stay on the loop: the hop to a worker costs ~30 us.
 */
bool smbd_cut_offload(int fd, uint64_t len);
/* The same for a file of size bytes (the caller has its stat). */
bool smbd_cut_is_big(uint64_t size, uint64_t len);
/*
 * Cut fd's file to len (ftruncate) on one of w's workers, counted
 * against owner's share, as smbd_trunc_send does (its own dup of fd,
 * the file marked truncating meanwhile: fileinfo.h): SET_INFO's end of
 * file and allocation (SMB2 smb2/cmd/setinfo.c). NULL with errno set
 * (ENOMEM, the dup's) if it could not be started. Finished by
 * smbd_trunc_recv.
 */
struct tevent_req *smbd_cut_send(TALLOC_CTX *mem, struct tevent_context *ev,
				 struct smbd_workers *w, const void *owner,
				 int fd, uint64_t len);
/*
 * smbd_trunc_send's or smbd_cut_send's end: 0, or the truncate's -errno
 * (-ENOMEM: the job could not run).
 */
int smbd_trunc_recv(struct tevent_req *req);
/*
 * Once smbd_trunc_recv gave ret: the open of volatile id fid whose file
 * was truncated, if it is still open on tree (the request's, found
 * again; a CLOSE, TREE_DISCONNECT or LOGOFF may have closed it while the
 * worker ran). NT_STATUS_OK with *pop; FILE_CLOSED if it is gone; else
 * ret's error (smbd_map_errno), the open closed. Every front end's
 * completion of an overwrite (SMB2 CREATE, the SMB1 opens) uses it.
 *
 * With NT_STATUS_OK it has also broken what other opens got while the
 * truncate ran (the share modes let them in): a level II oplock or a
 * lease caching reads of the old contents breaks as for any overwrite
 * [MS-FSA 2.1.5.1.2], without waiting for acknowledgments (the data has
 * changed already; such holders have nothing to write back). The
 * overwriting open holds no oplock yet (it is granted in the answer);
 * leases of lease_guid and lease_key (the request's own, or NULLs) stay.
 */
NTSTATUS smbd_trunc_open_find(struct smbd_server *srv,
			      const struct smbd_tree *tree, uint64_t fid,
			      int ret, const uint8_t *lease_guid,
			      const uint8_t *lease_key, struct smbd_open **pop);

/*
 * The fd an existing file is kept open with: a readable directory fd, a
 * file fd with the access the handle needs (O_PATH when the handle needs
 * no data and we may not read it).
 */
int smbd_open_data_fd(int root_fd, const char *ondisk, bool is_dir,
		      uint32_t granted, uint32_t max, bool truncate);

/* mkdir or O_CREAT|O_EXCL the leaf under its parent; returns fd/-errno. */
int smbd_create_leaf(int pfd, const char *leaf, bool is_dir, bool ro);

/*
 * FileDispositionInformation through op: set or clear delete-pending on
 * its file (not op->delete_on_close: open.h, struct smbd_file). Errors:
 * ACCESS_DENIED (op lacks DELETE), CANNOT_DELETE (read-only file, the
 * share root), DIRECTORY_NOT_EMPTY.
 */
NTSTATUS smbd_open_set_delete_pending(struct smbd_open *op, bool pending);

/*
 * FileBasicInformation through op [MS-FSCC §2.4.7]: times (0, -1 and -2
 * leave one alone; creation and change times are kept as fileinfo.h
 * says) and DOS attributes (0: unchanged; READONLY is the owner write
 * bit). Errors: INVALID_PARAMETER (a bad time, DIRECTORY on a file) or
 * the file system's. On a named stream's open they are set on its base
 * file (one file on NTFS), as every front end wants: callers do not
 * choose.
 */
NTSTATUS smbd_open_set_basic(struct smbd_open *op, uint64_t create,
			     uint64_t access, uint64_t write, uint64_t change,
			     uint32_t attrs);

/*
 * The size of op's file (open with an fd and write access) becomes len:
 * SMB2 SET_INFO FileEndOfFileInformation, SMB1 TRANS2's end of file and
 * allocation below it, SMB1 core WRITE of no bytes. A held write time
 * update happens first (fs/wtime.h); then the change moves LastWriteTime
 * unless a write time was set through op, which stays [MS-FSA 2.1.4.17:
 * a modification updates it only for an open whose
 * UserSetModificationTime is FALSE]. Watchers are told (size and
 * attributes). Returns 0 or -errno (the caller maps it as its command
 * does); the caller breaks oplocks first.
 */
int smbd_open_set_size(struct smbd_open *op, uint64_t len);
/*
 * smbd_open_set_size in two halves around a truncate the caller runs
 * elsewhere (smbd_cut_send): _begin does what comes before it on op
 * (the held write time update, io: the time to keep); _end, with the
 * truncate's ret (0 or -errno), what comes after it. op for _end is the
 * open looked up again: NULL if it closed meanwhile (nothing is then
 * put back or told). _end returns ret.
 */
struct smbd_wtime_io;
void smbd_open_set_size_begin(struct smbd_open *op, struct smbd_wtime_io *io);
int smbd_open_set_size_end(struct smbd_open *op,
			   const struct smbd_wtime_io *io, int ret);

/*
 * Rename op's file or directory to rel (a canonical share-relative path;
 * name: the client's spelling, taken over by op on success), replacing
 * an existing file if replace, with the checks Windows makes: no
 * replacing directories or open files, no renaming a directory with
 * opens beneath it, the parent directory's opens' share modes. Every
 * open of the old name or beneath it follows; watchers are told.
 * break_wait (may be NULL): called once the rename may go; true if
 * oplocks or leases must break first (the caller waits and calls again:
 * NT_STATUS_PENDING is returned).
 */
NTSTATUS smbd_open_rename(struct smbd_open *op, char *name, const char *rel,
			  bool replace, bool (*break_wait)(void *priv),
			  void *priv);

/*
 * A new name rel (canonical, share-relative, its parent existing) for
 * op's file: a hard link [MS-FSCC §2.4.21]. OBJECT_NAME_COLLISION if rel
 * exists, FILE_IS_A_DIRECTORY for a directory or stream open,
 * ACCESS_DENIED on a read-only share, else the file system's error.
 */
NTSTATUS smbd_open_link(struct smbd_open *op, const char *rel);

/*
 * An open by name for a front end that has no create contexts, leases
 * or durable handles (SMB1): what the client asked for, as in an SMB2
 * CREATE [MS-SMB2 §2.2.13]. name is the client's path ('\' separated,
 * UTF-8).
 */
struct smbd_open_args {
	const char *name;
	uint32_t desired;
	uint32_t attrs;
	uint32_t share;
	uint32_t disposition;
	uint32_t options;
	uint64_t alloc_size;
	/* SMB1 DOS/FCB share modes (smb1_core.h): compat_conn non-NULL for
	 * such an open of client process (compat_conn, compat_pid), which
	 * passes that process's exclusive compatibility opens; exclusive:
	 * the new open is one of them. */
	const void *compat_conn;
	uint32_t compat_pid;
	bool compat_exclusive;
	/* a new object's security descriptor (NT_TRANSACT_CREATE), or NULL */
	const struct wire_rd *secd;
	/* the opener changes the file at once (an SMB1 path-based set
	 * info): oplocks break to none, as for an overwrite */
	bool changes;
	/* a print spool file the front end let through (SMB1
	 * OPEN_PRINT_FILE, or an SMB1 open smbd_print_create_guard passed):
	 * created (FILE_CREATE only) on a print share too */
	bool spool;
	/* the opener renames the file at once (an SMB1 path-based rename):
	 * of the oplocks only batch ones break, to none [MS-FSA 2.1.4.12:
	 * a rename breaks no level 1 or level II oplock]; leases lose
	 * handle caching */
	bool renames;
	/* the token the checks use: the requester's, kept by a front end
	 * whose open waits for oplock breaks (fs/acl.h,
	 * smbd_acl_token_hold), since the session may re-authenticate
	 * meanwhile; NULL: the session's current one */
	const struct se_token *token;
	/* non-NULL: the caller can truncate an overwritten file itself
	 * (smbd_trunc_send); set true when the open left it that to do,
	 * for a file of SMBD_TRUNC_OFFLOAD_MIN or more. It then truncates
	 * and preallocates (alloc_size) before it grants an oplock or
	 * answers. */
	bool *trunc_later;
	/* non-NULL: for a file or directory the open created
	 * (FILE_WAS_CREATED), its stat, taken after everything the create
	 * stored (fileinfo.h smbd_stat_new_fd), for the reply */
	struct smbd_stat *created;
};

/*
 * Open or create a->name on disk tree's share for session tree->sess,
 * through the same checks as an SMB2 CREATE (the opens budget, share
 * modes, delete-pending, access, delete on close) and register the open
 * (op->fd, op->file, FileId). Runs on the loop (path walk and open(2)).
 * Grants no oplock. NT_STATUS_OK with *pop and *action (FILE_WAS_*);
 * NT_STATUS_PENDING with *wait set when oplocks or leases of another
 * open of the file are breaking: wait for them (smbd_oplock_wait) and
 * call again; else the error.
 */
NTSTATUS smbd_open_by_name(struct smbd_tree *tree,
			   const struct smbd_open_args *a,
			   struct smbd_open **pop, uint32_t *action,
			   struct smbd_file **wait);

#endif
