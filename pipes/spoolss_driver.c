/*
 * spoolss_driver.c - printer drivers [MS-RPRN 3.1.4.4]: the one driver
 * every printer here is said to use, for Windows' Add Printer wizard and
 * Point and Print: RpcEnumPrinterDrivers (10), RpcGetPrinterDriver (11)
 * and RpcGetPrinterDriver2 (53).
 *
 * The driver is "MS Publisher Imagesetter", Windows' own generic
 * PostScript driver (Pscript5 with a generic PPD), in the box on every
 * Windows client for x86 and x64. Point and Print matches a printer's
 * driver by name, environment and version: a client that has the driver
 * (or has it in its driver store) installs it from there and downloads
 * nothing, which a non-administrator may do under Windows' Point and
 * Print restrictions; its jobs are PostScript, which a print command
 * (lpr, CUPS) prints as they are. The files named below are those of the
 * in-box driver and are informative: no print$ share serves them, and
 * the driver date and version are older than any client's in-box copy so
 * that a client never prefers ours.
 *
 * A version 3 (user-mode) driver: a client asking for versions up to 2
 * (Windows NT 4 and older kernels' drivers) is told there is none; one
 * asking for 3 or above (Windows 8 and later also ask for 3: version 4
 * drivers are announced as such) gets this one.
 */
#include "pipes/spoolss_int.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include "proto/utf16.h"

#define DRIVER_VERSION		3u	/* cVersion: a user-mode driver */
/* ftDriverDate 2006-06-21 (FILETIME) and dwlDriverVersion 6.0.6000.16386 */
#define DRIVER_DATE		0x01c694c5a38c8000ull
#define DRIVER_FILE_VERSION	0x0006000017704002ull

/* The environments we have the driver for, and their print$ folders. */
static const struct driver_env {
	const char *env;
	const char *dir;
} driver_envs[] = {
	{ SPOOLSS_ARCH, "x64" },
	{ "Windows NT x86", "W32X86" },
};
#define N_DRIVER_ENVS	(sizeof(driver_envs) / sizeof(driver_envs[0]))

/* Fixed portion sizes of DRIVER_INFO levels 1 to 8 (7 does not exist). */
static size_t driver_fixed_size(uint32_t level)
{
	static const size_t size[] = { 0, 4, 24, 40, 44, 36, 80, 0, 120 };

	return level < sizeof(size) / sizeof(size[0]) ? size[level] : 0;
}

/* The driver's entry for env (already canonical), or NULL. */
static const struct driver_env *driver_env_find(const char *env)
{
	for (size_t i = 0; env != NULL && i < N_DRIVER_ENVS; i++) {
		if (strcasecmp(driver_envs[i].env, env) == 0) {
			return &driver_envs[i];
		}
	}
	return NULL;
}

/*
 * A MULTI_SZ: its offset, then each string NUL-terminated and one more
 * NUL (an empty list is two NULs, as Windows answers for a list that
 * names nothing).
 */
static void blob_multi_sz(struct info_blob *b, const char *const *v, size_t n)
{
	wire_put_u32le(&b->fixed, (uint32_t)(b->fixed_total + b->var.len -
					     b->entry_start));
	for (size_t i = 0; i < n; i++) {
		(void)wire_wr_reserve(&b->var, utf16_len_of_utf8(v[i]) + 2);
		wire_put_utf16(&b->var, v[i]);
		wire_put_u16le(&b->var, 0);
	}
	if (n == 0) {
		wire_put_u16le(&b->var, 0);
	}
	wire_put_u16le(&b->var, 0);
}

static void blob_u64(struct info_blob *b, uint64_t v)
{
	blob_u32(b, (uint32_t)v);
	blob_u32(b, (uint32_t)(v >> 32));
}

/* One DRIVER_INFO entry; file paths are under \\server\print$\dir\3. */
static void driver_info(struct info_blob *b, TALLOC_CTX *mem, uint32_t level,
			const struct driver_env *de, const char *server)
{
	static const char *const deps[] = { "PSCRIPT.NTF" };
	const char *dir = talloc_asprintf(mem, "%s\\print$\\%s\\%u", server,
					  de->dir, DRIVER_VERSION);
	const char *drv = talloc_asprintf(mem, "%s\\PSCRIPT5.DLL", dir);
	const char *data = talloc_asprintf(mem, "%s\\IMGSETTR.PPD", dir);
	const char *conf = talloc_asprintf(mem, "%s\\PS5UI.DLL", dir);
	const char *help = talloc_asprintf(mem, "%s\\PSCRIPT.HLP", dir);

	blob_entry(b);
	if (level != 1) {
		blob_u32(b, DRIVER_VERSION);
	}
	blob_str(b, SPOOLSS_DRIVER_NAME);
	if (level == 1) {
		return;
	}
	blob_str(b, de->env);
	blob_str(b, drv);
	blob_str(b, data);
	blob_str(b, conf);
	if (level == 2) {
		return;
	}
	if (level == 5) {
		blob_u32(b, 0);			/* dwDriverAttributes */
		blob_u32(b, 0);			/* dwConfigVersion */
		blob_u32(b, 0);			/* dwDriverVersion */
		return;
	}
	blob_str(b, help);
	blob_multi_sz(b, deps, sizeof(deps) / sizeof(deps[0]));
	blob_str(b, NULL);			/* no language monitor */
	blob_str(b, "RAW");			/* default data type */
	if (level == 3) {
		return;
	}
	blob_multi_sz(b, NULL, 0);		/* no previous names */
	if (level == 4) {
		return;
	}
	blob_u64(b, DRIVER_DATE);
	blob_u32(b, 0);				/* padding: align 8 */
	blob_u64(b, DRIVER_FILE_VERSION);
	blob_str(b, "Microsoft");		/* manufacturer */
	blob_str(b, "http://www.microsoft.com/");
	blob_str(b, "");			/* hardware id */
	blob_str(b, "Microsoft");		/* provider */
	if (level == 6) {
		return;
	}
	blob_str(b, "winprint");
	blob_str(b, NULL);			/* vendor setup */
	blob_multi_sz(b, NULL, 0);		/* color profiles */
	blob_str(b, "");			/* INF path: in the box */
	blob_u32(b, 0);				/* not package-aware */
	blob_multi_sz(b, NULL, 0);		/* core driver dependencies */
	blob_u64(b, 0);				/* ftMinInboxDriverVerDate */
	blob_u64(b, 0);				/* and its version */
}

/* Entries of level for each of envs, into *data (a child of mem). */
static int drivers_blob(TALLOC_CTX *mem, uint32_t level,
			const struct driver_env *const *envs, size_t n,
			const char *server, uint8_t **data, size_t *len)
{
	struct info_blob b;

	blob_init(&b, mem, n, driver_fixed_size(level));
	for (size_t i = 0; i < n; i++) {
		driver_info(&b, mem, level, envs[i], server);
	}
	return blob_finish(&b, mem, data, len);
}

static bool driver_level_ok(uint32_t level)
{
	return driver_fixed_size(level) != 0;
}

/* "\\NAME" of this server, as driver paths name it. */
static const char *driver_server(struct wg_rpc_call *call)
{
	return talloc_asprintf(call->mem, "\\\\%s",
			       wg_rpc_server(call)->netbios_name);
}

/* RpcEnumPrinterDrivers (10): ours, for one environment or "all". */
uint32_t op_enum_printer_drivers(struct wg_rpc_call *call)
{
	const struct driver_env *envs[N_DRIVER_ENVS];
	struct out_buf ob = {};
	char *name = NULL, *env = NULL;
	uint8_t *data = NULL;
	uint32_t level = 0, werr = WERR_OK;
	size_t n = 0, len = 0;

	if (pull_name_env_level(call, &name, &env, &level, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = check_server_name(name);
	if (werr == WERR_OK && env != NULL && strcasecmp(env, "all") == 0) {
		for (size_t i = 0; i < N_DRIVER_ENVS; i++) {
			envs[n++] = &driver_envs[i];
		}
	} else if (werr == WERR_OK && environment_of(env) == NULL) {
		werr = WERR_INVALID_ENVIRONMENT;
	} else if (werr == WERR_OK &&
		   driver_env_find(environment_of(env)) != NULL) {
		envs[n++] = driver_env_find(environment_of(env));
	}
	if (werr == WERR_OK && !driver_level_ok(level)) {
		werr = WERR_UNKNOWN_LEVEL;
	}
	if (werr != WERR_OK) {
		n = 0;
	}
	if (n > 0 && drivers_blob(call->mem, level, envs, n,
				  driver_server(call), &data, &len) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	push_out_buf(call, &ob, data, len, &werr);
	ndr_push_u32(&call->out, werr == WERR_OK ? (uint32_t)n : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * The printer's driver for env at level, for a client of major version
 * `major`, into the [out] buffer: the common part of RpcGetPrinterDriver
 * and RpcGetPrinterDriver2. A server handle has no driver. 0, or -ENOMEM
 * (nothing pushed); *werr is the call's result.
 */
static int get_driver(struct wg_rpc_call *call, const struct prn_handle *h,
		      const char *env, uint32_t level, uint32_t major,
		      const struct out_buf *ob, uint32_t *werr)
{
	const struct driver_env *de = NULL;
	const char *arch = environment_of(env);
	uint8_t *data = NULL;
	size_t len = 0;

	*werr = WERR_OK;
	if (h->printer == NULL) {
		*werr = WERR_INVALID_HANDLE;
	} else if (arch == NULL) {
		*werr = WERR_INVALID_ENVIRONMENT;
	} else if (!driver_level_ok(level)) {
		*werr = WERR_UNKNOWN_LEVEL;
	} else if ((de = driver_env_find(arch)) == NULL ||
		   major < DRIVER_VERSION) {
		*werr = WERR_UNKNOWN_PRINTER_DRIVER;
	} else if (drivers_blob(call->mem, level, &de, 1, driver_server(call),
				&data, &len) != 0) {
		return -ENOMEM;
	}
	push_out_buf(call, ob, data, len, werr);
	return 0;
}

/* RpcGetPrinterDriver (11): as a version 3 client asks. */
uint32_t op_get_printer_driver(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	char *env = NULL;
	uint32_t level = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_unique_string(&call->in, &env) != 0 ||
	    ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (get_driver(call, h, env, level, DRIVER_VERSION, &ob,
		       &werr) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * RpcGetPrinterDriver2 (53): as RpcGetPrinterDriver, for the client's
 * dwClientMajorVersion; pdwServerMaxVersion and pdwServerMinVersion say
 * which driver versions we have (only 3).
 */
uint32_t op_get_printer_driver2(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	char *env = NULL;
	uint32_t level = 0, major = 0, minor = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_unique_string(&call->in, &env) != 0 ||
	    ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0 ||
	    ndr_pull_u32(&call->in, &major) != 0 ||
	    ndr_pull_u32(&call->in, &minor) != 0) {
		return DCERPC_FAULT_NDR;
	}
	(void)minor;
	if (get_driver(call, h, env, level, major, &ob, &werr) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	/* pdwServerMaxVersion, pdwServerMinVersion */
	ndr_push_u32(&call->out, DRIVER_VERSION);
	ndr_push_u32(&call->out, DRIVER_VERSION);
	ndr_push_u32(&call->out, werr);
	return 0;
}
