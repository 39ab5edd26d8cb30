/*
 * fuzz_ctlproto.c - the control socket's request line and the JSON
 * reader wgnet uses on the daemon's answers. The first byte picks which.
 */
#include "proto/ctlproto.h"

#include <stdint.h>
#include <stdlib.h>
#include <talloc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ctl_request *req = NULL;
	struct ctl_jv *v = NULL;
	size_t at = 0;

	if (size == 0) {
		talloc_free(mem);
		return 0;
	}
	if (data[0] & 1) {
		(void)ctl_request_parse(mem, (const char *)data + 1, size - 1,
					&req);
	} else {
		(void)ctl_json_parse(mem, (const char *)data + 1, size - 1, &v,
				     &at);
	}
	talloc_free(mem);
	return 0;
}
