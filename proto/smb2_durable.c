/*
 * smb2_durable.c - the durable handle create contexts (see the header).
 */
#include "proto/smb2_durable.h"

#include <string.h>

enum smb2_durable_kind smb2_durable_tag(const uint8_t tag[4])
{
	if (memcmp(tag, "DHnQ", 4) == 0) {
		return SMB2_DURABLE_V1_REQ;
	}
	if (memcmp(tag, "DHnC", 4) == 0) {
		return SMB2_DURABLE_V1_RECONNECT;
	}
	if (memcmp(tag, "DH2Q", 4) == 0) {
		return SMB2_DURABLE_V2_REQ;
	}
	if (memcmp(tag, "DH2C", 4) == 0) {
		return SMB2_DURABLE_V2_RECONNECT;
	}
	return SMB2_DURABLE_NONE;
}

static int pull_fid(struct wire_rd *r, struct smb2_durable_ctx *c)
{
	if (wire_get_u64le(r, &c->fid_persistent) != 0 ||
	    wire_get_u64le(r, &c->fid_volatile) != 0) {
		return -1;
	}
	return 0;
}

void smb2_durable_add(struct smb2_durable_ctx *c, enum smb2_durable_kind kind,
		      const struct wire_rd *data)
{
	struct wire_rd r = *data;
	uint8_t bit = (uint8_t)(1u << kind);
	int rc = 0;

	if (kind == SMB2_DURABLE_NONE) {
		return;
	}
	if (c->seen & bit) {
		c->dup = true;
		return;
	}
	c->seen |= bit;
	switch (kind) {
	case SMB2_DURABLE_V1_REQ:
		rc = wire_skip(&r, SMB2_DHNQ_SIZE);
		break;
	case SMB2_DURABLE_V1_RECONNECT:
		rc = pull_fid(&r, c);
		break;
	case SMB2_DURABLE_V2_REQ:
		if (wire_get_u32le(&r, &c->timeout_ms) != 0 ||
		    wire_get_u32le(&r, &c->flags) != 0 ||
		    wire_skip(&r, 8) != 0 ||
		    wire_get_bytes(&r, c->create_guid, 16) != 0) {
			rc = -1;
		}
		break;
	case SMB2_DURABLE_V2_RECONNECT:
		if (pull_fid(&r, c) != 0 ||
		    wire_get_bytes(&r, c->create_guid, 16) != 0 ||
		    wire_get_u32le(&r, &c->flags) != 0) {
			rc = -1;
		}
		break;
	default:
		break;
	}
	if (rc != 0) {
		c->bad = true;
	}
}

#define BIT(k)	((uint8_t)(1u << (k)))

int smb2_durable_pick(const struct smb2_durable_ctx *c, bool v2_ok,
		      enum smb2_durable_kind *kind)
{
	uint8_t v1 = BIT(SMB2_DURABLE_V1_REQ) | BIT(SMB2_DURABLE_V1_RECONNECT);
	uint8_t v2 = BIT(SMB2_DURABLE_V2_REQ) | BIT(SMB2_DURABLE_V2_RECONNECT);
	uint8_t seen = c->seen;

	*kind = SMB2_DURABLE_NONE;
	if (!v2_ok) {
		seen &= (uint8_t)~v2;	/* not looked at below SMB 3.0 */
	}
	if (seen == 0) {
		return 0;
	}
	if (c->dup || c->bad) {
		return -1;
	}
	if ((seen & v1) != 0 && (seen & v2) != 0) {
		return -1;
	}
	if ((seen & v2) == v2) {
		return -1;	/* a v2 request and reconnect together */
	}
	if ((seen & v1) == v1) {
		/* DHnC wins over DHnQ [MS-SMB2 §3.3.5.9.7] */
		*kind = SMB2_DURABLE_V1_RECONNECT;
		return 0;
	}
	for (int k = SMB2_DURABLE_V1_REQ; k <= SMB2_DURABLE_V2_RECONNECT;
	     k++) {
		if (seen & BIT(k)) {
			*kind = (enum smb2_durable_kind)k;
		}
	}
	return 0;
}

void smb2_dhnq_resp(uint8_t out[SMB2_DHNQ_RESP_SIZE])
{
	memset(out, 0, SMB2_DHNQ_RESP_SIZE);
}

void smb2_dh2q_resp(uint8_t out[SMB2_DH2Q_RESP_SIZE], uint32_t timeout_ms,
		    uint32_t flags)
{
	wire_setle32(out, timeout_ms);
	wire_setle32(out + 4, flags);
}

/* {6AA6BC45-A7EF-4AF7-9008-FA462E144D74} as it goes on the wire */
static const uint8_t app_instance_tag[SMB2_APP_INSTANCE_TAG_SIZE] = {
	0x45, 0xBC, 0xA6, 0x6A, 0xEF, 0xA7, 0xF7, 0x4A,
	0x90, 0x08, 0xFA, 0x46, 0x2E, 0x14, 0x4D, 0x74,
};

bool smb2_app_instance_tag(const uint8_t *name, size_t len)
{
	return len == SMB2_APP_INSTANCE_TAG_SIZE &&
	       memcmp(name, app_instance_tag, len) == 0;
}

int smb2_app_instance_pull(const struct wire_rd *data, uint8_t id[16])
{
	struct wire_rd r = *data;
	uint16_t size = 0, reserved = 0;
	uint8_t tmp[16];

	if (wire_get_u16le(&r, &size) != 0 ||
	    wire_get_u16le(&r, &reserved) != 0 ||
	    wire_get_bytes(&r, tmp, sizeof(tmp)) != 0 ||
	    size != SMB2_APP_INSTANCE_SIZE) {
		return -1;
	}
	memcpy(id, tmp, sizeof(tmp));
	return 0;
}
