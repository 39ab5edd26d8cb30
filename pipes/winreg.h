/*
 * winreg.h - inside pipes/: the remote registry service (winreg.c) and
 * the virtual tree it serves (winreg_tree.c). Not for smbd.
 */
#ifndef WG_PIPES_WINREG_H
#define WG_PIPES_WINREG_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include "pipes/rpc.h"

/* The predefined keys [MS-RRP §2.2.5]. */
#define WR_HKCR		0x80000000u
#define WR_HKCU		0x80000001u
#define WR_HKLM		0x80000002u
#define WR_HKU		0x80000003u
#define WR_HKPD		0x80000004u
#define WR_HKCC		0x80000005u
#define WR_HKPT		0x80000050u
#define WR_HKPN		0x80000060u

/* Value types. */
#define WR_REG_SZ	1u
#define WR_REG_BINARY	3u
#define WR_REG_DWORD	4u
#define WR_REG_LINK	6u
#define WR_REG_MULTI_SZ	7u

/* A value: name "" is the key's default value. data is the wire form. */
struct wr_value {
	const char *name;
	uint32_t type;
	const uint8_t *data;
	uint32_t len;
};

/* A key: subkeys in name order (no case), values in the order set. */
struct wr_key {
	const char *name;
	struct wr_key **subs;
	uint32_t n_subs;
	struct wr_value *values;
	uint32_t n_values;
};

struct wr_key_info {
	uint32_t n_subkeys, max_subkey_len;	/* bytes, no NUL */
	uint32_t n_values, max_value_name_len;	/* bytes, no NUL */
	uint32_t max_value_len;			/* bytes */
	uint32_t sd_len;
};

/*
 * The tree of a predefined key as the server stands now, a child of
 * call->mem (NULL: no memory, or not a hive we know):
 *  HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion: ProductName,
 *   CurrentVersion, CurrentBuildNumber (what srvsvc, SMB1 and NTLMSSP
 *   tell of the server);
 *  HKLM\SYSTEM\CurrentControlSet\Control\ProductOptions: ProductType;
 *  HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Shares: a
 *   REG_MULTI_SZ per share, as Windows keeps them;
 *  HKLM\SYSTEM\CurrentControlSet\Control\Print\Printers\<printer>;
 *  HKU: .DEFAULT and S-1-5-18, the profiles of a server nobody is
 *   logged on to; the other hives are empty.
 */
const struct wr_key *winreg_tree_hive(struct wg_rpc_call *call,
				      uint32_t hive);

/* The key at path below root ("" = root; "a\\b", no case); or NULL. */
const struct wr_key *winreg_tree_find(const struct wr_key *root,
				      const char *path);

/* The index-th subkey (NULL past the end); a value by name (no case). */
const struct wr_key *winreg_tree_sub(const struct wr_key *k, uint32_t i);
const struct wr_value *winreg_tree_value(const struct wr_key *k,
					 const char *name);
void winreg_tree_info(const struct wr_key *k, struct wr_key_info *out);

/*
 * base\sub with empty components dropped, a child of mem; NULL when sub
 * starts with a backslash (ERROR_BAD_PATHNAME) or no memory.
 */
char *winreg_path_join(TALLOC_CTX *mem, const char *base, const char *sub);

/*
 * Request decoders (winreg.c), exposed for the unit tests. Each reads
 * from in and returns 0 or -EPROTO (the stub does not decode; the
 * cursor is then anywhere) or -ENOMEM.
 *  server_name: PREGISTRY_SERVER_NAME, a unique pointer to one WCHAR;
 *  name: an RRP_UNICODE_STRING, *out "" when its buffer is NULL;
 *  buf_name: an RRP_UNICODE_STRING buffer offered for an answer (its
 *   MaximumLength in *size);
 *  opt_u32: a [unique] DWORD*;
 *  opt_data: a [unique, size_is, length_is] BYTE* (skipped).
 */
int winreg_pull_server_name(struct ndr_pull *in);
int winreg_pull_name(struct ndr_pull *in, char **out);
int winreg_pull_buf_name(struct ndr_pull *in, uint16_t *size);
int winreg_pull_opt_u32(struct ndr_pull *in, bool *present, uint32_t *v);
int winreg_pull_opt_data(struct ndr_pull *in, bool *present);
/*
 * valents: val_listIn and num_vals of QueryMultipleValues(2), an array
 * under in->mem (*n entries, each name "" when its buffer is NULL and
 * NULL when no name came).
 */
struct wr_valent;
int winreg_pull_valents(struct ndr_pull *in, struct wr_valent **out,
			uint32_t *n);

#endif
