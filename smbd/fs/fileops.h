/*
 * fileops.h - the file operations behind the data-moving FSCTLs, run on
 * the worker pool (fs/workers.h) so that a 16 MiB server-side copy or a
 * large zeroing never blocks the event loop: copying byte ranges between
 * two files (FSCTL_SRV_COPYCHUNK), zeroing a range (FSCTL_SET_ZERO_DATA)
 * and listing the allocated ranges (FSCTL_QUERY_ALLOCATED_RANGES).
 *
 * Each job works on its own dup() of the caller's fds (closed when the
 * job is freed, as for smbd_pread_send), so the opens may close at any
 * moment. Each counts against owner's share of the workers (the client
 * computer: SMBD_BUDGET_WORKERS), like READ and WRITE. Nothing here knows
 * SMB: access, locks and oplock breaks are the caller's.
 */
#ifndef WG_SMBD_FS_FILEOPS_H
#define WG_SMBD_FS_FILEOPS_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "smbd/fs/workers.h"

struct smbd_copy_range {
	uint64_t src_off;
	uint64_t dst_off;
	uint32_t len;
};

/*
 * Copy n ranges (n <= 256; at most 1 MiB each) from src_fd to dst_fd,
 * in order, stopping at the first that fails. Each range is done with
 * copy_file_range(2) (the kernel copies, or reflinks where the
 * filesystem can); where that cannot serve (EXDEV, EOPNOTSUPP, ENOSYS,
 * EINVAL: another filesystem, or src and dst the same file with
 * overlapping ranges) the range is read whole into a buffer, then
 * written, so overlapping ranges copy as if through a buffer.
 * sync: fdatasync dst at the end (write-through opens).
 * Returns NULL on no memory.
 */
struct tevent_req *smbd_copy_ranges_send(TALLOC_CTX *mem,
					 struct tevent_context *ev,
					 struct smbd_workers *w,
					 const void *owner,
					 int src_fd, int dst_fd,
					 const struct smbd_copy_range *ranges,
					 uint32_t n, bool sync);
/*
 * Returns 0 when every range was copied, else the failing range's
 * -errno: -ERANGE if it reaches past the source's end of file (nothing of
 * it is written then), -ENOSPC, -EIO ... *done is the number of ranges
 * copied whole, *bytes their total.
 */
int smbd_copy_ranges_recv(struct tevent_req *req, uint32_t *done,
			  uint64_t *bytes);

/*
 * Zero [off, end) of fd, clipped to its size (the file never grows).
 * punch: deallocate it (fallocate PUNCH_HOLE|KEEP_SIZE), for sparse
 * files; else zero it in place (ZERO_RANGE|KEEP_SIZE). Either falls
 * back to writing zeros where the filesystem cannot.
 */
struct tevent_req *smbd_zero_range_send(TALLOC_CTX *mem,
					struct tevent_context *ev,
					struct smbd_workers *w,
					const void *owner, int fd,
					uint64_t off, uint64_t end, bool punch);
/* Returns 0 or -errno. */
int smbd_zero_range_recv(struct tevent_req *req);

struct smbd_alloc_range {
	uint64_t off;
	uint64_t len;
};

/*
 * The allocated ranges of fd within [off, off + len), clipped to its
 * size, at most max of them. sparse false: the file has no holes as far
 * as the client is concerned, so the answer is the query range clipped
 * to the size [MS-FSA §2.1.5.10.22]; sparse true: its data extents as
 * SEEK_DATA/SEEK_HOLE see them (one range if the filesystem cannot
 * tell). off + len must not overflow.
 */
struct tevent_req *smbd_alloc_ranges_send(TALLOC_CTX *mem,
					  struct tevent_context *ev,
					  struct smbd_workers *w,
					  const void *owner, int fd,
					  uint64_t off, uint64_t len,
					  bool sparse, uint32_t max);
/*
 * Returns 0 or -errno. *ranges (NULL when *n is 0) is moved under
 * mem_ctx; *more is set when there were more than max ranges.
 */
int smbd_alloc_ranges_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			   struct smbd_alloc_range **ranges, uint32_t *n,
			   bool *more);

#endif
