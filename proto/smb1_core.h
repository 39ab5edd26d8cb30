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

#endif
