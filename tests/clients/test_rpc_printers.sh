#!/usr/bin/env bash
#
# test_rpc_printers.sh - printers made over spoolss (issue 13): alice (in
# `admin users`) adds one with rpcclient's addprinter; it is listed, is a
# printer share smbclient prints to (the job lands in its spool directory
# under the state directory), keeps its printer data, and is all still
# there after a restart (the printers file). bob, not an admin, cannot add
# one; the smb.conf printer [lp] cannot be renamed or deleted over RPC; a
# deleted printer is gone, its share too, and stays gone after a restart.
set -u
. "$(dirname "$0")/lib.sh"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# test_rpc_printers.sh tests wgsmbd's printers; nothing to do for $WG_SERVER"
	echo "# test_rpc_printers.sh: 0 passed, 0 failed"
	exit 0
fi

WG_EXTRA_GLOBAL="admin users = $WG_USER"
wg_setup
SPOOL=$WG_TMP/spool
mkdir -p "$SPOOL/lp"
chmod 777 "$SPOOL/lp"
cat >>"$WG_CONF" <<-EOF

	[lp]
	path = $SPOOL/lp
	comment = office laser
	printable = yes
	EOF
wg_add_user bob "$WG_PASS"

# rpc USER COMMAND: rpcclient as USER; output in $OUT.
rpc() {
	OUT=$(timeout 30 rpcclient "$WG_HOST" -p "$WG_PORT" \
		-s "$WG_CLIENT_CONF" -U "$1%$WG_PASS" -c "$2" </dev/null 2>&1)
}

# listed NAME: does EnumPrinters name it?
listed() {
	rpc "$WG_USER" "enumprinters"
	printf '%s\n' "$OUT" | grep -q "\\\\$1\$\|\\\\$1,\|name:\[.*\\\\$1\]"
}

wg_start

rpc bob "addprinter office office Generic LPT1:"
if printf '%s\n' "$OUT" | grep -q "WERR_ACCESS_DENIED"; then
	wg_pass "bob (not an admin) cannot add a printer"
else
	wg_fail "bob added a printer: $OUT"
fi

rpc "$WG_USER" "addprinter office office Generic LPT1:"
if listed office; then
	wg_pass "alice added printer office and EnumPrinters lists it"
else
	wg_fail "printer office not added: $OUT"
fi
if grep -q "^P	1	office	office	" "$WG_TMP/state/printers" &&
   head -n 1 "$WG_TMP/state/printers" | grep -qx "wgsmb-printers 1"; then
	wg_pass "the printer is saved in the state directory's printers file"
else
	wg_fail "printers file: $(cat "$WG_TMP/state/printers" 2>&1)"
fi

rpc "$WG_USER" "setprinterdata office string Location 'second floor'"
rpc "$WG_USER" "getdata office Location"
if printf '%s\n' "$OUT" | grep -q "second floor"; then
	wg_pass "printer data set and read back"
else
	wg_fail "printer data: $OUT"
fi

echo "hello printer" >"$WG_TMP/job.txt"
wg_check "smbclient prints to share office" smbclient "//$WG_HOST/office" \
	-p "$WG_PORT" -s "$WG_CLIENT_CONF" -U "$WG_USER%$WG_PASS" \
	-c "print $WG_TMP/job.txt"
if [ "$(cat "$WG_TMP"/state/spool/1/job-* 2>/dev/null)" = "hello printer" ]; then
	wg_pass "a job printed to share office is spooled in state/spool/1"
else
	wg_fail "no job in $WG_TMP/state/spool/1: $(ls -la "$WG_TMP/state/spool/1" 2>&1)"
fi

rpc "$WG_USER" "setprintername lp renamed"
if printf '%s\n' "$OUT" | grep -q "WERR_ACCESS_DENIED" && listed lp; then
	wg_pass "smb.conf's printer lp is not changed over RPC"
else
	wg_fail "lp: $OUT"
fi

wg_stop
wg_start
if listed office; then
	wg_pass "printer office is still there after a restart"
else
	wg_fail "printer office lost in the restart: $OUT"
fi
rpc "$WG_USER" "getdata office Location"
if printf '%s\n' "$OUT" | grep -q "second floor"; then
	wg_pass "its printer data too"
else
	wg_fail "printer data lost in the restart: $OUT"
fi

# DeletePrinter (opnum 6) through impacket, which has no helper for it.
OUT=$(timeout 30 "$WG_PY" - "$WG_HOST" "$WG_PORT" "$WG_USER" "$WG_PASS" <<'PY' 2>&1
import sys
from impacket.dcerpc.v5 import transport, rprn
from impacket.dcerpc.v5.dtypes import ULONG
from impacket.dcerpc.v5.ndr import NDRCALL


class RpcDeletePrinter(NDRCALL):
    opnum = 6
    structure = (('hPrinter', rprn.PRINTER_HANDLE),)


class RpcDeletePrinterResponse(NDRCALL):
    structure = (('ErrorCode', ULONG),)


host, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
t = transport.DCERPCTransportFactory(r'ncacn_np:%s[\pipe\spoolss]' % host)
t.set_dport(port)
t.set_credentials(user, pw)
d = t.get_dce_rpc()
d.connect()
d.bind(rprn.MSRPC_UUID_RPRN)
for name in ('lp', 'office'):
    h = rprn.hRpcOpenPrinter(d, '\\\\%s\\%s\x00' % (host, name))['pHandle']
    req = RpcDeletePrinter()
    req['hPrinter'] = h
    try:
        r = d.request(req)
        print(name, 'status', r['ErrorCode'])
    except Exception as e:
        print(name, 'status', getattr(e, 'error_code', e))
PY
)
if printf '%s\n' "$OUT" | grep -q "^lp status 5$" &&
   printf '%s\n' "$OUT" | grep -q "^office status 0$"; then
	wg_pass "DeletePrinter: lp (smb.conf) ACCESS_DENIED, office deleted"
else
	wg_fail "DeletePrinter: $OUT"
fi
SHARE=$(timeout 30 smbclient "//$WG_HOST/office" -p "$WG_PORT" \
	-s "$WG_CLIENT_CONF" -U "$WG_USER%$WG_PASS" -c "ls" </dev/null 2>&1)
if ! listed office &&
   printf '%s\n' "$SHARE" | grep -q NT_STATUS_BAD_NETWORK_NAME; then
	wg_pass "office and its share are gone"
else
	wg_fail "office still there: $OUT"
fi
wg_stop
wg_start
if ! listed office && listed lp; then
	wg_pass "and stay gone after a restart; lp stays"
else
	wg_fail "after the restart: $OUT"
fi
wg_finish
