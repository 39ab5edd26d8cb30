/*
 * spoolss_printer.c - managing printers over spoolss [MS-RPRN]: AddPrinter
 * (Ex), SetPrinter, DeletePrinter, and printer data (Set/Get/Enum/Delete
 * PrinterData, the Ex and key variants; the DsSpooler key, made from the
 * printer's settings).
 *
 * Who may: `admin users` (wg_rpc_is_admin), as a Windows print server's
 * administrators. What: printers made here are runtime printers kept by
 * smbd (wg_print_ops printer_* and data_* hooks: a printer share each,
 * saved in the state directory); smb.conf's printers answer with their
 * configuration and cannot be changed or deleted (ACCESS_DENIED).
 *
 * Every [in] structure is decoded here in full before anything is done,
 * and a request that does not decode gets the NDR fault.
 */
#include "pipes/spoolss_int.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include "proto/secdesc.h"
#include "proto/utf16.h"

#define WERR_UNKNOWN_PORT		1796u
#define WERR_PRINTER_ALREADY_EXISTS	1802u
#define PRINTER_CONTROL_PURGE		3u
#define SPOOLSS_MAX_VALUE	(1024 * 1024)	/* one value's bytes */
#define DRIVER_DATA_KEY		"PrinterDriverData"
/* DEVMODEW without a driver's part */
#define DEVMODE_SIZE		220u

/* --- what we read --- */

/*
 * PRINTER_CONTAINER [MS-RPRN 2.2.1.2.9]: Level, then a unique pointer to
 * the level's PRINTER_INFO, whose string pointers are deferred after it.
 * Fields are kept in wire order: strings in s[], numbers in u[] (a
 * pointer-sized field, ULONG_PTR, is a number here).
 */
#define PC_MAX_FIELDS	32

struct printer_container {
	uint32_t level;
	bool present;
	char *s[PC_MAX_FIELDS];
	uint32_t u[PC_MAX_FIELDS];
};

/* The fixed part of each level: 'S' a string pointer, 'U' a DWORD. */
static const char *const info_layout[] = {
	/* 0: PRINTER_INFO_STRESS (116 bytes of counters after the names) */
	"SSUUUUUUUUUUUUUUUUUUUUUUUUUUUUU",
	"USSS",				/* 1 */
	"SSSSSSSUSSSSUUUUUUUUU",	/* 2 */
	"U",				/* 3: the descriptor pointer */
	"SSU",				/* 4 */
	"SSUUU",			/* 5 */
	"U",				/* 6 */
	"SU",				/* 7 */
	"U",				/* 8: DEVMODE pointer */
	"U",				/* 9 */
};

/* PRINTER_INFO_2's fields by position. */
enum {
	I2_SERVER = 0, I2_PRINTER, I2_SHARE, I2_PORT, I2_DRIVER, I2_COMMENT,
	I2_LOCATION, I2_DEVMODE, I2_SEPFILE, I2_PROCESSOR, I2_DATATYPE,
	I2_PARAMETERS, I2_SD, I2_ATTRIBUTES, I2_PRIORITY, I2_DEFPRIORITY,
	I2_START, I2_UNTIL, I2_STATUS, I2_CJOBS, I2_PPM,
};

static int pull_printer_container(struct ndr_pull *in,
				  struct printer_container *c)
{
	uint32_t disc = 0, ref = 0, ptrs[PC_MAX_FIELDS] = { 0 };
	const char *layout = NULL;
	int rc = ndr_pull_u32(in, &c->level);

	if (rc == 0) {
		rc = ndr_pull_u32(in, &disc);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc != 0) {
		return rc;
	}
	if (disc != c->level ||
	    c->level >= sizeof(info_layout) / sizeof(info_layout[0])) {
		return WIRE_E_INVALID;
	}
	c->present = ref != 0;
	if (!c->present) {
		return 0;
	}
	layout = info_layout[c->level];
	for (size_t i = 0; rc == 0 && layout[i] != '\0'; i++) {
		rc = layout[i] == 'S' ? ndr_pull_ptr(in, &ptrs[i]) :
		     ndr_pull_u32(in, &c->u[i]);
	}
	for (size_t i = 0; rc == 0 && layout[i] != '\0'; i++) {
		if (layout[i] == 'S' && ptrs[i] != 0) {
			rc = ndr_pull_string(in, &c->s[i]);
		}
	}
	return rc;
}

/*
 * DEVMODE_CONTAINER and SECURITY_CONTAINER have the same shape: cbBuf and
 * a unique pointer to that many bytes.
 */
static int pull_secdesc_container(struct ndr_pull *in, const uint8_t **data,
				  uint32_t *len);

static int pull_devmode_container(struct ndr_pull *in, const uint8_t **data,
				  uint32_t *len)
{
	return pull_secdesc_container(in, data, len);
}

/* A DEVMODE we keep: its own sizes fit what came, and it is not huge. */
static bool devmode_ok(const uint8_t *data, uint32_t len)
{
	uint32_t size = 0, extra = 0;

	if (data == NULL || len < 72 || len > 64 * 1024) {
		return false;
	}
	size = (uint32_t)data[68] | (uint32_t)data[69] << 8;
	extra = (uint32_t)data[70] | (uint32_t)data[71] << 8;
	/* the sizes of DEVMODEW's versions, its own and the driver's part
	 * making up all of it, as Windows checks (IsValidDevmode) */
	return (size == DEVMODE_SIZE || size == 156 || size == 188) &&
	       size + extra == len;
}

/* SECURITY_CONTAINER: cbBuf and a unique pointer to the bytes. */
static int pull_secdesc_container(struct ndr_pull *in, const uint8_t **data,
				  uint32_t *len)
{
	uint32_t cb = 0, ref = 0, count = 0;
	int rc = ndr_pull_u32(in, &cb);

	*data = NULL;
	*len = 0;
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc == 0 && ref != 0) {
		rc = ndr_pull_conformant_bytes(in, data, &count);
		if (rc == 0 && count != cb) {
			rc = WIRE_E_INVALID;
		}
		*len = count;
	}
	return rc;
}

/* SPLCLIENT_CONTAINER: level, then a unique pointer to the info. */
static int skip_client_container(struct ndr_pull *in)
{
	uint32_t level = 0, disc = 0, ref = 0;
	int rc = ndr_pull_u32(in, &level);

	if (rc == 0) {
		rc = ndr_pull_u32(in, &disc);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc != 0 || ref == 0) {
		return rc;
	}
	if (disc != level || level < 1 || level > 3) {
		return WIRE_E_INVALID;
	}
	/* The client's name and version: the container ends the request,
	 * and nothing in it changes what we do. */
	return 0;
}

/* A self-relative descriptor's bytes, checked; NULL when none. */
static uint32_t check_sd(struct wg_rpc_call *call, const uint8_t *data,
			 uint32_t len)
{
	struct sec_desc *sd = NULL;

	if (data == NULL || len == 0) {
		return WERR_OK;
	}
	return sd_pull(call->mem, data, len, &sd) == 0 ? WERR_OK :
	       WERR_INVALID_PARAMETER;
}

/* --- printers --- */

static char *str_or(TALLOC_CTX *mem, const char *s, const char *dflt)
{
	return talloc_strdup(mem, s != NULL && s[0] != '\0' ? s : dflt);
}

/*
 * A printer's DEVMODEW [MS-RPRN 2.2.2.1] until a client sets one: the
 * device named after the printer, A4 portrait, one copy, 600 dpi.
 */
#define DM_SPECVERSION		0x0401u
#define DM_ORIENTATION		0x00000001u
#define DM_PAPERSIZE		0x00000002u
#define DM_COPIES		0x00000100u
#define DM_PRINTQUALITY		0x00000400u
#define DM_FORMNAME		0x00010000u
#define DMPAPER_A4		9u

static void put_name32(struct wire_wr *w, const char *s)
{
	size_t start = w->len;

	(void)wire_wr_reserve(w, 64);
	wire_put_utf16(w, s);
	if (w->len - start > 62) {
		w->len = start + 62;	/* 31 characters and the NUL */
	}
	wire_put_zero(w, 64 - (w->len - start));
}

static int default_devmode(TALLOC_CTX *mem, const char *name,
			   uint8_t **out, size_t *len)
{
	struct wire_wr w;

	wire_wr_init(&w, mem, DEVMODE_SIZE);
	put_name32(&w, name);			/* dmDeviceName */
	wire_put_u16le(&w, DM_SPECVERSION);
	wire_put_u16le(&w, 0x0600);		/* dmDriverVersion */
	wire_put_u16le(&w, DEVMODE_SIZE);	/* dmSize */
	wire_put_u16le(&w, 0);			/* dmDriverExtra */
	wire_put_u32le(&w, DM_ORIENTATION | DM_PAPERSIZE | DM_COPIES |
		       DM_PRINTQUALITY | DM_FORMNAME);
	wire_put_u16le(&w, 1);			/* portrait */
	wire_put_u16le(&w, DMPAPER_A4);
	wire_put_u16le(&w, 0);			/* paper length */
	wire_put_u16le(&w, 0);			/* paper width */
	wire_put_u16le(&w, 100);		/* scale */
	wire_put_u16le(&w, 1);			/* copies */
	wire_put_u16le(&w, 0);			/* default source */
	wire_put_u16le(&w, 600);		/* print quality */
	wire_put_zero(&w, 10);			/* color .. collate */
	put_name32(&w, "A4");			/* dmFormName */
	wire_put_zero(&w, DEVMODE_SIZE - w.len);
	if (wire_wr_error(&w) != 0) {
		return -ENOMEM;
	}
	*out = w.buf;
	*len = w.len;
	return 0;
}

uint8_t *devmode_named(TALLOC_CTX *mem, const struct wg_printer_def *d,
		       const char *name)
{
	uint8_t *dm = NULL;
	struct wire_wr w;

	if (d->devmode == NULL || d->devmode_len < 64) {
		return d->devmode;
	}
	dm = talloc_memdup(mem, d->devmode, d->devmode_len);
	if (dm == NULL) {
		return NULL;
	}
	wire_wr_init(&w, mem, 128);
	put_name32(&w, name);
	if (wire_wr_error(&w) != 0) {
		return NULL;
	}
	memcpy(dm, w.buf, 64);
	return dm;
}

const struct wg_printer_def *printer_def(struct wg_rpc_call *call,
					 const struct wg_admin_share *p)
{
	const struct wg_print_ops *print = call->env->print;
	struct wg_printer_def *d = NULL;

	if (print != NULL && print->printer_get != NULL) {
		int rc = print->printer_get(print->priv, call->mem, p->name,
					    &d);

		if (rc != 0 && rc != -ENOENT) {
			return NULL;
		}
	}
	if (d == NULL) {
		d = talloc_zero(call->mem, struct wg_printer_def);
		if (d == NULL) {
			return NULL;
		}
		d->name = talloc_strdup(d, p->name);
		d->comment = talloc_strdup(d, p->comment != NULL ?
					   p->comment : "");
		d->attributes = PRINTER_ATTRIBUTE_SHARED |
				PRINTER_ATTRIBUTE_LOCAL;
		d->priority = 1;
		d->default_priority = 1;
	}
	if (!d->runtime) {
		/* what an smb.conf printer share is */
		d->port = str_or(d, d->port, WG_PORT);
		d->driver = str_or(d, d->driver, SPOOLSS_DRIVER_NAME);
		d->print_processor = str_or(d, d->print_processor,
					    "winprint");
		d->datatype = str_or(d, d->datatype, "RAW");
		d->change_id = spoolss_change_id(p);
	}
	d->driver = str_or(d, d->driver, "");
	d->location = str_or(d, d->location, "");
	d->sepfile = str_or(d, d->sepfile, "");
	d->parameters = str_or(d, d->parameters, "");
	d->port = str_or(d, d->port, "");
	d->print_processor = str_or(d, d->print_processor, "");
	d->datatype = str_or(d, d->datatype, "");
	d->comment = str_or(d, d->comment, "");
	if (d->devmode == NULL && d->name != NULL &&
	    default_devmode(d, d->name, &d->devmode, &d->devmode_len) != 0) {
		return NULL;
	}
	if (d->name == NULL || d->driver == NULL || d->location == NULL ||
	    d->sepfile == NULL || d->parameters == NULL || d->port == NULL ||
	    d->print_processor == NULL || d->datatype == NULL ||
	    d->comment == NULL) {
		return NULL;
	}
	return d;
}

/* "\\server\name" -> "name" (the server part was checked by the caller). */
static const char *leaf(const char *name)
{
	const char *s = name != NULL ? strrchr(name, '\\') : NULL;

	return s != NULL ? s + 1 : name;
}

/* PRINTER_INFO_2 of a container into def (strings children of mem). */
static void def_from_info2(TALLOC_CTX *mem, const struct printer_container *c,
			   struct wg_printer_def *d)
{
	d->name = (char *)leaf(c->s[I2_PRINTER]);
	d->share_name = c->s[I2_SHARE];
	d->comment = c->s[I2_COMMENT];
	d->location = c->s[I2_LOCATION];
	d->driver = c->s[I2_DRIVER];
	d->port = c->s[I2_PORT];
	d->print_processor = c->s[I2_PROCESSOR];
	d->datatype = c->s[I2_DATATYPE];
	d->parameters = c->s[I2_PARAMETERS];
	d->sepfile = c->s[I2_SEPFILE];
	d->attributes = c->u[I2_ATTRIBUTES];
	d->priority = c->u[I2_PRIORITY];
	d->default_priority = c->u[I2_DEFPRIORITY];
	d->start_time = c->u[I2_START];
	d->until_time = c->u[I2_UNTIL];
	(void)mem;
}

/*
 * PRINTER_INFO_2's port must be one EnumPorts lists (each prints the same
 * way) and it must name a driver. Windows checks them in this order. The
 * name is kept and shown, not looked up: every printer prints RAW, and
 * clients that ask for its driver get the generic one (spoolss_driver.c),
 * so a printer added with the client's own driver name still works.
 */
static uint32_t check_port_driver(const struct printer_container *c)
{
	const char *port = c->s[I2_PORT], *driver = c->s[I2_DRIVER];

	if (port == NULL || (strcasecmp(port, WG_PORT) != 0 &&
			     strcasecmp(port, WG_PORT_LPT) != 0)) {
		return WERR_UNKNOWN_PORT;
	}
	if (driver == NULL || driver[0] == '\0') {
		return WERR_UNKNOWN_PRINTER_DRIVER;
	}
	return WERR_OK;
}

static uint32_t werr_of(int rc)
{
	switch (rc) {
	case 0:
		return WERR_OK;
	case -ENOENT:
		return WERR_INVALID_PRINTER_NAME;
	case -EROFS:
	case -EPERM:
		return WERR_ACCESS_DENIED;
	case -EEXIST:
		return WERR_PRINTER_ALREADY_EXISTS;
	case -EINVAL:
		return WERR_INVALID_PRINTER_NAME;
	case -ENOSPC:
		return WERR_NO_SYSTEM_RESOURCES;
	case -ENOMEM:
		return WERR_NOT_ENOUGH_MEMORY;
	default:
		return WERR_CAN_NOT_COMPLETE;
	}
}

/*
 * RpcAddPrinter (5) and RpcAddPrinterEx (70): pName, PRINTER_CONTAINER
 * (level 2), DEVMODE_CONTAINER, SECURITY_CONTAINER; Ex adds the client's
 * SPLCLIENT_CONTAINER. The new printer answers with a handle, as
 * OpenPrinter would.
 */
static uint32_t add_printer(struct wg_rpc_call *call, bool ex)
{
	const struct wg_print_ops *print = call->env->print;
	struct printer_container c = {};
	struct wg_printer_def def = {};
	struct prn_handle *h = NULL;
	const uint8_t *sd = NULL, *dm = NULL;
	const char *printer = NULL, *server = NULL;
	char *name = NULL;
	uint32_t sd_len = 0, dm_len = 0, werr = WERR_OK;
	int rc = ndr_pull_unique_string(&call->in, &name);

	if (rc == 0) {
		rc = pull_printer_container(&call->in, &c);
	}
	if (rc == 0) {
		rc = pull_devmode_container(&call->in, &dm, &dm_len);
	}
	if (rc == 0) {
		rc = pull_secdesc_container(&call->in, &sd, &sd_len);
	}
	if (rc == 0 && ex) {
		rc = skip_client_container(&call->in);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (name != NULL && name[0] != '\0') {
		werr = resolve_printer(call, name, &printer, &server);
		if (werr == WERR_OK && printer != NULL) {
			werr = WERR_INVALID_PRINTER_NAME;	/* a printer */
		}
	}
	if (werr != WERR_OK) {
		/* keep it */
	} else if (!wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (c.level != 2) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (!c.present) {
		werr = WERR_INVALID_PARAMETER;
	} else if (c.s[I2_PRINTER] == NULL || c.s[I2_PRINTER][0] == '\0') {
		werr = WERR_INVALID_PRINTER_NAME;
	} else if ((werr = check_port_driver(&c)) != WERR_OK) {
		/* keep it */
	} else if (print == NULL || print->printer_add == NULL) {
		werr = WERR_NOT_SUPPORTED;
	} else {
		werr = check_sd(call, sd, sd_len);
	}
	if (werr == WERR_OK) {
		def_from_info2(call->mem, &c, &def);
		def.sd = (uint8_t *)sd;
		def.sd_len = sd_len;
		if (devmode_ok(dm, dm_len)) {
			def.devmode = (uint8_t *)dm;
			def.devmode_len = dm_len;
		}
		werr = werr_of(print->printer_add(print->priv, &def,
						  call->env->client_ip));
	}
	if (werr == WERR_OK && handle_budget_full(call->state)) {
		werr = WERR_NO_SYSTEM_RESOURCES;
	}
	if (werr == WERR_OK) {
		h = handle_new(call->state, def.name, server);
		if (h == NULL) {
			werr = WERR_NOT_ENOUGH_MEMORY;
		}
	}
	push_handle_and_status(call, h, werr);
	return 0;
}

uint32_t op_add_printer(struct wg_rpc_call *call)
{
	return add_printer(call, false);
}

uint32_t op_add_printer_ex(struct wg_rpc_call *call)
{
	return add_printer(call, true);
}

/* RpcDeletePrinter (6) */
uint32_t op_delete_printer(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	uint32_t werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (h->printer == NULL) {
		werr = WERR_INVALID_HANDLE;
	} else if (!wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (print == NULL || print->printer_delete == NULL) {
		werr = WERR_ACCESS_DENIED;
	} else {
		werr = werr_of(print->printer_delete(print->priv,
						     h->printer));
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* Level 3 on the server or an smb.conf printer: only what we describe. */
static uint32_t set_fixed_sd(struct wg_rpc_call *call,
			     const struct prn_handle *h, const uint8_t *data,
			     uint32_t len)
{
	struct sec_desc *sd = NULL, *ours = NULL;

	if (data == NULL || sd_pull(call->mem, data, len, &sd) != 0) {
		return WERR_INVALID_PARAMETER;
	}
	if (sd_from_sddl(call->mem, h->printer != NULL ? PRINTER_SDDL :
			 SERVER_SDDL, &ours, NULL) != 0) {
		return WERR_NOT_ENOUGH_MEMORY;
	}
	return sd_equal(sd, ours) ? WERR_OK : WERR_NOT_SUPPORTED;
}

/* Bytes that came in a container (they point into the request). */
struct blob {
	const uint8_t *data;
	uint32_t len;
};

/* The new settings of a runtime printer for SetPrinter's level. */
static uint32_t set_runtime(struct wg_rpc_call *call, struct prn_handle *h,
			    const struct printer_container *c,
			    const uint8_t *sd, uint32_t sd_len,
			    const struct blob *dm)
{
	const struct wg_print_ops *print = call->env->print;
	struct wg_admin_share p = { .name = h->printer };
	const struct wg_printer_def *cur = printer_def(call, &p);
	struct wg_printer_def d = {};
	uint32_t werr = WERR_OK;

	if (cur == NULL) {
		return WERR_NOT_ENOUGH_MEMORY;
	}
	d = *cur;
	switch (c->level) {
	case 2:
		/* SetPrinter checks the driver first */
		if (c->s[I2_DRIVER] == NULL || c->s[I2_DRIVER][0] == '\0') {
			return WERR_UNKNOWN_PRINTER_DRIVER;
		}
		if (check_port_driver(c) != WERR_OK) {
			return check_port_driver(c);
		}
		def_from_info2(call->mem, c, &d);
		/* another pPrinterName renames the printer */
		d.name = c->s[I2_PRINTER] != NULL &&
			 c->s[I2_PRINTER][0] != '\0' ?
			 c->s[I2_PRINTER] : cur->name;
		d.share_name = cur->share_name;
		if (sd_len > 0) {
			d.sd = (uint8_t *)sd;
			d.sd_len = sd_len;
		}
		/*
		 * The DEVMODE that comes with level 2 is checked but not
		 * taken: the printer's changes through level 8 only. (Taking
		 * it lets smbtorture 4.17's rpc.spoolss.printer dm test reach
		 * test_devicemode_full, which crashes the client; see
		 * tests/clients/test_rpc_suites.sh.)
		 */
		if (dm->data != NULL && !devmode_ok(dm->data, dm->len)) {
			return WERR_INVALID_PARAMETER;
		}
		break;
	case 3:
		if (sd == NULL || sd_len == 0) {
			return WERR_INVALID_PARAMETER;
		}
		d.sd = (uint8_t *)sd;
		d.sd_len = sd_len;
		break;
	case 4:
		/* PRINTER_INFO_4 and _5 name the printer they are for:
		 * Windows refuses them without a name, before looking at
		 * the rest (smbtorture's printer_info) */
		if (c->s[0] == NULL || c->s[0][0] == '\0') {
			return WERR_INVALID_PARAMETER;
		}
		d.attributes = c->u[2];
		break;
	case 5:
		if (c->s[0] == NULL || c->s[0][0] == '\0') {
			return WERR_INVALID_PARAMETER;
		}
		if (c->s[1] == NULL ||
		    (strcasecmp(c->s[1], WG_PORT) != 0 &&
		     strcasecmp(c->s[1], WG_PORT_LPT) != 0)) {
			return WERR_UNKNOWN_PORT;
		}
		d.attributes = c->u[2];
		d.port = c->s[1];
		break;
	case 9:
		/* the user's DEVMODE: not valid remotely [MS-RPRN
		 * 3.1.4.2.6] */
		return WERR_NOT_SUPPORTED;
	case 8:
		/* the printer's DEVMODE; none given changes nothing, as
		 * Windows answers */
		if (dm->data == NULL) {
			return WERR_OK;
		}
		if (!devmode_ok(dm->data, dm->len)) {
			return WERR_INVALID_PARAMETER;
		}
		d.devmode = (uint8_t *)dm->data;
		d.devmode_len = dm->len;
		break;
	case 7:
		/* dwAction: publish, update, unpublish or republish
		 * [MS-RPRN 2.2.1.10.6]; none of them is INVALID_PARAMETER.
		 * There is no directory to publish in: nothing changes. */
		if (c->u[1] != 1 && c->u[1] != 2 && c->u[1] != 4 &&
		    c->u[1] != 8) {
			return WERR_INVALID_PARAMETER;
		}
		return WERR_OK;
	case 1:
		return WERR_UNKNOWN_LEVEL;	/* GetPrinter's only */
	default:
		/* 6 (status), 7 (publishing in a directory): nothing we
		 * keep */
		return WERR_OK;
	}
	werr = werr_of(print->printer_set(print->priv, h->printer, &d));
	if (werr == WERR_OK && c->level == 2 && d.name != cur->name) {
		/* this handle follows the printer to its new name (others,
		 * on other pipes, find it no more) */
		const char *leaf = strrchr(d.name, '\\');
		char *name = talloc_strdup(h, leaf != NULL ? leaf + 1 :
					   d.name);

		if (name != NULL) {
			talloc_free(h->printer);
			h->printer = name;
		}
	}
	return werr;
}

/*
 * RpcSetPrinter (7): PRINTER_CONTAINER, DEVMODE_CONTAINER,
 * SECURITY_CONTAINER, Command. Level 0 carries only a command; levels 2,
 * 3 (the descriptor), 4 and 5 change a runtime printer; 7, 8 and 9 are
 * accepted and change nothing. The server and smb.conf printers take
 * only their own descriptor back (level 3).
 */
uint32_t op_set_printer(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct printer_container c = {};
	struct prn_handle *h = NULL;
	struct wg_printer_def *cur = NULL;
	struct blob dm = {};
	const uint8_t *sd = NULL;
	uint32_t sd_len = 0, command = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	rc = pull_printer_container(&call->in, &c);
	if (rc == 0) {
		rc = pull_devmode_container(&call->in, &dm.data, &dm.len);
	}
	if (rc == 0) {
		rc = pull_secdesc_container(&call->in, &sd, &sd_len);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &command);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (!wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (c.level == 0) {
		/* a command (pause, resume, purge) or none; SET_STATUS,
		 * for port monitors, is refused over RPC as Windows does */
		werr = !c.present && command == 0 ? WERR_INVALID_PARAMETER :
		       command <= PRINTER_CONTROL_PURGE ? WERR_OK :
		       WERR_INVALID_PRINTER_COMMAND;
		if (werr == WERR_OK && command == PRINTER_CONTROL_PURGE &&
		    h->printer != NULL && print != NULL &&
		    print->purge != NULL) {
			print->purge(print->priv, h->printer);
		}
	} else if (command != 0) {
		werr = WERR_INVALID_PRINTER_COMMAND;
	} else if (c.level != 3 && !c.present) {
		werr = WERR_INVALID_PARAMETER;
	} else if ((werr = check_sd(call, sd, sd_len)) != WERR_OK) {
		/* keep it */
	} else if (h->printer != NULL && print != NULL &&
		   print->printer_get != NULL &&
		   print->printer_get(print->priv, call->mem, h->printer,
				      &cur) == 0 && cur->runtime) {
		werr = set_runtime(call, h, &c, sd, sd_len, &dm);
	} else if (c.level == 3) {
		werr = set_fixed_sd(call, h, sd, sd_len);
	} else {
		werr = h->printer != NULL ? WERR_ACCESS_DENIED :
		       WERR_UNKNOWN_LEVEL;
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* --- printer data --- */

static uint32_t data_werr(int rc)
{
	switch (rc) {
	case 0:
		return WERR_OK;
	case -ENOENT:
		return WERR_BADFILE;
	case -EROFS:
		return WERR_ACCESS_DENIED;
	case -ENOSPC:
		return WERR_NO_SYSTEM_RESOURCES;
	case -ENOMEM:
		return WERR_NOT_ENOUGH_MEMORY;
	default:
		return WERR_CAN_NOT_COMPLETE;
	}
}

/*
 * The DsSpooler key [MS-RPRN 2.2.3.11 / 3.1.1, SPLDS_SPOOLER_KEY]: what
 * Windows publishes of a printer, kept by the spooler in step with
 * PRINTER_INFO_2. Here its values are made from the printer's current
 * settings each time they are asked for, never stored: a SetPrinter shows
 * at once, and there is nothing to keep in step. Clients cannot write it
 * (ACCESS_DENIED), as its values would not follow.
 */
#define DSSPOOLER_KEY		"DsSpooler"
#define DS_REG_SZ		1u
#define DS_REG_BINARY		3u
#define DS_REG_DWORD		4u
#define DS_REG_MULTI_SZ		7u
#define PRINTER_ATTRIBUTE_DIRECT		0x00000002u
#define PRINTER_ATTRIBUTE_KEEPPRINTEDJOBS	0x00000100u
#define PRINTER_ATTRIBUTE_DO_COMPLETE_FIRST	0x00000200u
#define DS_VALUES_MAX		16

static bool is_dsspooler(const char *key)
{
	return key != NULL && strcasecmp(key, DSSPOOLER_KEY) == 0;
}

/* Adds one DsSpooler value (data a child of mem); false: no memory. */
static bool ds_value(TALLOC_CTX *mem, struct wg_printer_value *v,
		     size_t *n, const char *name, uint32_t type,
		     const char *sz, uint32_t dword)
{
	struct wire_wr w;

	wire_wr_init(&w, mem, SPOOLSS_MAX_VALUE);
	if (type == DS_REG_DWORD) {
		wire_put_u32le(&w, dword);
	} else if (type == DS_REG_BINARY) {
		wire_put_u8(&w, (uint8_t)dword);
	} else {
		wire_put_utf16(&w, sz != NULL ? sz : "");
		wire_put_u16le(&w, 0);
		if (type == DS_REG_MULTI_SZ) {
			wire_put_u16le(&w, 0);
		}
	}
	if (wire_wr_error(&w) != 0 || *n >= DS_VALUES_MAX) {
		return false;
	}
	v[*n] = (struct wg_printer_value) {
		.key = DSSPOOLER_KEY, .name = (char *)name, .type = type,
		.data = w.buf, .len = w.len,
	};
	(*n)++;
	return true;
}

/* The printer's DsSpooler values into v[DS_VALUES_MAX]; -ENOMEM. */
static int dsspooler_values(struct wg_rpc_call *call, const char *printer,
			    struct wg_printer_value *v, size_t *n)
{
	struct wg_admin_share p = { .name = (char *)printer };
	const struct wg_printer_def *d = printer_def(call, &p);
	const char *server = wg_rpc_server(call)->netbios_name;
	const char *name = NULL, *share = NULL, *spooling = NULL;
	char *unc = NULL;
	bool ok = true;

	*n = 0;
	if (d == NULL) {
		return -ENOMEM;
	}
	name = leaf(d->name);
	share = d->share_name != NULL && d->share_name[0] != '\0' ?
		d->share_name : name;
	unc = talloc_asprintf(call->mem, "%s\\%s", server_unc(call),
			      share);
	spooling = (d->attributes & PRINTER_ATTRIBUTE_DIRECT) != 0 ?
		   "PrintDirect" :
		   (d->attributes & PRINTER_ATTRIBUTE_DO_COMPLETE_FIRST) != 0 ?
		   "PrintAfterSpooled" : "PrintWhileSpooling";
	if (unc == NULL) {
		return -ENOMEM;
	}
	ok = ds_value(call->mem, v, n, "description", DS_REG_SZ,
		      d->comment, 0) &&
	     ds_value(call->mem, v, n, "driverName", DS_REG_SZ, d->driver,
		      0) &&
	     ds_value(call->mem, v, n, "location", DS_REG_SZ, d->location,
		      0) &&
	     ds_value(call->mem, v, n, "portName", DS_REG_MULTI_SZ, d->port,
		      0) &&
	     ds_value(call->mem, v, n, "printerName", DS_REG_SZ, name, 0) &&
	     ds_value(call->mem, v, n, "printShareName", DS_REG_SZ, share,
		      0) &&
	     ds_value(call->mem, v, n, "printSeparatorFile", DS_REG_SZ,
		      d->sepfile, 0) &&
	     ds_value(call->mem, v, n, "printSpooling", DS_REG_SZ, spooling,
		      0) &&
	     ds_value(call->mem, v, n, "printKeepPrintedJobs",
		      DS_REG_BINARY, NULL,
		      (d->attributes &
		       PRINTER_ATTRIBUTE_KEEPPRINTEDJOBS) != 0) &&
	     ds_value(call->mem, v, n, "priority", DS_REG_DWORD, NULL,
		      d->priority) &&
	     ds_value(call->mem, v, n, "printStartTime", DS_REG_DWORD, NULL,
		      d->start_time) &&
	     ds_value(call->mem, v, n, "printEndTime", DS_REG_DWORD, NULL,
		      d->until_time) &&
	     ds_value(call->mem, v, n, "serverName", DS_REG_SZ, server, 0) &&
	     ds_value(call->mem, v, n, "shortServerName", DS_REG_SZ, server,
		      0) &&
	     ds_value(call->mem, v, n, "uNCName", DS_REG_SZ, unc, 0) &&
	     ds_value(call->mem, v, n, "versionNumber", DS_REG_DWORD, NULL,
		      4);
	return ok ? 0 : -ENOMEM;
}

/*
 * The values of the handle's printer (none for a server handle): the
 * stored ones, then the DsSpooler key made from its settings (anything
 * stored under that key is left out).
 */
int printer_values(struct wg_rpc_call *call, const char *printer,
		   struct wg_printer_value **v, size_t *n)
{
	const struct wg_print_ops *print = call->env->print;
	struct wg_printer_value *stored = NULL, *all = NULL;
	struct wg_printer_value ds[DS_VALUES_MAX];
	size_t nstored = 0, nds = 0, k = 0;
	int rc = 0;

	*v = NULL;
	*n = 0;
	if (printer == NULL || print == NULL || print->data_list == NULL) {
		return 0;
	}
	rc = print->data_list(print->priv, call->mem, printer, &stored,
			      &nstored);
	if (rc != 0) {
		return rc;
	}
	rc = dsspooler_values(call, printer, ds, &nds);
	if (rc != 0) {
		return rc;
	}
	all = talloc_array(call->mem, struct wg_printer_value,
			   nstored + nds);
	if (all == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < nstored; i++) {
		if (!is_dsspooler(stored[i].key)) {
			all[k++] = stored[i];
		}
	}
	for (size_t i = 0; i < nds; i++) {
		all[k++] = ds[i];
	}
	*v = all;
	*n = k;
	return 0;
}

bool printer_value(struct wg_rpc_call *call, const char *printer,
		   const char *key, const char *name, uint32_t *type,
		   uint8_t **data, size_t *len)
{
	struct wg_printer_value *v = NULL;
	size_t n = 0;

	if (key == NULL || name == NULL ||
	    printer_values(call, printer, &v, &n) != 0) {
		return false;
	}
	if (strcasecmp(name, "ChangeID") == 0) {
		/* [MS-RPRN 2.2.3.10.2]: the printer's change count */
		struct wg_admin_share p = { .name = (char *)printer };
		const struct wg_printer_def *d = printer_def(call, &p);
		uint8_t *b = talloc_array(call->mem, uint8_t, 4);

		if (d == NULL || b == NULL) {
			return false;
		}
		b[0] = (uint8_t)d->change_id;
		b[1] = (uint8_t)(d->change_id >> 8);
		b[2] = (uint8_t)(d->change_id >> 16);
		b[3] = (uint8_t)(d->change_id >> 24);
		*type = 4;	/* REG_DWORD */
		*data = b;
		*len = 4;
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].name != NULL && strcasecmp(v[i].key, key) == 0 &&
		    strcasecmp(v[i].name, name) == 0) {
			*type = v[i].type;
			*data = v[i].data;
			*len = v[i].len;
			return true;
		}
	}
	return false;
}

static uint32_t set_data(struct wg_rpc_call *call, bool ex)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	struct wg_printer_value v = {};
	const uint8_t *data = NULL;
	char *key = NULL, *name = NULL;
	uint32_t type = 0, count = 0, cb = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ex) {
		rc = ndr_pull_string(&call->in, &key);
	}
	if (rc == 0) {
		rc = ndr_pull_string(&call->in, &name);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &type);
	}
	if (rc == 0) {
		rc = ndr_pull_conformant_bytes(&call->in, &data, &count);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &cb);
	}
	if (rc != 0 || cb != count) {
		return DCERPC_FAULT_NDR;
	}
	if (!ex) {
		key = DRIVER_DATA_KEY;
	}
	if (h->printer == NULL) {
		werr = WERR_NOT_SUPPORTED;	/* server settings: fixed */
	} else if (!wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (key[0] == '\0') {
		werr = WERR_INVALID_PARAMETER;
	} else if (is_dsspooler(key)) {
		werr = WERR_ACCESS_DENIED;	/* the spooler's own */
	} else if (count > SPOOLSS_MAX_VALUE) {
		werr = WERR_NO_SYSTEM_RESOURCES;
	} else if (print == NULL || print->data_set == NULL) {
		werr = WERR_ACCESS_DENIED;
	} else {
		v.key = key;
		v.name = name;
		v.type = type;
		v.data = (uint8_t *)data;
		v.len = count;
		werr = data_werr(print->data_set(print->priv, h->printer, &v,
						 call->env->client_ip));
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcSetPrinterData (27) */
uint32_t op_set_printer_data(struct wg_rpc_call *call)
{
	return set_data(call, false);
}

/* RpcSetPrinterDataEx (77) */
uint32_t op_set_printer_data_ex(struct wg_rpc_call *call)
{
	return set_data(call, true);
}

static uint32_t delete_data(struct wg_rpc_call *call, int kind)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	char *key = NULL, *name = NULL;
	uint32_t werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	/* kind 0: DeletePrinterData, 1: ...DataEx, 2: DeletePrinterKey */
	if (kind != 0) {
		rc = ndr_pull_string(&call->in, &key);
	}
	if (rc == 0 && kind != 2) {
		rc = ndr_pull_string(&call->in, &name);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (kind == 0) {
		key = DRIVER_DATA_KEY;
	}
	if (h->printer == NULL) {
		werr = WERR_NOT_SUPPORTED;
	} else if (!wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (is_dsspooler(key)) {
		werr = WERR_ACCESS_DENIED;	/* the spooler's own */
	} else if (print == NULL || print->data_delete == NULL) {
		werr = WERR_ACCESS_DENIED;
	} else {
		werr = data_werr(print->data_delete(print->priv, h->printer,
						    key, name));
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcDeletePrinterData (73) */
uint32_t op_delete_printer_data(struct wg_rpc_call *call)
{
	return delete_data(call, 0);
}

/* RpcDeletePrinterDataEx (81) */
uint32_t op_delete_printer_data_ex(struct wg_rpc_call *call)
{
	return delete_data(call, 1);
}

/* RpcDeletePrinterKey (82) */
uint32_t op_delete_printer_key(struct wg_rpc_call *call)
{
	return delete_data(call, 2);
}

/* Bytes of s as UTF-16 with its NUL. */
static size_t wsize(const char *s)
{
	return utf16_len_of_utf8(s) + 2;
}

/*
 * RpcEnumPrinterData (72): the dwIndex'th value of PrinterDriverData.
 * With both sizes 0, the sizes the longest name and data need.
 */
uint32_t op_enum_printer_data(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	struct wg_printer_value *v = NULL, *hit = NULL;
	uint32_t index = 0, cb_name = 0, cb_data = 0, werr = WERR_OK;
	size_t n = 0, k = 0, need_name = 0, need_data = 0;
	struct wire_wr w;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &index) != 0 ||
	    ndr_pull_u32(&call->in, &cb_name) != 0 ||
	    ndr_pull_u32(&call->in, &cb_data) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (cb_name > SPOOLSS_MAX_OUT || cb_data > SPOOLSS_MAX_OUT) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (printer_values(call, h->printer, &v, &n) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	for (size_t i = 0; werr == WERR_OK && i < n; i++) {
		if (v[i].name == NULL ||
		    strcasecmp(v[i].key, DRIVER_DATA_KEY) != 0) {
			continue;
		}
		if (wsize(v[i].name) > need_name) {
			need_name = wsize(v[i].name);
		}
		if (v[i].len > need_data) {
			need_data = v[i].len;
		}
		if (k++ == index) {
			hit = &v[i];
		}
	}
	if (werr == WERR_OK && cb_name == 0 && cb_data == 0 && k > 0) {
		hit = NULL;	/* just the sizes */
	} else if (werr == WERR_OK && hit == NULL) {
		werr = WERR_NO_MORE_ITEMS;
	} else if (werr == WERR_OK) {
		need_name = wsize(hit->name);
		need_data = hit->len;
		if (need_name > cb_name || need_data > cb_data) {
			werr = WERR_MORE_DATA;
		}
	}
	/* pValueName[cbValueName / 2] */
	ndr_push_u32(&call->out, cb_name / 2);
	wire_wr_init(&w, call->mem, SPOOLSS_MAX_OUT);
	if (werr == WERR_OK && hit != NULL) {
		(void)wire_wr_reserve(&w, need_name);
		wire_put_utf16(&w, hit->name);
		wire_put_u16le(&w, 0);
	}
	if (wire_wr_error(&w) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	ndr_push_bytes(&call->out, w.buf, w.len);
	wire_put_zero(&call->out.w, (cb_name / 2) * 2 - w.len);
	ndr_push_align(&call->out, 4);
	ndr_push_u32(&call->out, (uint32_t)need_name);
	ndr_push_u32(&call->out, werr == WERR_OK && hit != NULL ?
		     hit->type : 0);
	ndr_push_u32(&call->out, cb_data);
	if (werr == WERR_OK && hit != NULL) {
		ndr_push_bytes(&call->out, hit->data, hit->len);
		wire_put_zero(&call->out.w, cb_data - hit->len);
	} else {
		wire_put_zero(&call->out.w, cb_data);
	}
	ndr_push_align(&call->out, 4);
	ndr_push_u32(&call->out, (uint32_t)need_data);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* Does key exist (itself, or a key below it)? "" always does. */
static bool key_exists(const struct wg_printer_value *v, size_t n,
		       const char *key)
{
	size_t kl = strlen(key);

	if (kl == 0) {
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (strncasecmp(v[i].key, key, kl) == 0 &&
		    (v[i].key[kl] == '\0' || v[i].key[kl] == '\\')) {
			return true;
		}
	}
	return false;
}

/* RpcEnumPrinterDataEx (79): the values of one key. */
uint32_t op_enum_printer_data_ex(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	struct wg_printer_value *v = NULL;
	struct out_buf ob = { .present = true };
	struct info_blob b;
	uint8_t *data = NULL;
	char *key = NULL;
	uint32_t werr = WERR_OK;
	size_t n = 0, count = 0, len = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_string(&call->in, &key) != 0 ||
	    ndr_pull_u32(&call->in, &ob.size) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (ob.size > SPOOLSS_MAX_OUT) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (printer_values(call, h->printer, &v, &n) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	} else if (key[0] == '\0' || !key_exists(v, n, key)) {
		werr = WERR_BADFILE;
	}
	for (size_t i = 0; werr == WERR_OK && i < n; i++) {
		if (v[i].name != NULL && strcasecmp(v[i].key, key) == 0) {
			count++;
		}
	}
	if (werr == WERR_OK && count > 0) {
		blob_init(&b, call->mem, count, 20);
		for (size_t i = 0; i < n; i++) {
			if (v[i].name == NULL ||
			    strcasecmp(v[i].key, key) != 0) {
				continue;
			}
			blob_entry(&b);
			blob_str(&b, v[i].name);
			blob_u32(&b, (uint32_t)wsize(v[i].name));
			blob_u32(&b, v[i].type);
			blob_bytes4(&b, v[i].data, v[i].len);
			blob_u32(&b, (uint32_t)v[i].len);
		}
		if (blob_finish(&b, call->mem, &data, &len) != 0) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
	}
	if (werr == WERR_OK && len > ob.size) {
		werr = WERR_MORE_DATA;
	}
	/* pEnumValues[cbEnumValues], pcbEnumValues, pnEnumValues */
	ndr_push_u32(&call->out, ob.size);
	if (werr == WERR_OK && len > 0) {
		ndr_push_bytes(&call->out, data, len);
		wire_put_zero(&call->out.w, ob.size - len);
	} else {
		wire_put_zero(&call->out.w, ob.size);
	}
	ndr_push_align(&call->out, 4);
	ndr_push_u32(&call->out, (uint32_t)len);
	ndr_push_u32(&call->out, werr == WERR_OK ? (uint32_t)count : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* The name of k's key directly below key (a child of mem), or NULL. */
static char *subkey_of(TALLOC_CTX *mem, const char *k, const char *key)
{
	size_t kl = strlen(key);
	const char *sub = k, *end = NULL;

	if (kl > 0) {
		if (strncasecmp(k, key, kl) != 0 || k[kl] != '\\') {
			return NULL;
		}
		sub = k + kl + 1;
	}
	end = strchr(sub, '\\');
	if (sub[0] == '\0' || end == sub) {
		return NULL;
	}
	return talloc_strndup(mem, sub, end != NULL ? (size_t)(end - sub) :
			      strlen(sub));
}

/* RpcEnumPrinterKey (80): the keys directly below a key, a multi-sz. */
uint32_t op_enum_printer_key(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	struct wg_printer_value *v = NULL;
	char *key = NULL;
	char **subs = NULL;
	uint32_t cb = 0, werr = WERR_OK;
	size_t n = 0, nsubs = 0;
	struct wire_wr w;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_string(&call->in, &key) != 0 ||
	    ndr_pull_u32(&call->in, &cb) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (cb > SPOOLSS_MAX_OUT) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (printer_values(call, h->printer, &v, &n) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	subs = talloc_array(call->mem, char *, n);
	if (subs == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	for (size_t i = 0; i < n; i++) {
		char *sub = subkey_of(subs, v[i].key, key);
		bool seen = false;

		for (size_t k = 0; sub != NULL && k < nsubs; k++) {
			seen = seen || strcasecmp(subs[k], sub) == 0;
		}
		if (sub != NULL && !seen) {
			subs[nsubs++] = sub;
		}
	}
	if (h->printer != NULL && !key_exists(v, n, key)) {
		werr = WERR_BADFILE;
	}
	wire_wr_init(&w, call->mem, SPOOLSS_MAX_OUT);
	for (size_t k = 0; k < nsubs; k++) {
		(void)wire_wr_reserve(&w, wsize(subs[k]));
		wire_put_utf16(&w, subs[k]);
		wire_put_u16le(&w, 0);
	}
	wire_put_u16le(&w, 0);
	if (nsubs == 0) {
		wire_put_u16le(&w, 0);	/* an empty multi-sz: two NULs */
	}
	if (wire_wr_error(&w) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (werr == WERR_OK && w.len > cb) {
		werr = WERR_MORE_DATA;
	}
	ndr_push_u32(&call->out, cb / 2);
	if (werr == WERR_OK) {
		ndr_push_bytes(&call->out, w.buf, w.len);
		wire_put_zero(&call->out.w, (cb / 2) * 2 - w.len);
	} else {
		wire_put_zero(&call->out.w, (cb / 2) * 2);
	}
	ndr_push_align(&call->out, 4);
	ndr_push_u32(&call->out, werr == WERR_BADFILE ? 0 : (uint32_t)w.len);
	ndr_push_u32(&call->out, werr);
	return 0;
}
