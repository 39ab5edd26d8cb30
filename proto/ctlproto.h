/*
 * ctlproto.h - the control socket protocol spoken between wgsmbd
 * (smbd/admin/control.c) and wgnet (tools/wgnet.c), and the small JSON writer
 * and reader both sides use. No I/O here: strings in, strings out.
 *
 * Transport: a Unix stream socket ("control socket" in [global], default
 * "<state directory>/wgsmbd.sock"). One request per connection: the
 * client sends one request line, the daemon answers with one JSON
 * document and closes the connection.
 *
 * Request (ASCII, at most CTL_MAX_REQUEST bytes including the '\n'):
 *
 *	WGCTL <version> <verb> [<arg> ...]\n
 *
 *  - fields are separated by exactly one space; version is decimal
 *    (CTL_PROTO_VERSION today); verb is [a-z] and '-';
 *  - each arg is a non-empty byte string, percent-encoded: every byte
 *    outside A-Z a-z 0-9 and "-._~/:@+,=" is written %XX (hex, either
 *    case on input, upper case on output); %00 is refused; at most
 *    CTL_MAX_ARGS args.
 *
 * Response: one JSON object in UTF-8 followed by '\n', always with
 * "version" (the daemon's protocol version) and "ok":
 *
 *	{"version":1,"ok":true,"verb":"sessions",...verb members...}
 *	{"version":1,"ok":false,"error":"no session from \\\\pc1",
 *	 "errno":"ENOENT"}
 *
 * A client that gets a version other than its own may still read "ok"
 * and "error". Field names are stable: new fields may be added, existing
 * ones keep their meaning. The verbs and their members are documented in
 * smbd/admin/control.h.
 */
#ifndef WG_SESSIONS_CTLPROTO_H
#define WG_SESSIONS_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define CTL_PROTO_VERSION	1
#define CTL_MAX_REQUEST		4096	/* bytes, with the '\n' */
#define CTL_MAX_ARGS		8
#define CTL_MAX_VERB		32	/* bytes */
#define CTL_JSON_MAX_DEPTH	32

/* ---- requests ---- */

struct ctl_request {
	unsigned version;
	char *verb;
	char **args;		/* nargs decoded strings, NUL-terminated */
	size_t nargs;
};

/*
 * Build a request line (with its '\n') for verb and args. Returns a
 * talloc child of mem_ctx, or NULL: ENOMEM, a verb that is not [a-z-]+
 * of at most CTL_MAX_VERB bytes, an empty arg, more than CTL_MAX_ARGS
 * args or a line longer than CTL_MAX_REQUEST (errno says which: ENOMEM,
 * EINVAL, E2BIG).
 */
char *ctl_request_format(TALLOC_CTX *mem_ctx, const char *verb,
			 const char *const *args, size_t nargs);

/*
 * Parse one request line of len bytes (the '\n' may be included; nothing
 * after it is allowed). On success *out is a talloc child of mem_ctx.
 * Returns 0, -EPROTO (not "WGCTL <n> <verb>"), -EINVAL (bad verb or
 * argument encoding), -E2BIG (too long, too many args) or -ENOMEM. The
 * version is NOT checked here: the daemon answers an unknown version
 * with an error naming the one it speaks.
 */
int ctl_request_parse(TALLOC_CTX *mem_ctx, const char *line, size_t len,
		      struct ctl_request **out);

/* "ENOENT" for 2 (or "E<n>" when unknown); static storage. */
const char *ctl_errno_name(int err);

/* ---- JSON writer ---- */

/*
 * A writer builds one JSON document. Calls inside an object take the
 * member name as key; calls inside an array or at the top take NULL.
 * Strings are escaped; bytes that are not valid UTF-8 become U+FFFD.
 * Errors (ENOMEM, unbalanced or misplaced calls, depth over
 * CTL_JSON_MAX_DEPTH) are sticky and reported by ctl_json_finish().
 */
struct ctl_json;

/* NULL on ENOMEM; a talloc child of mem_ctx. */
struct ctl_json *ctl_json_new(TALLOC_CTX *mem_ctx);
void ctl_json_object_begin(struct ctl_json *j, const char *key);
void ctl_json_object_end(struct ctl_json *j);
void ctl_json_array_begin(struct ctl_json *j, const char *key);
void ctl_json_array_end(struct ctl_json *j);
/* v NULL writes null. */
void ctl_json_string(struct ctl_json *j, const char *key, const char *v);
void ctl_json_u64(struct ctl_json *j, const char *key, uint64_t v);
void ctl_json_i64(struct ctl_json *j, const char *key, int64_t v);
void ctl_json_bool(struct ctl_json *j, const char *key, bool v);
void ctl_json_null(struct ctl_json *j, const char *key);

/*
 * The finished document followed by '\n' (*out is a talloc child of the
 * writer's mem_ctx, *len excludes the NUL). The writer itself is freed.
 * Returns 0, -ENOMEM or -EINVAL (unbalanced, misplaced, too deep, or
 * nothing written); on error the writer is freed and *out is NULL.
 */
int ctl_json_finish(struct ctl_json *j, char **out, size_t *len);

/* ---- JSON reader ---- */

enum ctl_jtype {
	CTL_J_NULL = 0,
	CTL_J_BOOL,
	CTL_J_NUMBER,
	CTL_J_STRING,
	CTL_J_ARRAY,
	CTL_J_OBJECT,
};

struct ctl_jv {
	enum ctl_jtype type;
	bool b;			/* CTL_J_BOOL */
	double num;		/* CTL_J_NUMBER */
	bool is_int;		/* integral, without fraction or exponent */
	bool neg;		/* ... and negative */
	uint64_t mag;		/* ... its magnitude (if it fits) */
	char *str;		/* CTL_J_STRING, UTF-8, no NUL inside */
	size_t n;		/* CTL_J_ARRAY, CTL_J_OBJECT */
	struct ctl_jv **items;
	char **keys;		/* CTL_J_OBJECT only */
};

/*
 * Parse exactly one JSON value (surrounding white space allowed) from
 * len bytes. Strict RFC 8259 grammar; nesting deeper than
 * CTL_JSON_MAX_DEPTH, "\u0000", unpaired surrogates and invalid UTF-8 are
 * refused. On success *out is a talloc child of mem_ctx. Returns 0,
 * -EINVAL (not JSON; *at, if not NULL, gets the byte offset) or -ENOMEM.
 */
int ctl_json_parse(TALLOC_CTX *mem_ctx, const char *buf, size_t len,
		   struct ctl_jv **out, size_t *at);

/* Member key of an object (first match), or NULL (also if v is NULL or
 * not an object). */
const struct ctl_jv *ctl_jv_get(const struct ctl_jv *v, const char *key);
/* Item i of an array, or NULL. */
const struct ctl_jv *ctl_jv_at(const struct ctl_jv *v, size_t i);
/* Number of items of an array (0 if not an array). */
size_t ctl_jv_len(const struct ctl_jv *v);

/* Typed member getters: dflt when missing or of another type. */
const char *ctl_jv_str(const struct ctl_jv *obj, const char *key,
		       const char *dflt);
uint64_t ctl_jv_u64(const struct ctl_jv *obj, const char *key, uint64_t dflt);
int64_t ctl_jv_i64(const struct ctl_jv *obj, const char *key, int64_t dflt);
bool ctl_jv_bool(const struct ctl_jv *obj, const char *key, bool dflt);

#endif
