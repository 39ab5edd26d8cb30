#!/usr/bin/env bash
#
# test_rpc_suites.sh - smbtorture's whole rpc.spoolss.printserver,
# rpc.spoolss.printer, rpc.srvsvc and rpc.winreg suites against wgsmbd's
# RPC pipes (issues 13 and 15), with a printer share [lp] set up the way
# test_rpc.sh does.
# Every sub-test must succeed, except the ones listed in KNOWN below, each
# with its reason; a skipped sub-test counts as a failure unless listed,
# and a listed one that passes is a FAIL until it is taken off the list
# (torture.sh).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/torture.sh"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# test_rpc_suites.sh tests wgsmbd's RPC services; nothing to do for $WG_SERVER"
	echo "# test_rpc_suites.sh: 0 passed, 0 failed"
	exit 0
fi

# sub-test -> why it is expected to fail
PS=rpc.spoolss.printserver.printserver
SV="rpc.srvsvc.srvsvc (admin access)"
declare -A KNOWN=(
	["$SV.NetShareAddSetDel"]="smbtorture skips it unless dangerous tests are on (it adds, edits and deletes a share); shares come from smb.conf and NetrShareAdd/SetInfo/Del are not served"
	[$PS.enum_printer_drivers]="smbtorture 4.17 keeps EnumPrinterDrivers' answers in arrays of 8 (test_spoolss_context.driver_count[8], drivers[8]) and stores and reads level 8 at index 8, past their end: once a driver is listed (MS Publisher Imagesetter, for x64 and x86) it compares what lies beyond ('cur->info2.version was 0x...'); every level it asks for decodes and agrees (tests/pipes/test_spoolss.c, rpcclient enumdrivers)"
	[$PS.add_port]="AddPort is not served: ports are not configurable over RPC"
	[$PS.add_processor]="AddPrintProcessor is not served: print processors are not installable"
	[$PS.enum_printers_old]="goes on to exercise every printer, here the smb.conf printer [lp], as rpc.spoolss.printer does its own (SetPrinter level 2 and descriptors, SetPrinterData): smb.conf printers stay read-only over RPC (ACCESS_DENIED)"
	[$PS.get_core_printer_drivers]="GetCorePrinterDrivers answers HRESULT_FROM_WIN32(ERROR_NOT_FOUND) (no package-aware drivers here); the test then fails that very code ('was 0x80070490, expected 0x80070490' in smbtorture 4.17)"
	[$PS.get_printer_driver_package_path]="it first calls GetCorePrinterDrivers (above); GetPrinterDriverPackagePath answers HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) (no driver packages), which the test accepts for the first call, but its next call fails in smbtorture's own NDR (INVALID_PARAMETER_MIX): not worked out yet"
	[$PS.set_printer]="SetPrinter level 3 on the server handle with a changed descriptor: who administers is smb.conf's admin users, so a changed descriptor is refused (NOT_SUPPORTED); the same one back is accepted"
	[$PS.printserver_info_winreg]="compares the print server's data with HKLM\\SYSTEM\\CurrentControlSet\\Control\\Print: winreg is served (read-only) and holds the printers, but not the server's own values (ServerSecurityDescriptor: FILE_NOT_FOUND)"
	[$PS.addpermachineconnection]="per-machine connections are for the server machine's own users and are not recorded: Add of a \\\\server\\printer name succeeds without effect, Delete finds none; the test's later cases want Windows' FILE_NOT_FOUND for a name we accept"
)
# rpc.spoolss.printer runs every sub-test twice, on a printer it adds
# with AddPrinter and with AddPrinterEx; the reasons are the same for both.
declare -A PRINTER_KNOWN=(
	[dm]="SetPrinter level 2 checks the DEVMODE it carries but does not take it (the printer's DEVMODE changes through level 8 only), so the test fails at 'modified DM level 8 != DM level 8 after DM has been set via level 2'; taking it lets the test reach test_devicemode_full, whose TESTGETCALL retries GetPrinter with a DATA_BLOB gone out of scope and smbtorture 4.17 dies (ndr_push_expand to a garbage size, then SIGSEGV), ending the whole suite"
	[printer_info]="skips itself: test_PrinterInfo says 'Printer Info test is currently broken, skipping' (smbtorture 4.17), so the sub-test ends as a skip; its SetPrinter error cases (test_SetPrinter_errors, every level and command) all answer as it wants (tests/pipes/test_spoolss_printer.c test_set_errors)"
	[print_test_smbd]="connects to the printer share print1 (TORTURE_PRINTER_STATIC1 of Samba's selftest; BAD_NETWORK_NAME here), then looks for the job it is still writing there in EnumJobs of the printer it added: a file written to a print share is a job once it is closed"
	[driver_info_winreg]="skips itself: no printer driver is installed on the server (the test then has no driver to look at)"
	[publish_toggle]="SetPrinter level 7 (publish in a directory) is accepted without effect: there is no directory service, so PRINTER_ATTRIBUTE_PUBLISHED is never set"
	[bidi]="skips itself: SendRecvBidiData answers ERROR_NOT_SUPPORTED, as Windows does for a port without a bidi monitor (pipes/spoolss_ic.c), and the test then says 'skipping further tests as printer is not BIDI enabled'"
)
# rpc.winreg against a registry that is read-only (pipes/winreg.c)
WR=rpc.winreg.winreg
KNOWN[$WR.InitiateSystemShutdown]="smbtorture skips it unless dangerous tests are on (it would shut the server down); shutdown is refused with ACCESS_DENIED here"
KNOWN[$WR.InitiateSystemShutdownEx]="smbtorture skips it unless dangerous tests are on; refused with ACCESS_DENIED here"
KNOWN[$WR.HKLM]="GetVersion, QueryValue (every NULL-pointer case) and QueryMultipleValues(2) of CurrentVersion pass; it then asks for SystemRoot, a Windows directory this server does not have (FILE_NOT_FOUND where it wants MORE_DATA)"
for h in HKU HKCR HKCU; do
	KNOWN[$WR.$h]="skips itself: it first creates its test key, which a read-only registry refuses (CreateKey: ACCESS_DENIED), and the rest of it needs that key; EnumKey, NotifyChangeKeyValue (NOT_SUPPORTED) and GetVersion before that pass"
done
for t in "${!PRINTER_KNOWN[@]}"; do
	for tc in addprinter addprinterex; do
		KNOWN[rpc.spoolss.printer.$tc.$t]=${PRINTER_KNOWN[$t]}
	done
done

# alice administers the server, as whoever runs Computer Management
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
wg_start

torture_suite rpc.spoolss.printserver 27
torture_suite rpc.spoolss.printer 54
torture_suite rpc.srvsvc 17
torture_suite rpc.winreg 6
wg_finish
