/*
 * fscc_ea.h - extended attribute lists [MS-FSCC §2.4.15, §2.4.15.1]:
 * the FILE_FULL_EA_INFORMATION chain (CREATE's ExtA context, SET_INFO and
 * the QUERY_INFO answer) and the FILE_GET_EA_INFORMATION chain (the names
 * a QUERY_INFO asks for), and the rules an EA name obeys. A pure codec:
 * where EAs are kept and which NTSTATUS a request earns is smbd/fs/ea.c's
 * and the commands'.
 *
 * Pulled entries point into the buffer they came from (zero copy): keep
 * the buffer as long as the entries. Every name is checked to end with
 * its NUL inside its entry, so name is a C string of name_len bytes.
 */
#ifndef WG_PROTO_FSCC_EA_H
#define WG_PROTO_FSCC_EA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

/* FILE_FULL_EA_INFORMATION.Flags [MS-FSCC §2.4.15] */
#define FSCC_FILE_NEED_EA		0x80u
/* NextEntryOffset, Flags, EaNameLength, EaValueLength */
#define FSCC_EA_FULL_FIXED		8u
/* NextEntryOffset, EaNameLength */
#define FSCC_EA_GET_FIXED		5u
/* A file's EAs, packed as a FILE_FULL_EA_INFORMATION list, may take no
 * more than 64 KiB - 5 bytes [MS-FSA §2.1.5.15.5]. */
#define FSCC_EA_MAX_TOTAL		(65536u - 5u)

struct fscc_ea {
	uint8_t flags;		/* 0 or FSCC_FILE_NEED_EA */
	uint8_t name_len;	/* bytes, without the NUL */
	uint16_t value_len;
	const char *name;	/* NUL-terminated */
	const uint8_t *value;	/* value_len bytes; NULL if 0 */
};

/*
 * Pull a FILE_FULL_EA_INFORMATION chain from buf[0, len). Each entry
 * must hold its name, the name's NUL and its value; each NextEntryOffset
 * must be a multiple of 4 past that and inside the buffer; bytes after
 * the last entry are ignored. *eas is a talloc array under mem (NULL
 * when n is 0, which only an empty buffer gives). At most max entries.
 * Returns 0, WIRE_E_INVALID (an inconsistent list: the caller answers
 * STATUS_EA_LIST_INCONSISTENT), WIRE_E_TOOBIG (more than max entries)
 * or WIRE_E_NOMEM. Names are not checked here: fscc_ea_name_valid().
 * Each name and value points into buf (an entry starts 8 bytes before
 * its name), which must outlive *eas.
 */
int fscc_ea_full_pull(void *mem, const uint8_t *buf, size_t len, size_t max,
		      struct fscc_ea **eas, size_t *n) WIRE_WUR;

/*
 * Pull a FILE_GET_EA_INFORMATION chain (names only: flags, value_len 0,
 * value NULL), with the same rules and returns as fscc_ea_full_pull().
 */
int fscc_ea_get_pull(void *mem, const uint8_t *buf, size_t len, size_t max,
		     struct fscc_ea **eas, size_t *n) WIRE_WUR;

/*
 * Is name[0, len) a well-formed EA name [MS-FSCC §2.4.15]: 1 to 255
 * bytes, none of them a control character (0x00-0x1F) or one of
 * " * + , / : ; < = > ? [ \ ] |.
 */
bool fscc_ea_name_valid(const char *name, size_t len);

/* Bytes one FILE_FULL_EA_INFORMATION entry takes, before padding. */
size_t fscc_ea_entry_size(size_t name_len, size_t value_len);

/*
 * Bytes the chain of eas[0, n) takes: every entry but the last padded to
 * 4 bytes, as fscc_ea_full_push() writes it. 0 for n == 0.
 */
size_t fscc_ea_list_size(const struct fscc_ea *eas, size_t n);

/*
 * Append eas[0, n) to w as a chain, each entry but the last padded to 4
 * bytes with zeros, the last NextEntryOffset 0. Writes as many leading
 * entries as fit in max bytes and returns how many that was (0: not even
 * the first fits, nothing written).
 */
size_t fscc_ea_full_push(struct wire_wr *w, const struct fscc_ea *eas,
			 size_t n, size_t max);

/*
 * The SMB1 forms of the same lists [MS-CIFS §2.2.1.2]: SMB_FEA_LIST
 * (SizeOfListInBytes, then SMB_FEA entries ExtendedAttributeFlag,
 * AttributeNameLengthInBytes, AttributeValueLengthInBytes, the OEM name,
 * its NUL, the value; no padding) and SMB_GEA_LIST (SizeOfListInBytes,
 * then SMB_GEA entries AttributeNameLengthInBytes, the name, its NUL).
 * SizeOfListInBytes counts itself and must lie within the buffer; bytes
 * after it are ignored, and the entries must fill it exactly.
 */
#define SMB1_EA_LIST_FIXED		4u
#define SMB1_FEA_FIXED			4u
#define SMB1_GEA_FIXED			1u

/*
 * Pull an SMB_FEA_LIST (fea true) or SMB_GEA_LIST (names only) from
 * buf[0, len), entries pointing into buf as fscc_ea_full_pull()'s do.
 * *eas is a talloc array under mem (NULL when n is 0: an empty list).
 * At most max entries. Returns 0, WIRE_E_SHORT (no SizeOfListInBytes),
 * WIRE_E_INVALID (a size or entry out of bounds, a name without its
 * NUL: the caller answers STATUS_EA_LIST_INCONSISTENT), WIRE_E_TOOBIG or
 * WIRE_E_NOMEM. Names are not checked here: fscc_ea_name_valid().
 */
int smb1_ea_list_pull(void *mem, const uint8_t *buf, size_t len, bool fea,
		      size_t max, struct fscc_ea **eas, size_t *n) WIRE_WUR;

/* Bytes the SMB_FEA_LIST of eas[0, n) takes, SizeOfListInBytes too. */
size_t smb1_fea_list_size(const struct fscc_ea *eas, size_t n);

/* Append eas[0, n) to w as an SMB_FEA_LIST (smb1_fea_list_size()
 * bytes; the caller keeps it below 4 GiB). */
void smb1_fea_list_push(struct wire_wr *w, const struct fscc_ea *eas,
			size_t n);

#endif
