/*
 * smb2_lease.c - the lease create context, break notification and break
 * acknowledgment codecs (smb2_lease.h).
 */
#include "proto/smb2_lease.h"

#include <string.h>

int smb2_lease_ctx_pull(const struct wire_rd *d, bool v2_ok,
			struct smb2_lease *l)
{
	struct wire_rd r = *d;
	struct smb2_lease t = { .version = 1 };
	uint16_t resv = 0;

	if (d->len < SMB2_LEASE_V1_SIZE) {
		return WIRE_E_SHORT;
	}
	if (wire_get_bytes(&r, t.key, 16) != 0 ||
	    wire_get_u32le(&r, &t.state) != 0 ||
	    wire_get_u32le(&r, &t.flags) != 0 ||
	    wire_get_u64le(&r, &t.duration) != 0) {
		return WIRE_E_SHORT;
	}
	if (v2_ok && d->len >= SMB2_LEASE_V2_SIZE) {
		t.version = 2;
		if (wire_get_bytes(&r, t.parent_key, 16) != 0 ||
		    wire_get_u16le(&r, &t.epoch) != 0 ||
		    wire_get_u16le(&r, &resv) != 0) {
			return WIRE_E_SHORT;
		}
	}
	*l = t;
	return 0;
}

void smb2_lease_ctx_push(struct wire_wr *w, const struct smb2_lease *l)
{
	wire_put_bytes(w, l->key, 16);
	wire_put_u32le(w, l->state);
	wire_put_u32le(w, l->flags);
	wire_put_u64le(w, l->duration);
	if (l->version == 2) {
		wire_put_bytes(w, l->parent_key, 16);
		wire_put_u16le(w, l->epoch);
		wire_put_u16le(w, 0);		/* Reserved */
	}
}

void smb2_lease_break_push(struct wire_wr *w, const struct smb2_lease_break *b)
{
	wire_put_u16le(w, SMB2_LEASE_BREAK_SIZE);
	wire_put_u16le(w, b->epoch);
	wire_put_u32le(w, b->flags);
	wire_put_bytes(w, b->key, 16);
	wire_put_u32le(w, b->current);
	wire_put_u32le(w, b->new_state);
	wire_put_u32le(w, 0);		/* BreakReason */
	wire_put_u32le(w, 0);		/* AccessMaskHint */
	wire_put_u32le(w, 0);		/* ShareMaskHint */
}

int smb2_lease_ack_pull(struct wire_rd *r, struct smb2_lease_ack *a)
{
	struct wire_rd t = *r;
	struct smb2_lease_ack v = {};
	uint16_t ssize = 0, resv = 0;

	if (wire_get_u16le(&t, &ssize) != 0) {
		return WIRE_E_SHORT;
	}
	if (ssize != SMB2_LEASE_ACK_SIZE) {
		return WIRE_E_INVALID;
	}
	if (wire_get_u16le(&t, &resv) != 0 ||
	    wire_get_u32le(&t, &v.flags) != 0 ||
	    wire_get_bytes(&t, v.key, 16) != 0 ||
	    wire_get_u32le(&t, &v.state) != 0 ||
	    wire_get_u64le(&t, &v.duration) != 0) {
		return WIRE_E_SHORT;
	}
	*a = v;
	*r = t;
	return 0;
}

void smb2_lease_ack_push(struct wire_wr *w, const struct smb2_lease_ack *a)
{
	wire_put_u16le(w, SMB2_LEASE_ACK_SIZE);
	wire_put_u16le(w, 0);		/* Reserved */
	wire_put_u32le(w, a->flags);
	wire_put_bytes(w, a->key, 16);
	wire_put_u32le(w, a->state);
	wire_put_u64le(w, a->duration);
}
