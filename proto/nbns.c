/*
 * nbns.c - NetBIOS name service packets (see nbns.h). Written from RFC
 * 1001 §14.1 (first-level encoding) and RFC 1002 §4.1-4.2 (names,
 * header, NAME QUERY and NODE STATUS).
 */
#include "proto/nbns.h"

#include <string.h>

#define ENCODED_LEN		32	/* 16 bytes, two letters each */
#define NAME_LEN		15	/* the suffix is the 16th byte */
#define LABEL_MAX		63
#define NAME_WIRE_MAX		255
#define LABEL_PTR		0xC0
#define STATS_LEN		46	/* §4.2.18 STATISTICS */
#define RR_FIXED_LEN		10	/* type, class, TTL, RDLENGTH */
#define NAME_RR_LEN		(1 + ENCODED_LEN + 1)
#define STATUS_ENTRY_LEN	18	/* 16-byte name, NAME_FLAGS */

static int nibble(uint8_t c)
{
	if (c < 'A' || c > 'P') {
		return -1;
	}
	return c - 'A';
}

/* The 32 letters into 16 bytes, then name and suffix for matching. */
static int decode_label(const uint8_t *enc, struct nbns_question *q)
{
	size_t len = NAME_LEN;

	for (size_t i = 0; i < sizeof(q->raw); i++) {
		int hi = nibble(enc[2 * i]);
		int lo = nibble(enc[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return WIRE_E_INVALID;
		}
		q->raw[i] = (uint8_t)(hi << 4 | lo);
	}
	while (len > 0 && (q->raw[len - 1] == ' ' || q->raw[len - 1] == 0)) {
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		if (q->raw[i] < 0x20 || q->raw[i] == 0x7F) {
			return WIRE_E_INVALID;
		}
	}
	memcpy(q->name.name, q->raw, len);
	q->name.name[len] = '\0';
	q->name.suffix = q->raw[NAME_LEN];
	return 0;
}

int nbns_name_pull(struct wire_rd *r, struct nbns_question *q)
{
	struct nbns_question out = *q;
	size_t pos = r->off;
	size_t end = 0;		/* where the cursor goes; 0 = not yet */
	size_t total = 0;
	unsigned hops = 0;
	bool first = true;

	out.has_scope = false;
	for (;;) {
		uint8_t len = 0;

		if (pos >= r->len) {
			return WIRE_E_SHORT;
		}
		len = r->base[pos];
		if ((len & LABEL_PTR) == LABEL_PTR) {
			size_t target = 0;

			if (r->len - pos < 2) {
				return WIRE_E_SHORT;
			}
			target = (size_t)(len & 0x3F) << 8 | r->base[pos + 1];
			/* backwards only, and only so often */
			if (target >= pos || ++hops > NBNS_MAX_POINTERS) {
				return WIRE_E_INVALID;
			}
			if (end == 0) {
				end = pos + 2;
			}
			pos = target;
			continue;
		}
		if ((len & LABEL_PTR) != 0) {
			return WIRE_E_INVALID;	/* 0x40, 0x80: reserved */
		}
		if (len == 0) {
			if (first) {
				return WIRE_E_INVALID;
			}
			if (end == 0) {
				end = pos + 1;
			}
			break;
		}
		total += 1u + len;
		if (total + 1 > NAME_WIRE_MAX) {
			return WIRE_E_INVALID;
		}
		if (r->len - pos - 1 < len) {
			return WIRE_E_SHORT;
		}
		if (first) {
			int rc = 0;

			if (len != ENCODED_LEN) {
				return WIRE_E_INVALID;
			}
			rc = decode_label(r->base + pos + 1, &out);
			if (rc != 0) {
				return rc;
			}
			first = false;
		} else {
			out.has_scope = true;
		}
		pos += 1u + len;
	}
	*q = out;
	r->off = end;
	return 0;
}

static int header_pull(struct wire_rd *r, struct nbns_header *h)
{
	uint16_t flags = 0;

	if (wire_left(r) < NBNS_HDR_LEN) {
		return WIRE_E_SHORT;
	}
	if (wire_get_u16be(r, &h->trn_id) != 0 ||
	    wire_get_u16be(r, &flags) != 0 ||
	    wire_get_u16be(r, &h->qdcount) != 0 ||
	    wire_get_u16be(r, &h->ancount) != 0 ||
	    wire_get_u16be(r, &h->nscount) != 0 ||
	    wire_get_u16be(r, &h->arcount) != 0) {
		return WIRE_E_SHORT;
	}
	h->response = (flags & 0x8000) != 0;
	h->opcode = (uint8_t)((flags >> 11) & 0x0F);
	h->nm_flags = (uint8_t)((flags >> 4) & 0x7F);
	h->rcode = (uint8_t)(flags & 0x0F);
	return 0;
}

int nbns_request_pull(const uint8_t *pkt, size_t len, struct nbns_header *h,
		      struct nbns_question *q)
{
	struct wire_rd r = {};
	struct nbns_header hdr = {};
	struct nbns_question qq = {};
	int rc = 0;

	wire_rd_init(&r, pkt, len);
	rc = header_pull(&r, &hdr);
	if (rc != 0) {
		return rc;
	}
	if (hdr.response || hdr.opcode != NBNS_OPCODE_QUERY) {
		/* registrations, releases, other nodes' answers */
		*h = hdr;
		return WIRE_E_UNSUPPORTED;
	}
	if (hdr.qdcount == 0) {
		return WIRE_E_INVALID;
	}
	if (hdr.qdcount != 1 || hdr.ancount != 0 || hdr.nscount != 0) {
		*h = hdr;
		return WIRE_E_UNSUPPORTED;
	}
	rc = nbns_name_pull(&r, &qq);
	if (rc != 0) {
		return rc;
	}
	if (wire_get_u16be(&r, &qq.type) != 0 ||
	    wire_get_u16be(&r, &qq.qclass) != 0) {
		return WIRE_E_SHORT;
	}
	*h = hdr;
	*q = qq;
	if ((qq.type != NBNS_TYPE_NB && qq.type != NBNS_TYPE_NBSTAT) ||
	    qq.qclass != NBNS_CLASS_IN) {
		return WIRE_E_UNSUPPORTED;
	}
	return 0;
}

static void header_push(struct wire_wr *w, uint16_t trn_id, bool response,
			uint8_t nm_flags, uint16_t qd, uint16_t an)
{
	uint16_t flags = (uint16_t)((response ? 0x8000 : 0) |
				    (NBNS_OPCODE_QUERY << 11) |
				    ((nm_flags & 0x7F) << 4));

	wire_put_u16be(w, trn_id);
	wire_put_u16be(w, flags);
	wire_put_u16be(w, qd);
	wire_put_u16be(w, an);
	wire_put_u16be(w, 0);
	wire_put_u16be(w, 0);
}

/* 16 raw bytes as a first-level-encoded name without scope. */
static void raw_name_push(struct wire_wr *w, const uint8_t raw[16])
{
	uint8_t enc[ENCODED_LEN];

	for (size_t i = 0; i < 16; i++) {
		enc[2 * i] = (uint8_t)('A' + (raw[i] >> 4));
		enc[2 * i + 1] = (uint8_t)('A' + (raw[i] & 0x0F));
	}
	wire_put_u8(w, ENCODED_LEN);
	wire_put_bytes(w, enc, sizeof(enc));
	wire_put_u8(w, 0);
}

/* Name and suffix as 16 bytes: padded with spaces ("*" with NULs). */
static void name_to_raw(const struct nbt_name *n, uint8_t raw[16])
{
	size_t len = strnlen(n->name, NAME_LEN);
	uint8_t pad = strcmp(n->name, "*") == 0 ? 0 : ' ';

	memset(raw, pad, NAME_LEN);
	memcpy(raw, n->name, len);
	raw[NAME_LEN] = n->suffix;
}

void nbns_request_push(struct wire_wr *w, uint16_t trn_id, uint8_t nm_flags,
		       const struct nbt_name *name, uint16_t type)
{
	uint8_t raw[16];

	name_to_raw(name, raw);
	header_push(w, trn_id, false, nm_flags, 1, 0);
	raw_name_push(w, raw);
	wire_put_u16be(w, type);
	wire_put_u16be(w, NBNS_CLASS_IN);
}

void nbns_name_query_response_push(struct wire_wr *w, uint16_t trn_id,
				   bool rd, const struct nbns_question *q,
				   uint32_t ttl, uint16_t nb_flags,
				   uint32_t ipv4)
{
	header_push(w, trn_id, true, NBNS_NM_AA | (rd ? NBNS_NM_RD : 0), 0,
		    1);
	raw_name_push(w, q->raw);
	wire_put_u16be(w, NBNS_TYPE_NB);
	wire_put_u16be(w, NBNS_CLASS_IN);
	wire_put_u32be(w, ttl);
	wire_put_u16be(w, 6);
	wire_put_u16be(w, nb_flags);
	/* network byte order already: copy the bytes as they are */
	wire_put_bytes(w, &ipv4, 4);
}

size_t nbns_status_response_len(size_t n)
{
	return NBNS_HDR_LEN + NAME_RR_LEN + RR_FIXED_LEN + 1 +
	       n * STATUS_ENTRY_LEN + STATS_LEN;
}

void nbns_node_status_response_push(struct wire_wr *w, uint16_t trn_id,
				    const struct nbns_question *q,
				    const struct nbns_status_name *names,
				    size_t n, const uint8_t mac[6])
{
	if (n > NBNS_STATUS_MAX_NAMES) {
		if (w->err == 0) {
			w->err = WIRE_E_TOOBIG;
		}
		return;
	}
	header_push(w, trn_id, true, NBNS_NM_AA, 0, 1);
	raw_name_push(w, q->raw);
	wire_put_u16be(w, NBNS_TYPE_NBSTAT);
	wire_put_u16be(w, NBNS_CLASS_IN);
	wire_put_u32be(w, 0);
	wire_put_u16be(w, (uint16_t)(1 + n * STATUS_ENTRY_LEN + STATS_LEN));
	wire_put_u8(w, (uint8_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t raw[16];
		size_t len = strnlen(names[i].name.name, NAME_LEN);

		memset(raw, ' ', NAME_LEN);
		memcpy(raw, names[i].name.name, len);
		raw[NAME_LEN] = names[i].name.suffix;
		wire_put_bytes(w, raw, sizeof(raw));
		wire_put_u16be(w, names[i].flags);
	}
	wire_put_bytes(w, mac, 6);
	wire_put_zero(w, STATS_LEN - 6);
}
