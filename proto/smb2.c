/*
 * smb2.c - SMB2 header codec and names.
 */
#include "proto/smb2.h"

#include <string.h>
#include <strings.h>

int smb2_hdr_pull(struct wire_rd *r, struct smb2_hdr *h)
{
	struct wire_rd c = *r;
	uint8_t magic[4];
	uint16_t size = 0;
	uint64_t word = 0;
	int rc = 0;

	if (wire_left(&c) < SMB2_HDR_SIZE) {
		return WIRE_E_SHORT;
	}
	rc = wire_get_bytes(&c, magic, 4);
	if (rc != 0) {
		return rc;
	}
	if (memcmp(magic, SMB2_MAGIC, 4) != 0) {
		return WIRE_E_INVALID;
	}
	/* The length check above covers every fixed field below. */
	rc = wire_get_u16le(&c, &size);
	rc |= wire_get_u16le(&c, &h->credit_charge);
	rc |= wire_get_u32le(&c, &h->status);
	rc |= wire_get_u16le(&c, &h->command);
	rc |= wire_get_u16le(&c, &h->credits);
	rc |= wire_get_u32le(&c, &h->flags);
	rc |= wire_get_u32le(&c, &h->next_command);
	rc |= wire_get_u64le(&c, &h->message_id);
	rc |= wire_get_u64le(&c, &word);
	rc |= wire_get_u64le(&c, &h->session_id);
	rc |= wire_get_bytes(&c, h->signature, 16);
	if (rc != 0) {
		return WIRE_E_SHORT;
	}
	if (size != SMB2_HDR_SIZE) {
		return WIRE_E_INVALID;
	}
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
		h->async_id = word;
		h->reserved = 0;
		h->tree_id = 0;
	} else {
		h->async_id = 0;
		h->reserved = (uint32_t)word;
		h->tree_id = (uint32_t)(word >> 32);
	}
	*r = c;
	return 0;
}

void smb2_hdr_push(struct wire_wr *w, const struct smb2_hdr *h)
{
	uint8_t *p = NULL;

	/* one reservation, then every field in place: a header goes out
	 * with every response, and thirteen wire_put calls cost as much as
	 * the rest of a small reply */
	if (wire_wr_reserve(w, SMB2_HDR_SIZE) != 0) {
		return;
	}
	p = w->buf + w->len;
	memcpy(p, SMB2_MAGIC, 4);
	wire_setle16(p + 4, SMB2_HDR_SIZE);
	wire_setle16(p + 6, h->credit_charge);
	wire_setle32(p + 8, h->status);
	wire_setle16(p + 12, h->command);
	wire_setle16(p + 14, h->credits);
	wire_setle32(p + 16, h->flags);
	wire_setle32(p + 20, h->next_command);
	wire_setle64(p + 24, h->message_id);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
		wire_setle64(p + 32, h->async_id);
	} else {
		wire_setle32(p + 32, h->reserved);
		wire_setle32(p + 36, h->tree_id);
	}
	wire_setle64(p + 40, h->session_id);
	memcpy(p + 48, h->signature, 16);
	w->len += SMB2_HDR_SIZE;
}

void smb2_read_resp_push_fixed(struct wire_wr *w, uint32_t data_len)
{
	wire_put_u16le(w, SMB2_READ_RESP_SIZE);
	wire_put_u8(w, SMB2_READ_DATA_OFFSET);
	wire_put_u8(w, 0);		/* Reserved */
	wire_put_u32le(w, data_len);	/* DataLength */
	wire_put_u32le(w, 0);		/* DataRemaining */
	wire_put_u32le(w, 0);		/* Reserved2 */
}

void smb2_read_resp_push(struct wire_wr *w, const uint8_t *data,
			 uint32_t len)
{
	smb2_read_resp_push_fixed(w, len);
	if (len > 0) {
		wire_put_bytes(w, data, len);
	} else {
		wire_put_u8(w, 0);
	}
}

int smb2_oplock_break_pull(struct wire_rd *r, struct smb2_oplock_break *b)
{
	struct wire_rd t = *r;
	uint16_t ssize = 0;
	uint8_t level = 0, resv = 0;
	uint32_t resv2 = 0;
	uint64_t p = 0, v = 0;

	if (wire_get_u16le(&t, &ssize) != 0) {
		return WIRE_E_SHORT;
	}
	if (ssize == SMB2_LEASE_BREAK_ACK_SIZE) {
		return WIRE_E_UNSUPPORTED;
	}
	if (ssize != SMB2_OPLOCK_BREAK_SIZE) {
		return WIRE_E_INVALID;
	}
	if (wire_get_u8(&t, &level) != 0 ||
	    wire_get_u8(&t, &resv) != 0 ||
	    wire_get_u32le(&t, &resv2) != 0 ||
	    wire_get_u64le(&t, &p) != 0 ||
	    wire_get_u64le(&t, &v) != 0) {
		return WIRE_E_SHORT;
	}
	b->level = level;
	b->fid_persistent = p;
	b->fid_volatile = v;
	*r = t;
	return 0;
}

void smb2_oplock_break_push(struct wire_wr *w,
			    const struct smb2_oplock_break *b)
{
	wire_put_u16le(w, SMB2_OPLOCK_BREAK_SIZE);
	wire_put_u8(w, b->level);
	wire_put_u8(w, 0);		/* Reserved */
	wire_put_u32le(w, 0);		/* Reserved2 */
	wire_put_u64le(w, b->fid_persistent);
	wire_put_u64le(w, b->fid_volatile);
}

void smb2_write_resp_push(struct wire_wr *w, uint32_t count)
{
	wire_put_u16le(w, SMB2_WRITE_RESP_SIZE);
	wire_put_u16le(w, 0);		/* Reserved */
	wire_put_u32le(w, count);	/* Count */
	wire_put_u32le(w, 0);		/* Remaining */
	wire_put_u16le(w, 0);		/* WriteChannelInfoOffset */
	wire_put_u16le(w, 0);		/* WriteChannelInfoLength */
	wire_put_u8(w, 0);		/* the odd byte of StructureSize 17 */
}

/* The u32 at off in body, or 0 if the body is too short for it. */
static uint32_t body_u32(const uint8_t *body, size_t len, size_t off)
{
	struct wire_rd r;
	uint32_t v = 0;

	wire_rd_init(&r, body, len);
	if (wire_skip(&r, off) != 0 || wire_get_u32le(&r, &v) != 0) {
		return 0;
	}
	return v;
}

void smb2_req_payload(uint16_t command, const uint8_t *body, size_t len,
		      uint32_t *in, uint32_t *out)
{
	*in = 0;
	*out = 0;
	switch (command) {
	case SMB2_READ:
		*out = body_u32(body, len, 4);		/* Length */
		break;
	case SMB2_WRITE:
		*in = body_u32(body, len, 4);		/* Length */
		break;
	case SMB2_QUERY_DIRECTORY:
		*out = body_u32(body, len, 28);		/* OutputBufferLength */
		break;
	case SMB2_QUERY_INFO:
	case SMB2_CHANGE_NOTIFY:
		*out = body_u32(body, len, 4);		/* OutputBufferLength */
		break;
	case SMB2_SET_INFO:
		*in = body_u32(body, len, 4);		/* BufferLength */
		break;
	case SMB2_IOCTL:
		if (len >= 48) {
			*in = body_u32(body, len, 28);	/* InputCount */
			*out = body_u32(body, len, 44);	/* MaxOutputResponse */
		}
		break;
	default:
		break;
	}
}

static const char *const cmd_names[SMB2_NUM_CMDS] = {
	[SMB2_NEGOTIATE] = "NEGOTIATE",
	[SMB2_SESSION_SETUP] = "SESSION_SETUP",
	[SMB2_LOGOFF] = "LOGOFF",
	[SMB2_TREE_CONNECT] = "TREE_CONNECT",
	[SMB2_TREE_DISCONNECT] = "TREE_DISCONNECT",
	[SMB2_CREATE] = "CREATE",
	[SMB2_CLOSE] = "CLOSE",
	[SMB2_FLUSH] = "FLUSH",
	[SMB2_READ] = "READ",
	[SMB2_WRITE] = "WRITE",
	[SMB2_LOCK] = "LOCK",
	[SMB2_IOCTL] = "IOCTL",
	[SMB2_CANCEL] = "CANCEL",
	[SMB2_ECHO] = "ECHO",
	[SMB2_QUERY_DIRECTORY] = "QUERY_DIRECTORY",
	[SMB2_CHANGE_NOTIFY] = "CHANGE_NOTIFY",
	[SMB2_QUERY_INFO] = "QUERY_INFO",
	[SMB2_SET_INFO] = "SET_INFO",
	[SMB2_OPLOCK_BREAK] = "OPLOCK_BREAK",
};

const char *smb2_cmd_name(uint16_t cmd)
{
	if (cmd < SMB2_NUM_CMDS && cmd_names[cmd] != NULL) {
		return cmd_names[cmd];
	}
	return "UNKNOWN";
}

static const struct {
	uint16_t dialect;
	const char *name;
} dialects[] = {
	{ SMB2_DIALECT_202, "SMB2_02" },
	{ SMB2_DIALECT_210, "SMB2_10" },
	{ SMB2_DIALECT_300, "SMB3_00" },
	{ SMB2_DIALECT_302, "SMB3_02" },
	{ SMB2_DIALECT_311, "SMB3_11" },
};

const char *smb2_dialect_name(uint16_t dialect)
{
	size_t i = 0;

	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		if (dialects[i].dialect == dialect) {
			return dialects[i].name;
		}
	}
	return NULL;
}

uint16_t smb2_dialect_parse(const char *s, bool max)
{
	size_t i = 0;

	if (strcasecmp(s, "SMB2") == 0) {
		return max ? SMB2_DIALECT_210 : SMB2_DIALECT_202;
	}
	if (strcasecmp(s, "SMB3") == 0) {
		return max ? SMB2_DIALECT_311 : SMB2_DIALECT_300;
	}
	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		if (strcasecmp(dialects[i].name, s) == 0) {
			return dialects[i].dialect;
		}
	}
	return 0;
}
