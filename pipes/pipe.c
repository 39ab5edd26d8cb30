/*
 * pipe.c - named pipes on IPC$ and the DCE/RPC state machine behind them
 * (see pipe.h). One association per pipe: bind, then requests on the
 * contexts it accepted.
 *
 * Input: bytes are cut into fragments by frag_length; a fragment larger
 * than we agreed to receive breaks the stream (WG_PIPE_E_BROKEN). Request
 * fragments of one call (FIRST..LAST, same call_id, context and opnum)
 * are joined up to WG_RPC_MAX_REQUEST; past it the call is dropped with a
 * fault, its remaining fragments are skipped and the write returns
 * WG_PIPE_E_TOOBIG.
 *
 * Errors: every function here that can fail returns enum wg_pipe_err
 * (pipe.h). The WIRE_E_* codes of the proto/ decoders are kept in
 * variables named werr and decided on where they arise: a fault or a
 * bind_nak for the client, or a wg_pipe_err.
 *
 * Output: each answer is queued as whole PDUs; a response stub is cut
 * into fragments of at most max_xmit_frag bytes, each with alloc_hint =
 * the stub bytes left from its start. wg_pipe_read() hands out one PDU
 * at a time, in pieces if the caller's buffer is short.
 */
#include "pipes/pipe.h"
#include "pipes/rpc.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

/* Largest fragment we send or accept [MS-RPCE: 4280 on named pipes]. */
#define WG_RPC_MAX_FRAG		4280
/* Smallest fragment size a peer may ask for [C706 MustRecvFragSize]. */
#define WG_RPC_MIN_FRAG		1432
/* A reassembled request stub. */
#define WG_RPC_MAX_REQUEST	(1024 * 1024)
/* A response stub, and everything queued for reading. */
#define WG_RPC_MAX_RESPONSE	(8 * 1024 * 1024)
#define WG_RPC_MAX_PENDING	(16 * 1024 * 1024)
/* Presentation contexts one association may hold. */
#define WG_RPC_MAX_CONTEXTS	16

/* 6cb71c2c-9812-4540-: bind-time feature negotiation [MS-RPCE §3.3.1.5.3] */
static const uint8_t btfn_prefix[8] = {
	0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45,
};
/* The features we support (reason field of the negotiate_ack): none. */
#define WG_RPC_BTFN_FEATURES	0

struct out_pdu {
	struct out_pdu *next;
	uint8_t *data;
	size_t len;
	size_t off;		/* bytes already read */
};

struct wg_pipe {
	const struct wg_rpc_iface *iface;
	const struct wg_pipe_env *env;
	void *state;

	/* Input: at most one partial fragment. */
	uint8_t *in;
	size_t in_len;

	/* The association. */
	bool bound;
	uint16_t max_xmit;	/* we send at most this */
	uint16_t max_recv;	/* we accept at most this */
	uint32_t assoc_group;
	uint16_t ctx_ids[WG_RPC_MAX_CONTEXTS];
	unsigned n_ctx;

	/* A request being reassembled. */
	bool in_call;
	uint32_t call_id;
	uint16_t call_ctx;
	uint16_t call_opnum;
	TALLOC_CTX *call_mem;
	struct wire_wr call_stub;

	/* Fragments of a dropped call, skipped until its LAST. */
	bool skipping;
	uint32_t skip_call_id;

	/* Output queue. */
	struct out_pdu *out_head, *out_tail;
	size_t pending;
};

static const struct wg_rpc_iface *const ifaces[] = {
	&wg_srvsvc_iface,
	&wg_wkssvc_iface,
	&wg_spoolss_iface,
	&wg_lsarpc_iface,
	&wg_samr_iface,
	&wg_winreg_iface,
};

static const struct wg_admin_server default_server = {
	.netbios_name = "WGSMB",
	.workgroup = "WORKGROUP",
	.comment = "",
	.version = "",
	.edition = "",
	.accounting = "",
	.cap_policy = "",
};

/* "srvsvc", "\\PIPE\\srvsvc", "pipe\\SRVSVC" -> the interface. */
static const struct wg_rpc_iface *find_iface(const char *name)
{
	while (*name == '\\' || *name == '/') {
		name++;
	}
	if (strncasecmp(name, "pipe", 4) == 0 &&
	    (name[4] == '\\' || name[4] == '/')) {
		name += 5;
	}
	/* \PIPE\lsass is Windows' other name of the lsarpc endpoint */
	if (strcasecmp(name, "lsass") == 0) {
		return &wg_lsarpc_iface;
	}
	for (size_t i = 0; i < sizeof(ifaces) / sizeof(ifaces[0]); i++) {
		if (strcasecmp(name, ifaces[i]->name) == 0) {
			return ifaces[i];
		}
	}
	return NULL;
}

static int pipe_destructor(struct wg_pipe *p)
{
	wg_pipe_close_handles(p);
	return 0;
}

struct wg_pipe *wg_pipe_open(TALLOC_CTX *mem, const char *name,
			     const struct wg_pipe_env *env, bool *unknown)
{
	const struct wg_rpc_iface *iface = find_iface(name);
	struct wg_pipe *p = NULL;

	*unknown = iface == NULL;
	if (iface == NULL) {
		return NULL;
	}
	p = talloc_zero(mem, struct wg_pipe);
	if (p == NULL) {
		return NULL;
	}
	p->iface = iface;
	p->env = env;
	p->in = talloc_array(p, uint8_t, WG_RPC_MAX_FRAG);
	if (p->in == NULL) {
		goto fail;
	}
	if (iface->state_new != NULL) {
		p->state = iface->state_new(p, p, env);
		if (p->state == NULL) {
			goto fail;
		}
	}
	talloc_set_destructor(p, pipe_destructor);
	return p;
fail:
	talloc_free(p);
	return NULL;
}

const char *wg_pipe_strerror(enum wg_pipe_err e)
{
	switch (e) {
	case WG_PIPE_OK:
		return "ok";
	case WG_PIPE_E_BROKEN:
		return "broken stream";
	case WG_PIPE_E_TOOBIG:
		return "over a limit";
	case WG_PIPE_E_NOMEM:
		return "no memory";
	}
	return "unknown";
}

const char *wg_pipe_name(const struct wg_pipe *p)
{
	return p->iface->name;
}

bool wg_pipe_keeps_session(const struct wg_pipe *p)
{
	return false;
}

void wg_pipe_close_handles(struct wg_pipe *p)
{
	if (p->state != NULL && p->iface->close_handles != NULL) {
		p->iface->close_handles(p->state);
	}
}

unsigned wg_pipe_handle_count(const struct wg_pipe *p)
{
	if (p->state == NULL || p->iface->handle_count == NULL) {
		return 0;
	}
	return p->iface->handle_count(p->state);
}

/* --- output queue --- */

/* Queue the PDU(s) in w (a talloc child of the pipe, stolen here). */
static enum wg_pipe_err queue_out(struct wg_pipe *p, struct wire_wr *w)
{
	struct out_pdu *o = NULL;
	int werr = wire_wr_error(w);

	if (werr != 0 || w->len == 0) {
		/* an answer we could not encode breaks the stream */
		talloc_free(w->buf);
		return werr == WIRE_E_NOMEM ? WG_PIPE_E_NOMEM :
					      WG_PIPE_E_BROKEN;
	}
	if (w->len > WG_RPC_MAX_PENDING - p->pending) {
		talloc_free(w->buf);
		return WG_PIPE_E_TOOBIG;
	}
	o = talloc_zero(p, struct out_pdu);
	if (o == NULL) {
		talloc_free(w->buf);
		return WG_PIPE_E_NOMEM;
	}
	o->data = talloc_steal(o, w->buf);
	o->len = w->len;
	if (p->out_tail == NULL) {
		p->out_head = o;
	} else {
		p->out_tail->next = o;
	}
	p->out_tail = o;
	p->pending += o->len;
	return WG_PIPE_OK;
}

static enum wg_pipe_err queue_fault(struct wg_pipe *p, uint32_t call_id,
				    uint8_t flags, uint16_t ctx_id,
				    uint32_t status)
{
	struct wire_wr w;

	wire_wr_init(&w, p, 0);
	dcerpc_push_fault(&w, call_id, flags, ctx_id, status);
	return queue_out(p, &w);
}

static enum wg_pipe_err queue_bind_nak(struct wg_pipe *p, uint32_t call_id,
				       uint16_t reason)
{
	struct wire_wr w;

	wire_wr_init(&w, p, 0);
	dcerpc_push_bind_nak(&w, call_id, reason);
	return queue_out(p, &w);
}

/* Cut stub into response fragments of at most max_xmit bytes. */
static enum wg_pipe_err queue_response(struct wg_pipe *p, uint32_t call_id,
				       uint16_t ctx_id, const uint8_t *stub,
				       size_t len)
{
	/* Stub bytes per fragment, a multiple of 8 so alignment holds. */
	size_t room = ((size_t)p->max_xmit - DCERPC_RESPONSE_HDR_LEN) &
		      ~(size_t)7;
	size_t off = 0;
	struct wire_wr w;

	if (len > WG_RPC_MAX_PENDING - p->pending) {
		return WG_PIPE_E_TOOBIG;
	}
	do {
		size_t n = len - off < room ? len - off : room;
		struct dcerpc_response r = {
			.alloc_hint = (uint32_t)(len - off),
			.context_id = ctx_id,
			.stub = stub + off,
			.stub_len = n,
		};
		uint8_t flags = 0;

		if (off == 0) {
			flags |= DCERPC_PFC_FIRST;
		}
		if (off + n == len) {
			flags |= DCERPC_PFC_LAST;
		}
		wire_wr_init(&w, p, 0);
		dcerpc_push_response(&w, call_id, flags, &r);
		if (queue_out(p, &w) != 0) {
			return WG_PIPE_E_NOMEM;
		}
		off += n;
	} while (off < len);
	return WG_PIPE_OK;
}

size_t wg_pipe_pending(const struct wg_pipe *p)
{
	return p->pending;
}

size_t wg_pipe_read(struct wg_pipe *p, uint8_t *buf, size_t max, bool *more)
{
	struct out_pdu *o = p->out_head;
	size_t n = 0;

	*more = false;
	if (o == NULL) {
		return 0;
	}
	n = o->len - o->off;
	if (n > max) {
		n = max;
	}
	if (n > 0) {
		memcpy(buf, o->data + o->off, n);
	}
	o->off += n;
	p->pending -= n;
	if (o->off < o->len) {
		*more = true;
		return n;
	}
	p->out_head = o->next;
	if (p->out_head == NULL) {
		p->out_tail = NULL;
	}
	talloc_free(o);
	return n;
}

/* --- bind and alter_context --- */

static bool syntax_is(const struct dcerpc_syntax *s, const uint8_t uuid[16],
		      uint16_t major)
{
	return memcmp(s->uuid, uuid, 16) == 0 && s->major == major;
}

static bool ctx_known(const struct wg_pipe *p, uint16_t id)
{
	for (unsigned i = 0; i < p->n_ctx; i++) {
		if (p->ctx_ids[i] == id) {
			return true;
		}
	}
	return false;
}

static bool ctx_add(struct wg_pipe *p, uint16_t id)
{
	if (ctx_known(p, id)) {
		return true;
	}
	if (p->n_ctx >= WG_RPC_MAX_CONTEXTS) {
		return false;
	}
	p->ctx_ids[p->n_ctx++] = id;
	return true;
}

/* One presentation context of a bind: accept, refuse or negotiate. */
static void eval_ctx(struct wg_pipe *p, const struct dcerpc_ctx *c,
		     struct dcerpc_ack_result *res)
{
	uint8_t ours[16];

	memset(res, 0, sizeof(*res));
	for (uint8_t t = 0; t < c->n_transfer; t++) {
		if (memcmp(c->transfer[t].uuid, btfn_prefix, 8) == 0) {
			res->result = DCERPC_RESULT_NEGOTIATE_ACK;
			res->reason = WG_RPC_BTFN_FEATURES;
			return;
		}
	}
	res->result = DCERPC_RESULT_PROVIDER_REJECTION;
	if (ndr_uuid_parse(p->iface->uuid, ours) != 0 ||
	    memcmp(c->abstract.uuid, ours, 16) != 0 ||
	    c->abstract.major != p->iface->major ||
	    c->abstract.minor > p->iface->minor) {
		res->reason = DCERPC_REASON_ABSTRACT_NOT_SUPPORTED;
		return;
	}
	for (uint8_t t = 0; t < c->n_transfer; t++) {
		if (!syntax_is(&c->transfer[t], NDR_SYNTAX_NDR32, 2)) {
			continue;
		}
		if (!ctx_add(p, c->id)) {
			res->reason = DCERPC_REASON_LOCAL_LIMIT_EXCEEDED;
			return;
		}
		res->result = DCERPC_RESULT_ACCEPT;
		res->reason = 0;
		memcpy(res->transfer.uuid, NDR_SYNTAX_NDR32, 16);
		res->transfer.major = 2;
		return;
	}
	/* NDR64 only, or nothing we know. */
	res->reason = DCERPC_REASON_TRANSFER_NOT_SUPPORTED;
}

static uint32_t new_assoc_group(void)
{
	uint32_t g = 0;

	while (g == 0) {
		wg_rpc_random(&g, sizeof(g));
		g &= 0x00ffffff;
	}
	return g;
}

/* The answer to a bind or alter_context we cannot accept at all. */
static enum wg_pipe_err refuse_bind(struct wg_pipe *p,
				    const struct dcerpc_hdr *h, bool alter,
				    uint16_t reason)
{
	if (alter) {
		return queue_fault(p, h->call_id, DCERPC_PFC_DID_NOT_EXECUTE,
				   0, DCERPC_NCA_PROTO_ERROR);
	}
	return queue_bind_nak(p, h->call_id, reason);
}

static enum wg_pipe_err do_bind(struct wg_pipe *p, const uint8_t *pdu,
				size_t len, const struct dcerpc_hdr *h,
				bool alter)
{
	struct dcerpc_bind b;
	struct dcerpc_bind_ack a = {};
	struct dcerpc_hdr h2;
	struct wire_wr w;
	char *sec = NULL;
	int werr = dcerpc_pull_bind(pdu, len, &h2, &b);

	/* a bind that does not decode is refused, the stream goes on */
	if (werr == WIRE_E_TOOBIG) {
		return refuse_bind(p, h, alter,
				   DCERPC_NAK_LOCAL_LIMIT_EXCEEDED);
	}
	if (werr != 0 || alter != p->bound || b.n_ctx == 0) {
		return refuse_bind(p, h, alter, DCERPC_NAK_NOT_SPECIFIED);
	}
	if (!alter && (b.max_xmit_frag < WG_RPC_MIN_FRAG ||
		       b.max_recv_frag < WG_RPC_MIN_FRAG)) {
		return refuse_bind(p, h, alter,
				   DCERPC_NAK_LOCAL_LIMIT_EXCEEDED);
	}
	if (!alter) {
		p->bound = true;
		p->max_xmit = b.max_recv_frag < WG_RPC_MAX_FRAG ?
			      b.max_recv_frag : WG_RPC_MAX_FRAG;
		p->max_recv = b.max_xmit_frag < WG_RPC_MAX_FRAG ?
			      b.max_xmit_frag : WG_RPC_MAX_FRAG;
		p->assoc_group = b.assoc_group != 0 ? b.assoc_group :
			new_assoc_group();
		sec = talloc_asprintf(p, "\\PIPE\\%s", p->iface->name);
		if (sec == NULL) {
			return WG_PIPE_E_NOMEM;
		}
	}
	a.max_xmit_frag = p->max_xmit;
	a.max_recv_frag = p->max_recv;
	a.assoc_group = p->assoc_group;
	a.sec_addr = sec != NULL ? sec : "";
	a.n_results = b.n_ctx;
	for (uint8_t i = 0; i < b.n_ctx; i++) {
		eval_ctx(p, &b.ctx[i], &a.results[i]);
	}
	wire_wr_init(&w, p, 0);
	dcerpc_push_bind_ack(&w, alter ? DCERPC_PTYPE_ALTER_RESP :
			     DCERPC_PTYPE_BIND_ACK, h->call_id, &a);
	talloc_free(sec);
	return queue_out(p, &w);
}

/* --- requests --- */

static void drop_call(struct wg_pipe *p)
{
	TALLOC_FREE(p->call_mem);
	p->in_call = false;
}

static void skip_rest(struct wg_pipe *p, uint32_t call_id, uint8_t flags)
{
	if ((flags & DCERPC_PFC_LAST) == 0) {
		p->skipping = true;
		p->skip_call_id = call_id;
	}
}

/* The fault for a response stub that could not be encoded (a WIRE_E_*). */
static uint32_t push_status(int werr)
{
	if (werr == WIRE_E_NOMEM || werr == WIRE_E_TOOBIG) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	return DCERPC_FAULT_NDR;
}

/* Run one whole request and queue its answer. */
static enum wg_pipe_err dispatch(struct wg_pipe *p, uint32_t call_id,
				 uint16_t ctx_id, uint16_t opnum,
				 const uint8_t *stub, size_t len)
{
	struct wg_rpc_call call = {
		.pipe = p,
		.env = p->env,
		.state = p->state,
	};
	uint32_t status = 0;
	enum wg_pipe_err rc = WG_PIPE_OK;

	if (opnum >= p->iface->n_ops || p->iface->ops[opnum] == NULL) {
		return queue_fault(p, call_id, DCERPC_PFC_DID_NOT_EXECUTE,
				   ctx_id, DCERPC_NCA_OP_RNG_ERROR);
	}
	call.mem = talloc_new(p);
	if (call.mem == NULL) {
		return WG_PIPE_E_NOMEM;
	}
	ndr_pull_init(&call.in, call.mem, stub, len);
	ndr_push_init(&call.out, call.mem, WG_RPC_MAX_RESPONSE);
	status = p->iface->ops[opnum](&call);
	if (status == 0 && ndr_push_error(&call.out) != 0) {
		status = push_status(ndr_push_error(&call.out));
	}
	if (status != 0) {
		rc = queue_fault(p, call_id, 0, ctx_id, status);
	} else {
		rc = queue_response(p, call_id, ctx_id, call.out.w.buf,
				    call.out.w.len);
	}
	talloc_free(call.mem);
	return rc;
}

/* The first fragment of a call. */
static enum wg_pipe_err request_first(struct wg_pipe *p,
				      const struct dcerpc_hdr *h,
				      const struct dcerpc_request *q)
{
	size_t hint = q->alloc_hint;

	if (p->in_call) {
		/* The previous call never got its LAST fragment. */
		drop_call(p);
		(void)queue_fault(p, p->call_id, 0, p->call_ctx,
				  DCERPC_NCA_PROTO_ERROR);
	}
	if (!ctx_known(p, q->context_id)) {
		skip_rest(p, h->call_id, h->pfc_flags);
		return queue_fault(p, h->call_id, DCERPC_PFC_DID_NOT_EXECUTE,
				   q->context_id, DCERPC_NCA_UNKNOWN_IF);
	}
	if ((h->pfc_flags & DCERPC_PFC_LAST) != 0) {
		return dispatch(p, h->call_id, q->context_id, q->opnum,
				q->stub, q->stub_len);
	}
	p->call_mem = talloc_new(p);
	if (p->call_mem == NULL) {
		return WG_PIPE_E_NOMEM;
	}
	p->in_call = true;
	p->call_id = h->call_id;
	p->call_ctx = q->context_id;
	p->call_opnum = q->opnum;
	wire_wr_init(&p->call_stub, p->call_mem, WG_RPC_MAX_REQUEST);
	/* alloc_hint is only a hint: never reserve more than we allow. */
	if (hint > 64 * 1024) {
		hint = 64 * 1024;
	}
	(void)wire_wr_reserve(&p->call_stub, hint);
	if (q->stub_len > 0) {
		wire_put_bytes(&p->call_stub, q->stub, q->stub_len);
	}
	return WG_PIPE_OK;
}

/* A middle or last fragment. */
static enum wg_pipe_err request_next(struct wg_pipe *p,
				     const struct dcerpc_hdr *h,
				     const struct dcerpc_request *q)
{
	enum wg_pipe_err rc = WG_PIPE_OK;
	int werr = 0;

	if (!p->in_call || h->call_id != p->call_id ||
	    q->context_id != p->call_ctx || q->opnum != p->call_opnum) {
		if (p->in_call) {
			drop_call(p);
			(void)queue_fault(p, p->call_id, 0, p->call_ctx,
					  DCERPC_NCA_PROTO_ERROR);
		}
		skip_rest(p, h->call_id, h->pfc_flags);
		return queue_fault(p, h->call_id, 0, q->context_id,
				   DCERPC_NCA_PROTO_ERROR);
	}
	if (q->stub_len > 0) {
		wire_put_bytes(&p->call_stub, q->stub, q->stub_len);
	}
	werr = wire_wr_error(&p->call_stub);
	if (werr != 0) {
		drop_call(p);
		skip_rest(p, h->call_id, h->pfc_flags);
		(void)queue_fault(p, h->call_id, DCERPC_PFC_DID_NOT_EXECUTE,
				  q->context_id, DCERPC_NCA_PROTO_ERROR);
		/* past WG_RPC_MAX_REQUEST, or no memory to grow the stub */
		return werr == WIRE_E_TOOBIG ? WG_PIPE_E_TOOBIG :
					       WG_PIPE_E_NOMEM;
	}
	if ((h->pfc_flags & DCERPC_PFC_LAST) == 0) {
		return WG_PIPE_OK;
	}
	rc = dispatch(p, p->call_id, p->call_ctx, p->call_opnum,
		      p->call_stub.buf, p->call_stub.len);
	drop_call(p);
	return rc;
}

static enum wg_pipe_err do_request(struct wg_pipe *p, const uint8_t *pdu,
				   size_t len)
{
	struct dcerpc_hdr h;
	struct dcerpc_request q;
	int werr = dcerpc_pull_request(pdu, len, &h, &q);

	/* authenticated or truncated: a fault, the stream goes on */
	if (werr == WIRE_E_AUTH || werr == WIRE_E_SHORT) {
		return queue_fault(p, h.call_id, DCERPC_PFC_DID_NOT_EXECUTE,
				   0, DCERPC_NCA_PROTO_ERROR);
	}
	if (werr != 0) {
		return WG_PIPE_E_BROKEN;
	}
	if (p->skipping) {
		if (h.call_id == p->skip_call_id &&
		    (h.pfc_flags & DCERPC_PFC_FIRST) == 0) {
			if ((h.pfc_flags & DCERPC_PFC_LAST) != 0) {
				p->skipping = false;
			}
			return WG_PIPE_OK;
		}
		p->skipping = false;
	}
	if (!p->bound) {
		skip_rest(p, h.call_id, h.pfc_flags);
		return queue_fault(p, h.call_id, DCERPC_PFC_DID_NOT_EXECUTE,
				   q.context_id, DCERPC_NCA_PROTO_ERROR);
	}
	if ((h.pfc_flags & DCERPC_PFC_FIRST) != 0) {
		return request_first(p, &h, &q);
	}
	return request_next(p, &h, &q);
}

/* One whole fragment. */
static enum wg_pipe_err process_pdu(struct wg_pipe *p, const uint8_t *pdu,
				    size_t len)
{
	struct dcerpc_hdr h;
	int werr = dcerpc_pull_hdr(pdu, len, &h);

	if (werr != 0 && werr != WIRE_E_AUTH) {
		return WG_PIPE_E_BROKEN;
	}
	switch (h.ptype) {
	case DCERPC_PTYPE_BIND:
	case DCERPC_PTYPE_ALTER:
		if (werr == WIRE_E_AUTH) {
			/* No RPC-level authentication: the SMB session is. */
			return refuse_bind(p, &h,
					   h.ptype == DCERPC_PTYPE_ALTER,
					   DCERPC_NAK_AUTH_TYPE_NOT_RECOGNIZED);
		}
		return do_bind(p, pdu, len, &h, h.ptype == DCERPC_PTYPE_ALTER);
	case DCERPC_PTYPE_REQUEST:
		return do_request(p, pdu, len);
	case 16:	/* auth3 */
	case 18:	/* co_cancel */
	case 19:	/* orphaned */
		return WG_PIPE_OK;
	default:
		return WG_PIPE_E_BROKEN;
	}
}

/* The fragment limit now: what we agreed to receive, 4280 before. */
static size_t frag_cap(const struct wg_pipe *p)
{
	return p->bound ? p->max_recv : WG_RPC_MAX_FRAG;
}

/* Check the header at the start of buf; *fl its frag_length. */
static enum wg_pipe_err frame(const struct wg_pipe *p, const uint8_t *buf,
			      size_t len, uint16_t *fl)
{
	if (dcerpc_frag_length(buf, len, fl) != 0 || *fl > frag_cap(p)) {
		return WG_PIPE_E_BROKEN;
	}
	return WG_PIPE_OK;
}

/* An error after which the stream cannot go on. */
static bool fatal(enum wg_pipe_err e)
{
	return e == WG_PIPE_E_BROKEN || e == WG_PIPE_E_NOMEM;
}

/* Keep the first hard error; TOOBIG only if nothing worse happened. */
static enum wg_pipe_err worse(enum wg_pipe_err have, enum wg_pipe_err rc)
{
	if (rc == WG_PIPE_OK || fatal(have)) {
		return have;
	}
	return rc;
}

enum wg_pipe_err wg_pipe_write(struct wg_pipe *p, const uint8_t *data,
			       size_t len)
{
	enum wg_pipe_err result = WG_PIPE_OK;
	uint16_t fl = 0;

	while (len > 0) {
		size_t need = 0, take = 0;

		if (p->in_len == 0 && len >= 10) {
			if (frame(p, data, len, &fl) != WG_PIPE_OK) {
				return WG_PIPE_E_BROKEN;
			}
			if (len >= fl) {
				result = worse(result, process_pdu(p, data, fl));
				if (fatal(result)) {
					return result;
				}
				data += fl;
				len -= fl;
				continue;
			}
		}
		if (p->in_len >= 10 &&
		    frame(p, p->in, p->in_len, &fl) != WG_PIPE_OK) {
			return WG_PIPE_E_BROKEN;
		}
		need = p->in_len < 10 ? 10 - p->in_len : (size_t)fl - p->in_len;
		take = len < need ? len : need;
		memcpy(p->in + p->in_len, data, take);
		p->in_len += take;
		data += take;
		len -= take;
		if (p->in_len < 10) {
			continue;
		}
		if (frame(p, p->in, p->in_len, &fl) != WG_PIPE_OK) {
			return WG_PIPE_E_BROKEN;
		}
		if (p->in_len == fl) {
			p->in_len = 0;
			result = worse(result, process_pdu(p, p->in, fl));
			if (fatal(result)) {
				return result;
			}
		}
	}
	return result;
}

/* --- helpers for the services --- */

const struct wg_admin_server *wg_rpc_server(struct wg_rpc_call *call)
{
	const struct wg_admin_ops *admin = call->env->admin;
	struct wg_admin_server *si = NULL;

	if (call->server != NULL) {
		return call->server;
	}
	call->server = &default_server;
	if (admin != NULL && admin->server_info != NULL &&
	    admin->server_info(admin->priv, call->mem, &si) == 0 &&
	    si != NULL) {
		if (si->netbios_name == NULL || si->netbios_name[0] == '\0') {
			si->netbios_name = default_server.netbios_name;
		}
		if (si->workgroup == NULL) {
			si->workgroup = default_server.workgroup;
		}
		if (si->comment == NULL) {
			si->comment = "";
		}
		call->server = si;
	}
	return call->server;
}

bool wg_rpc_anonymous_restricted(struct wg_rpc_call *call)
{
	if (!call->env->anonymous) {
		return false;
	}
	if (call->env->sm != NULL) {
		return sm_restrict_anonymous(call->env->sm) >= 1;
	}
	return wg_rpc_server(call)->restrict_anonymous >= 1;
}

bool wg_rpc_is_admin(struct wg_rpc_call *call)
{
	const struct wg_admin_ops *admin = call->env->admin;
	const char *user = call->env->user;

	if (call->env->anonymous || user == NULL || user[0] == '\0' ||
	    admin == NULL || admin->is_admin == NULL) {
		return false;
	}
	return admin->is_admin(admin->priv, user);
}

const char *wg_rpc_share_path(TALLOC_CTX *mem,
			      const struct wg_admin_share *s, bool admin)
{
	char *w = NULL;

	if (!admin || s->type == WG_ADMIN_SHARE_IPC || s->path == NULL ||
	    s->path[0] == '\0') {
		return "";
	}
	w = talloc_asprintf(mem, "C:%s", s->path);
	if (w == NULL) {
		return "";
	}
	for (char *c = w; *c != '\0'; c++) {
		if (*c == '/') {
			*c = '\\';
		}
	}
	return w;
}

void wg_rpc_random(void *buf, size_t n)
{
	uint8_t *b = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, 0);

		if (r <= 0) {
			break;
		}
		got += (size_t)r;
	}
	/* getrandom cannot really fail for small n; never leave it fixed. */
	for (size_t i = got; i < n; i++) {
		b[i] = (uint8_t)(rand() ^ (int)time(NULL) ^ (int)i);
	}
}
