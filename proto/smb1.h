/*
 * smb1.h - SMB1 (CIFS, dialect NT LM 0.12) wire format [MS-CIFS §2.2,
 * MS-SMB §2.2]: the 32-byte header, parameter words and byte blocks,
 * AndX chains, NEGOTIATE dialect lists, TRANS2 request framing and the
 * MD5 message signature [MS-CIFS §3.1.5.1]. Pure: no I/O.
 */
#ifndef WG_PROTO_SMB1_H
#define WG_PROTO_SMB1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/wire.h"

#define SMB1_HDR_SIZE		32
#define SMB1_SIG_OFF		14	/* SecuritySignature in the header */

/* Commands [MS-CIFS §2.2.2.1] */
enum smb1_cmd {
	SMB1_COM_CREATE_DIRECTORY = 0x00,
	SMB1_COM_DELETE_DIRECTORY = 0x01,
	SMB1_COM_OPEN = 0x02,
	SMB1_COM_CREATE = 0x03,
	SMB1_COM_CLOSE = 0x04,
	SMB1_COM_FLUSH = 0x05,
	SMB1_COM_DELETE = 0x06,
	SMB1_COM_RENAME = 0x07,
	SMB1_COM_QUERY_INFORMATION = 0x08,
	SMB1_COM_SET_INFORMATION = 0x09,
	SMB1_COM_READ = 0x0A,
	SMB1_COM_WRITE = 0x0B,
	SMB1_COM_LOCK_BYTE_RANGE = 0x0C,
	SMB1_COM_UNLOCK_BYTE_RANGE = 0x0D,
	SMB1_COM_CREATE_TEMPORARY = 0x0E,
	SMB1_COM_CREATE_NEW = 0x0F,
	SMB1_COM_CHECK_DIRECTORY = 0x10,
	SMB1_COM_PROCESS_EXIT = 0x11,
	SMB1_COM_SEEK = 0x12,
	SMB1_COM_LOCK_AND_READ = 0x13,
	SMB1_COM_WRITE_AND_UNLOCK = 0x14,
	SMB1_COM_SET_INFORMATION2 = 0x22,
	SMB1_COM_QUERY_INFORMATION2 = 0x23,
	SMB1_COM_IOCTL = 0x27,
	SMB1_COM_WRITE_AND_CLOSE = 0x2C,
	SMB1_COM_QUERY_INFORMATION_DISK = 0x80,
	SMB1_COM_LOCKING_ANDX = 0x24,
	SMB1_COM_OPEN_ANDX = 0x2D,
	SMB1_COM_ECHO = 0x2B,
	SMB1_COM_READ_ANDX = 0x2E,
	SMB1_COM_WRITE_ANDX = 0x2F,
	SMB1_COM_TRANSACTION = 0x25,
	SMB1_COM_TRANSACTION_SECONDARY = 0x26,
	SMB1_COM_TRANSACTION2 = 0x32,
	SMB1_COM_TRANSACTION2_SECONDARY = 0x33,
	SMB1_COM_FIND_CLOSE2 = 0x34,
	SMB1_COM_TREE_DISCONNECT = 0x71,
	SMB1_COM_NEGOTIATE = 0x72,
	SMB1_COM_SESSION_SETUP_ANDX = 0x73,
	SMB1_COM_LOGOFF_ANDX = 0x74,
	SMB1_COM_TREE_CONNECT_ANDX = 0x75,
	SMB1_COM_NT_TRANSACT = 0xA0,
	SMB1_COM_NT_TRANSACT_SECONDARY = 0xA1,
	SMB1_COM_NT_CREATE_ANDX = 0xA2,
	SMB1_COM_NT_CANCEL = 0xA4,
	SMB1_COM_NT_RENAME = 0xA5,
	SMB1_COM_OPEN_PRINT_FILE = 0xC0,
	SMB1_COM_WRITE_PRINT_FILE = 0xC1,
	SMB1_COM_CLOSE_PRINT_FILE = 0xC2,
	SMB1_COM_NO_ANDX_COMMAND = 0xFF,
};

/* Flags [MS-CIFS §2.2.3.1] */
#define SMB1_FLAGS_CASE_INSENSITIVE	0x08
#define SMB1_FLAGS_CANONICALIZED_PATHS	0x10
#define SMB1_FLAGS_REPLY		0x80

/* Flags2 */
#define SMB1_FLAGS2_LONG_NAMES		0x0001
#define SMB1_FLAGS2_EAS			0x0002
#define SMB1_FLAGS2_SMB_SECURITY_SIGNATURE 0x0004
#define SMB1_FLAGS2_IS_LONG_NAME	0x0040
#define SMB1_FLAGS2_EXTENDED_SECURITY	0x0800
#define SMB1_FLAGS2_DFS			0x1000
#define SMB1_FLAGS2_READ_IF_EXECUTE	0x2000
#define SMB1_FLAGS2_NT_STATUS		0x4000
#define SMB1_FLAGS2_UNICODE		0x8000

/* Capabilities [MS-CIFS §2.2.4.52.2, MS-SMB §2.2.4.5.2] */
#define SMB1_CAP_RAW_MODE		0x00000001u
#define SMB1_CAP_UNICODE		0x00000004u
#define SMB1_CAP_LARGE_FILES		0x00000008u
#define SMB1_CAP_NT_SMBS		0x00000010u
#define SMB1_CAP_RPC_REMOTE_APIS	0x00000020u
#define SMB1_CAP_STATUS32		0x00000040u
#define SMB1_CAP_LEVEL_II_OPLOCKS	0x00000080u
#define SMB1_CAP_LOCK_AND_READ		0x00000100u
#define SMB1_CAP_NT_FIND		0x00000200u
#define SMB1_CAP_LARGE_READX		0x00004000u
#define SMB1_CAP_LARGE_WRITEX		0x00008000u
#define SMB1_CAP_EXTENDED_SECURITY	0x80000000u

/* SecurityMode of the NEGOTIATE response */
#define SMB1_NEGOTIATE_USER_SECURITY	0x01
#define SMB1_NEGOTIATE_ENCRYPT_PASSWORDS 0x02
#define SMB1_NEGOTIATE_SIGNATURES_ENABLED 0x04
#define SMB1_NEGOTIATE_SIGNATURES_REQUIRED 0x08

/* TRANS2 subcommands [MS-CIFS §2.2.6] */
#define SMB1_TRANS2_OPEN2		0x0000
#define SMB1_TRANS2_FIND_FIRST2		0x0001
#define SMB1_TRANS2_CREATE_DIRECTORY	0x000D
#define SMB1_TRANS2_FIND_NEXT2		0x0002
#define SMB1_TRANS2_QUERY_FS_INFORMATION 0x0003
#define SMB1_TRANS2_QUERY_PATH_INFORMATION 0x0005
#define SMB1_TRANS2_QUERY_FILE_INFORMATION 0x0007
#define SMB1_TRANS2_SET_PATH_INFORMATION 0x0006
#define SMB1_TRANS2_SET_FILE_INFORMATION 0x0008

/* FIND_FIRST2 / FIND_NEXT2 Flags [MS-CIFS §2.2.6.2.1] */
#define SMB1_FIND_CLOSE_AFTER_REQUEST	0x0001
#define SMB1_FIND_CLOSE_AT_EOS		0x0002
#define SMB1_FIND_RETURN_RESUME_KEYS	0x0004
#define SMB1_FIND_CONTINUE_FROM_LAST	0x0008

struct smb1_block;

/*
 * NT_CREATE_ANDX request [MS-SMB §2.2.4.9.1], 24 parameter words. name_off
 * is where FileName starts in the message (a pad byte before UTF-16
 * names is the caller's, smb1_pull_string skips it).
 */
struct smb1_ntcreate {
	uint32_t flags;
	uint32_t root_fid;
	uint32_t desired;
	uint64_t alloc_size;
	uint32_t attrs;
	uint32_t share;
	uint32_t disposition;
	uint32_t options;
	uint32_t impersonation;
	uint8_t security_flags;
	uint16_t name_len;
};
/* 0, WIRE_E_SHORT (not 24 words) */
int smb1_ntcreate_parse(const struct smb1_block *b,
			struct smb1_ntcreate *c) WIRE_WUR;

/*
 * READ_ANDX request [MS-SMB §2.2.4.2.1]: 10 or 12 words. With
 * large_readx the count's high 16 bits come from MaxCountHigh (unless it
 * is all ones, the old Timeout meaning).
 */
struct smb1_readx {
	uint16_t fid;
	uint64_t offset;
	uint32_t max_count;
	uint16_t min_count;
};
int smb1_readx_parse(const struct smb1_block *b, bool large_readx,
		     struct smb1_readx *r) WIRE_WUR;

/*
 * WRITE_ANDX request [MS-SMB §2.2.4.3.1]: 12 or 14 words. The data lies
 * at data_off of msg (checked against len); length has DataLengthHigh
 * when large_writex.
 */
struct smb1_writex {
	uint16_t fid;
	uint64_t offset;
	uint16_t write_mode;
	uint32_t length;
	uint16_t data_off;
};
#define SMB1_WRITE_THROUGH_MODE	0x0001
int smb1_writex_parse(const uint8_t *msg, size_t len,
		      const struct smb1_block *b, bool large_writex,
		      struct smb1_writex *w) WIRE_WUR;

/*
 * The core writes: WRITE and WRITE_AND_UNLOCK [MS-CIFS §2.2.4.12.1,
 * §2.2.4.19.1] (5 words; data block: BufferFormat 0x01, DataLength, the
 * data) and WRITE_AND_CLOSE [§2.2.4.40.1] (6 or 12 words; data block: a
 * pad byte, then the data), and WRITE_PRINT_FILE [§2.2.4.68.1] (1 word,
 * the FID; a data block as WRITE's, count its DataLength, offset 0: the
 * data goes at the end). count bytes of data lie at data_off of the
 * message; last_write is WRITE_AND_CLOSE's (UTIME, 0: leave it).
 * 0; WIRE_E_SHORT (word count); WIRE_E_BOUNDS (a BufferFormat other
 * than 0x01, or count past the DataLength or the data block); the
 * command is no core write: WIRE_E_SHORT.
 */
struct smb1_write {
	uint16_t fid;
	uint16_t count;
	uint32_t offset;
	uint32_t last_write;
	size_t data_off;
};
int smb1_write_parse(const struct smb1_block *b, uint8_t cmd,
		     struct smb1_write *w) WIRE_WUR;

/*
 * LOCKING_ANDX request [MS-CIFS §2.2.4.32.1]: 8 words, then the unlock
 * ranges and the lock ranges (20 bytes each with LARGE_FILES, else 10).
 */
#define SMB1_LOCKING_SHARED		0x01
#define SMB1_LOCKING_OPLOCK_RELEASE	0x02
#define SMB1_LOCKING_CHANGE_LOCKTYPE	0x04
#define SMB1_LOCKING_CANCEL		0x08
#define SMB1_LOCKING_LARGE_FILES	0x10
struct smb1_locking {
	uint16_t fid;
	uint8_t type;
	uint8_t oplock_level;
	uint32_t timeout;
	uint16_t nunlocks;
	uint16_t nlocks;
	const uint8_t *ranges;	/* nunlocks + nlocks ranges */
};
int smb1_locking_parse(const struct smb1_block *b,
		       struct smb1_locking *l) WIRE_WUR;
/* Range i (unlocks first) of a parsed request. */
void smb1_locking_range(const struct smb1_locking *l, unsigned i,
			uint16_t *pid, uint64_t *off, uint64_t *len);

/*
 * TRANS2 parameter blocks whose last field is a file name (a string in
 * the request's encoding, read without alignment: it starts at an even
 * offset of the parameters). All are talloc'd on mem.
 *
 * FIND_FIRST2 [MS-CIFS §2.2.6.2.1]
 */
struct smb1_find_first2 {
	uint16_t search_attrs;
	uint16_t search_count;
	uint16_t flags;
	uint16_t level;
	uint32_t storage_type;
	char *pattern;
};
int smb1_find_first2_parse(void *mem, const uint8_t *p, size_t n,
			   bool unicode, struct smb1_find_first2 *f) WIRE_WUR;

/* FIND_NEXT2 [MS-CIFS §2.2.6.3.1] */
struct smb1_find_next2 {
	uint16_t sid;
	uint16_t search_count;
	uint16_t level;
	uint32_t resume_key;
	uint16_t flags;
	char *name;
};
int smb1_find_next2_parse(void *mem, const uint8_t *p, size_t n,
			  bool unicode, struct smb1_find_next2 *f) WIRE_WUR;

/*
 * The OS/2-era FIND levels [MS-CIFS 2.2.8.1.1-3]: SMB_INFO_STANDARD,
 * SMB_INFO_QUERY_EA_SIZE and SMB_INFO_QUERY_EAS_FROM_LIST entries, each
 * with its ResumeKey first when the client asked for resume keys.
 */
#define SMB1_INFO_STANDARD		0x0001
#define SMB1_INFO_QUERY_EA_SIZE		0x0002
#define SMB1_INFO_QUERY_EAS_FROM_LIST	0x0003
struct smb1_find_std {
	uint64_t create_time;	/* NT times, sent as SMB_DATE/SMB_TIME */
	uint64_t access_time;
	uint64_t write_time;
	uint32_t size;
	uint32_t alloc_size;
	uint16_t attrs;
	uint32_t ea_size;	/* SMB_INFO_QUERY_EA_SIZE */
	/* SMB_INFO_QUERY_EAS_FROM_LIST: the SMB_FEA_LIST, its size first */
	const uint8_t *ea_list;
	size_t ea_list_len;
	const char *name;	/* UTF-8 */
};
/*
 * Append SMB_INFO_STANDARD's fixed part [MS-CIFS 2.2.8.1.1, 2.2.8.3.1]
 * to w, 22 bytes: CreationDate/Time, LastAccessDate/Time,
 * LastWriteDate/Time, FileDataSize, AllocationSize and Attributes from
 * e (its other fields unread). QUERY_EA_SIZE's starts the same. w's
 * error state tells running out of memory.
 */
void smb1_info_standard_put(struct wire_wr *w, const struct smb1_find_std *e);
/*
 * Append e at level to w: the name in UTF-16 when unicode, else as it
 * is; FileNameLength counts its bytes without the terminator. The
 * STANDARD name is aligned to 2 in UTF-16 and ends in a terminator of
 * its width; the EA levels' ends in one zero byte. false (w as it was)
 * when the name is longer than FileNameLength can say (255 bytes) or
 * the level is another; w's error state tells running out of memory.
 */
bool smb1_find_std_put(struct wire_wr *w, uint16_t level, bool unicode,
		       bool resume, uint32_t key,
		       const struct smb1_find_std *e);

/* QUERY_PATH_INFORMATION and SET_PATH_INFORMATION [MS-CIFS §2.2.6.6.1,
 * §2.2.6.7.1]: InformationLevel, 4 reserved bytes, FileName. */
int smb1_path_info_parse(void *mem, const uint8_t *p, size_t n,
			 bool unicode, uint16_t *level, char **name) WIRE_WUR;

/* TRANS2_OPEN2 [MS-CIFS §2.2.6.1.1]: Flags, AccessMode, 2 reserved
 * bytes, FileAttributes, CreationTime, OpenMode, AllocationSize, 10
 * reserved bytes, FileName. */
struct smb1_open2 {
	uint16_t flags;
	uint16_t access_mode;
	uint16_t attrs;
	uint32_t create_time;
	uint16_t open_mode;
	uint32_t alloc_size;
	char *name;
};
int smb1_open2_parse(void *mem, const uint8_t *p, size_t n, bool unicode,
		     struct smb1_open2 *o) WIRE_WUR;

/* TRANS2_CREATE_DIRECTORY [MS-CIFS §2.2.6.14.1]: 4 reserved bytes, then
 * DirectoryName. */
int smb1_mkdir2_parse(void *mem, const uint8_t *p, size_t n, bool unicode,
		      char **name) WIRE_WUR;

/* DOS error classes [MS-CIFS §2.2.2.4] */
#define SMB1_ERRDOS	0x01
#define SMB1_ERRSRV	0x02
#define SMB1_ERRHRD	0x03

/*
 * The header [MS-CIFS §2.2.3.1]. status is the 32-bit NTSTATUS, or with
 * FLAGS2_NT_STATUS clear the DOS form: class in the low byte, code in the
 * high 16 bits. pid is PIDHigh << 16 | PIDLow.
 */
struct smb1_hdr {
	uint8_t command;
	uint32_t status;
	uint8_t flags;
	uint16_t flags2;
	uint32_t pid;
	uint8_t signature[8];
	uint16_t tid;
	uint16_t uid;
	uint16_t mid;
};

/*
 * Decode the header at the start of msg. 0, WIRE_E_SHORT (fewer than 32
 * bytes) or WIRE_E_INVALID (not "\xffSMB").
 */
int smb1_hdr_parse(const uint8_t *msg, size_t len,
		   struct smb1_hdr *h) WIRE_WUR;

/* Append the 32-byte header; errors stick to w. */
void smb1_hdr_push(struct wire_wr *w, const struct smb1_hdr *h);

/*
 * One command's parameter block and data block [MS-CIFS §2.2.3.2-3],
 * pointing into the message: wct words at words, bcc bytes at bytes.
 * off is the offset of WordCount in the message, end the offset just
 * past the data block, bytes_off the offset of the data block (strings
 * are aligned relative to the header start).
 */
struct smb1_block {
	uint8_t wct;
	const uint8_t *words;
	uint16_t bcc;
	const uint8_t *bytes;
	size_t off;
	size_t bytes_off;
	size_t end;
};

/*
 * Decode the blocks at offset off of msg (len bytes from the header
 * start). 0, WIRE_E_SHORT or WIRE_E_BOUNDS: nothing runs past len.
 */
int smb1_block_parse(const uint8_t *msg, size_t len, size_t off,
		     struct smb1_block *b) WIRE_WUR;

/* Parameter word i of b (0 if i is past wct: callers check wct first). */
static inline uint16_t smb1_word(const struct smb1_block *b, unsigned i)
{
	return i < b->wct ? wire_le16(b->words + 2 * i) : 0;
}
static inline uint32_t smb1_dword(const struct smb1_block *b, unsigned i)
{
	return (uint32_t)smb1_word(b, i) | ((uint32_t)smb1_word(b, i + 1) << 16);
}

/* Is cmd one whose parameter block starts with an AndX header? */
bool smb1_is_andx(uint8_t cmd);

/*
 * Walking an AndX chain [MS-CIFS §2.2.3.4]: the first command is the
 * header's; each AndX block names the next command and its offset. The
 * walk refuses a chain longer than max commands (WIRE_E_TOOBIG) and an
 * offset that does not move strictly forward past the previous parameter
 * block or lies outside the message (WIRE_E_BOUNDS), so it ends.
 */
struct smb1_andx_iter {
	const uint8_t *msg;
	size_t len;
	unsigned max;
	unsigned n;		/* commands returned so far */
	uint8_t next_cmd;	/* SMB1_COM_NO_ANDX_COMMAND: done */
	size_t next_off;
	size_t min_off;		/* the next block must start here or later */
};

void smb1_andx_start(struct smb1_andx_iter *it, const uint8_t *msg,
		     size_t len, uint8_t first_cmd, unsigned max);

/*
 * The next command of the chain: 1 with *cmd and *b set, 0 at the end,
 * or a negative wire error (the chain is then over).
 */
int smb1_andx_next(struct smb1_andx_iter *it, uint8_t *cmd,
		   struct smb1_block *b) WIRE_WUR;

/*
 * The dialect list of a NEGOTIATE request [MS-CIFS §2.2.4.52.1]: 0x02
 * followed by a NUL-terminated name, repeated. nt1 is the index of
 * "NT LM 0.12" (-1 if absent); smb2 is set if "SMB 2.002" or "SMB 2.???"
 * is offered. 0 or WIRE_E_INVALID (a malformed list; an empty one is
 * valid and has nt1 -1).
 */
struct smb1_dialects {
	int nt1;
	bool smb2;
	unsigned count;
};
int smb1_parse_dialects(const uint8_t *p, size_t n,
			struct smb1_dialects *d) WIRE_WUR;

/*
 * A string of the data block at offset off of msg (offsets from the
 * header start) ending at or before end: UTF-16LE (after a pad byte to an
 * even offset) or ASCII/OEM, NUL-terminated or ending at end. *out is a
 * talloc'd UTF-8 string on mem, *next the offset past it and its NUL.
 * 0, WIRE_E_BOUNDS, WIRE_E_INVALID (bad UTF-16) or WIRE_E_NOMEM.
 */
int smb1_pull_string(void *mem, const uint8_t *msg, size_t off, size_t end,
		     bool unicode, char **out, size_t *next) WIRE_WUR;

/*
 * A TRANS2 request or secondary [MS-CIFS §2.2.4.46.1, §2.2.4.47.1]:
 * counts and where this message's parameter and data bytes lie (offsets
 * from the header start, already checked against the message).
 */
struct smb1_trans2 {
	bool secondary;
	uint16_t total_param, total_data;
	uint16_t max_param, max_data;
	uint16_t param_count, param_off, param_disp;
	uint16_t data_count, data_off, data_disp;
	uint16_t subcommand;	/* Setup[0]; primary only */
	uint8_t setup_count;	/* primary only */
	uint16_t setup1;	/* Setup[1] (TRANS: a pipe's FID), or 0 */
};

/*
 * Decode the TRANS2 parameter block b of msg (primary when secondary is
 * false). 0, WIRE_E_SHORT (too few words), WIRE_E_BOUNDS (a buffer past
 * the message) or WIRE_E_INVALID (a count above its total, a
 * displacement past it, a primary without its subcommand).
 */
int smb1_trans2_parse(const uint8_t *msg, size_t len,
		      const struct smb1_block *b, bool secondary,
		      struct smb1_trans2 *t) WIRE_WUR;

/*
 * A TRANS request or secondary [MS-CIFS §2.2.4.33.1, §2.2.4.34.1]: the
 * same words as TRANS2 but a secondary has no FID word and a primary
 * may have no setup words (then subcommand is 0). The Name string
 * starts the primary's data block (b->bytes_off).
 */
int smb1_trans_parse(const uint8_t *msg, size_t len,
		     const struct smb1_block *b, bool secondary,
		     struct smb1_trans2 *t) WIRE_WUR;

/*
 * An NT_TRANSACT request or secondary [MS-CIFS §2.2.4.62.1,
 * §2.2.4.63.1]: 32-bit counts and offsets, checked against the message.
 */
struct smb1_nttrans {
	bool secondary;
	uint32_t total_param, total_data;
	uint32_t max_param, max_data;
	uint32_t param_count, param_off, param_disp;
	uint32_t data_count, data_off, data_disp;
	uint16_t function;	/* primary only */
	uint8_t setup_count;
	const uint8_t *setup;	/* setup_count words, in the message */
};
int smb1_nttrans_parse(const uint8_t *msg, size_t len,
		       const struct smb1_block *b, bool secondary,
		       struct smb1_nttrans *t) WIRE_WUR;

/* NT_TRANSACT functions [MS-CIFS §2.2.7] */
#define SMB1_NT_TRANSACT_CREATE			0x0001
#define SMB1_NT_TRANSACT_IOCTL			0x0002
#define SMB1_NT_TRANSACT_SET_SECURITY_DESC	0x0003
#define SMB1_NT_TRANSACT_NOTIFY_CHANGE		0x0004
#define SMB1_NT_TRANSACT_RENAME			0x0005
#define SMB1_NT_TRANSACT_QUERY_SECURITY_DESC	0x0006

/*
 * Where one message of a transaction (TRANS, TRANS2 or NT_TRANSACT, a
 * primary or a secondary) puts its pieces: the totals announced, and
 * this message's parameter and data bytes (offsets from the header
 * start, checked against the message by the parsers above) and their
 * displacements in the whole.
 */
struct smb1_trans_piece {
	uint32_t total_param, total_data;
	uint32_t param_count, param_off, param_disp;
	uint32_t data_count, data_off, data_disp;
};
void smb1_trans2_piece(const struct smb1_trans2 *t,
		       struct smb1_trans_piece *p);
void smb1_nttrans_piece(const struct smb1_nttrans *t,
			struct smb1_trans_piece *p);

/*
 * A transaction sent in pieces, whole again [MS-CIFS §3.3.5.33]: a new
 * message (talloc'd on mem in *out, *out_len bytes) made of hdr (32
 * bytes; its Command set to cmd: TRANS, TRANS2 or NT_TRANSACT), the
 * primary's wct parameter words with the counts and offsets set to carry
 * all of param and data, and a data block of lead (the bytes the
 * primary's data block had before its first piece: a TRANS's Name),
 * then param and data, each at a 4-byte aligned offset. The result
 * parses with smb1_trans*_parse as one message holding everything.
 * 0, WIRE_E_INVALID (cmd not one of the three, too few words),
 * WIRE_E_TOOBIG (offsets or the byte count past 16 bits where the
 * format has only 16) or WIRE_E_NOMEM.
 */
int smb1_trans_rebuild(void *mem, uint8_t cmd, const uint8_t *hdr,
		       uint8_t wct, const uint8_t *words, const uint8_t *lead,
		       size_t nlead, const uint8_t *param, uint32_t nparam,
		       const uint8_t *data, uint32_t ndata, uint8_t **out,
		       size_t *out_len) WIRE_WUR;

/*
 * NT_TRANSACT_CREATE parameters [MS-CIFS §2.2.7.1.1]: NT_CREATE_ANDX's
 * fields, the lengths of the security descriptor and EA list in the
 * data, and the name (53 bytes in; UTF-16 after a pad byte to an even
 * offset, NameLength bytes at most, trailing NULs dropped), talloc'd
 * on mem. 0, WIRE_E_SHORT, WIRE_E_BOUNDS (NameLength past the
 * parameters), WIRE_E_INVALID (bad UTF-16) or WIRE_E_NOMEM.
 */
struct smb1_nttrans_create {
	struct smb1_ntcreate c;	/* name_len unused */
	uint32_t sd_len;
	uint32_t ea_len;
	char *name;
};
int smb1_nttrans_create_parse(void *mem, const uint8_t *p, size_t n,
			      bool unicode,
			      struct smb1_nttrans_create *c) WIRE_WUR;

/* NT_TRANSACT_IOCTL setup [MS-CIFS §2.2.7.2.1]: 4 words. 0 or
 * WIRE_E_SHORT. */
struct smb1_nttrans_ioctl {
	uint32_t function;
	uint16_t fid;
	bool is_fsctl;
	uint8_t is_flags;
};
int smb1_nttrans_ioctl_parse(const struct smb1_nttrans *t,
			     struct smb1_nttrans_ioctl *io) WIRE_WUR;

/* NT_TRANSACT_NOTIFY_CHANGE setup [MS-CIFS §2.2.7.4.1]: 4 words. 0 or
 * WIRE_E_SHORT. */
struct smb1_nttrans_notify {
	uint32_t filter;
	uint16_t fid;
	bool watch_tree;
};
int smb1_nttrans_notify_parse(const struct smb1_nttrans *t,
			      struct smb1_nttrans_notify *nt) WIRE_WUR;

/* QUERY_SECURITY_DESC and SET_SECURITY_DESC parameters [MS-CIFS
 * §2.2.7.6.1, §2.2.7.3.1]: FID, Reserved, SecurityInformation. 0 or
 * WIRE_E_SHORT. */
int smb1_nttrans_secdesc_parse(const uint8_t *p, size_t n, uint16_t *fid,
			       uint32_t *secinfo) WIRE_WUR;

/*
 * The MD5 signature of an SMB1 message [MS-CIFS §3.1.5.1]: MD5 over
 * key then the message with the signature field holding seq (LE) and
 * four zero bytes; the first 8 bytes. smb1_sign writes it into msg;
 * smb1_check compares it (constant time) with what msg carries and
 * leaves msg as it was. msg must hold at least the header.
 */
void smb1_sign(const uint8_t *key, size_t key_len, uint8_t *msg, size_t len,
	       uint32_t seq);
bool smb1_check(const uint8_t *key, size_t key_len, uint8_t *msg, size_t len,
		uint32_t seq);

/* The DOS error for an NTSTATUS (class and code), for clients without
 * CAP_STATUS32 [MS-CIFS §2.2.2.4]. */
void smb1_dos_error(uint32_t ntstatus, uint8_t *eclass, uint16_t *code);

/* NT time (100 ns since 1601, UTC) as an SMB_DATE and SMB_TIME
 * [MS-CIFS §2.2.1.4.1-2] in UTC (the negotiated ServerTimeZone is 0):
 * date = (year - 1980) << 9 | month << 5 | day, time = hour << 11 |
 * minute << 5 | second / 2. Before 1980 or past 2107 both are 0. */
void smb1_nt_to_dos(uint64_t nt, uint16_t *date, uint16_t *time);

/* The other way: an SMB_DATE and SMB_TIME (UTC) as NT time; 0 when both
 * are 0 (no time given). A month out of 1..12 counts as January, day 0
 * as 1; other fields out of range (day 31 of February, hour 24) carry
 * over as the arithmetic falls. */
uint64_t smb1_dos_to_nt(uint16_t date, uint16_t time);

#endif
