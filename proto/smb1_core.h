/*
 * smb1_core.h - SMB1 requests of the older clients [MS-CIFS]: the
 * SESSION_SETUP_ANDX without extended security (13 words: passwords in
 * the clear of the data block), the core-protocol SEARCH (0x81) with its
 * resume keys, and the DOS/FCB share modes of OPEN_ANDX and OPEN. Pure
 * codecs, no I/O.
 */
#ifndef WG_PROTO_SMB1_CORE_H
#define WG_PROTO_SMB1_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/wire.h"
#include "proto/smb1.h"

/*
 * SESSION_SETUP_ANDX, NT LM 0.12 without extended security
 * [MS-CIFS §2.2.4.53.1]: 13 words; the data block holds the OEM (LM
 * slot) and Unicode (NT slot) passwords, then AccountName, PrimaryDomain,
 * NativeOS and NativeLanMan (UTF-16 after a pad when unicode). The
 * password pointers point into msg; the strings are talloc'd on mem
 * ("" when the block ends before them).
 */
struct smb1_setup_nt {
	uint16_t max_buffer;
	uint16_t max_mpx;
	uint16_t vc_number;
	uint32_t caps;
	const uint8_t *lm;
	uint16_t lm_len;
	const uint8_t *nt;
	uint16_t nt_len;
	char *user;
	char *domain;
	char *native_os;
	char *native_lanman;
};

/*
 * Decode b (of msg, len bytes). 0, WIRE_E_SHORT (not 13 words),
 * WIRE_E_BOUNDS (passwords past the data block), WIRE_E_INVALID (bad
 * UTF-16) or WIRE_E_NOMEM.
 */
int smb1_setup_nt_parse(void *mem, const uint8_t *msg, size_t len,
			const struct smb1_block *b, bool unicode,
			struct smb1_setup_nt *s) WIRE_WUR;

/* ---- SEARCH, FIND, FIND_UNIQUE, FIND_CLOSE [MS-CIFS §2.2.4.58-61]:
 * one request form ---- */

#define SMB1_COM_SEARCH			0x81
#define SMB1_COM_FIND			0x82
#define SMB1_COM_FIND_UNIQUE		0x83
#define SMB1_COM_FIND_CLOSE		0x84
#define SMB1_RESUME_KEY_LEN		21
/* SMB_Directory_Information */
#define SMB1_DIR_INFO_LEN		43

/*
 * The request: MaxCount and SearchAttributes, then the 0x04 FileName
 * (client form, talloc'd on mem; "" allowed) and the 0x05 resume key
 * block (NULL when its length is 0, else 21 bytes in msg).
 */
struct smb1_search_req {
	uint16_t max_count;
	uint16_t attrs;
	char *pattern;
	const uint8_t *resume_key;
};

/* 0, WIRE_E_SHORT (fewer than 2 words), WIRE_E_BOUNDS, WIRE_E_INVALID
 * (a missing buffer format, a resume key neither 0 nor 21 bytes, bad
 * UTF-16) or WIRE_E_NOMEM. */
int smb1_search_parse(void *mem, const uint8_t *msg, size_t len,
		      const struct smb1_block *b, bool unicode,
		      struct smb1_search_req *q) WIRE_WUR;

/*
 * What the server keeps in a resume key's ServerState: the entry's name
 * in 11-byte 8.3 form ("NAME    EXT"), then the search id and the index
 * of the entry after it. ClientState is the client's, echoed.
 */
struct smb1_resume {
	uint16_t sid;
	uint32_t next;		/* < 2^24 */
	uint8_t client_state[4];
};
void smb1_resume_decode(const uint8_t key[SMB1_RESUME_KEY_LEN],
			struct smb1_resume *k);

/* The 11-byte 8.3 form of an 8.3 name (".", ".." kept as they are). */
void smb1_name_83_pad(const char *name83, uint8_t out[11]);

/* One SMB_Directory_Information entry [MS-CIFS §2.2.4.58.2]: 43 bytes.
 * name83 is an 8.3 name (at most 12 characters, longer is cut). */
struct smb1_dir_entry {
	const char *name83;
	uint8_t attrs;
	uint16_t write_date;
	uint16_t write_time;
	uint32_t size;
};
void smb1_dir_entry_put(struct wire_wr *w, const struct smb1_dir_entry *e,
			const struct smb1_resume *k);

/*
 * A core-protocol search pattern in the MS-FSA wildcard form
 * vfs_wildcard_match() takes: "*.*" means every name (a dot-less one
 * too), and in DOS matching '?' is '>', a '.' before a wildcard or the
 * end is '"', and a '*' before a '.' is '<'. Talloc'd on mem; NULL on
 * no memory.
 */
char *smb1_core_pattern(void *mem, const char *pattern);

/* ---- DOS and FCB share modes [MS-CIFS §2.2.4.3.1, §3.2.4.5] ---- */

/*
 * What an OPEN / OPEN_ANDX AccessMode asks: its access class (0 read,
 * 1 write, 2 read/write, 3 execute), the share access it maps to, and the
 * compatibility-mode rules Windows applies (MS-CIFS §3.2.4.5.1 and the
 * product behaviour notes of §3.3.5.5):
 *  - deny all / write / read / none: share none / read / write / both;
 *  - compatibility (DOS) mode: an executable name (.EXE, .DLL, .SYM,
 *    .COM) shares read and write; otherwise a read-only open shares
 *    read, and one that writes shares nothing and is exclusive;
 *  - FCB mode (sharing 7, usually AccessMode 0xFF): read/write access
 *    whatever was asked, exclusive.
 * dos_or_fcb: the open is in compatibility or FCB mode, so it passes the
 * exclusive opens of the same client process (connection and PID);
 * exclusive: this open is such an exclusive one.
 */
struct smb1_dos_open {
	unsigned access_class;
	uint32_t share;
	bool dos_or_fcb;
	bool exclusive;
};

/* the core protocol's OPEN [MS-CIFS §2.2.4.3] */
#define SMB1_COM_OPEN	0x02
#define SMB1_DENY_DOS	0
#define SMB1_DENY_FCB	7

/* 0, or WIRE_E_INVALID (an access class or sharing mode with no
 * meaning). name is the file name as the client gave it. */
int smb1_dos_open_map(uint16_t access_mode, const char *name,
		      struct smb1_dos_open *o) WIRE_WUR;

/* Does name end in .EXE, .DLL, .SYM or .COM (any case)? */
bool smb1_name_is_executable(const char *name);

#endif
