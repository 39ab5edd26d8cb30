#!/usr/bin/env bash
#
# test_rpc_suites.sh - smbtorture's whole rpc.spoolss.printserver,
# rpc.spoolss.printer and rpc.srvsvc suites against wgsmbd's RPC pipes
# (issue 13), with a printer share [lp] set up the way test_rpc.sh does.
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
	[$PS.forms_winreg]="needs the winreg pipe, which wgsmbd does not serve"
	[$PS.enum_printer_drivers]="smbtorture 4.17 keeps EnumPrinterDrivers' answers in arrays of 8 (test_spoolss_context.driver_count[8], drivers[8]) and stores and reads level 8 at index 8, past their end: once a driver is listed (MS Publisher Imagesetter, for x64 and x86) it compares what lies beyond ('cur->info2.version was 0x...'); every level it asks for decodes and agrees (tests/pipes/test_spoolss.c, rpcclient enumdrivers)"
	[$PS.add_port]="AddPort is not served: ports are not configurable over RPC"
	[$PS.print_processors_winreg]="needs the winreg pipe, which wgsmbd does not serve"
	[$PS.add_processor]="AddPrintProcessor is not served: print processors are not installable"
	[$PS.enum_printers_old]="goes on to exercise each printer as rpc.spoolss.printer does (SetPrinter levels 2/3 storing a changed descriptor, SetJob, SetPrinterData(Ex), non-RAW datatypes): printers are smb.conf printer shares and are not edited over RPC"
	[$PS.get_core_printer_drivers]="GetCorePrinterDrivers answers HRESULT_FROM_WIN32(ERROR_NOT_FOUND) (no package-aware drivers here); the test then fails that very code ('was 0x80070490, expected 0x80070490' in smbtorture 4.17)"
	[$PS.get_printer_driver_package_path]="it first calls GetCorePrinterDrivers (above); GetPrinterDriverPackagePath answers HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) (no driver packages), which the test accepts for the first call, but its next call fails in smbtorture's own NDR (INVALID_PARAMETER_MIX): not worked out yet"
	[$PS.set_printer]="SetPrinter level 3 on the server handle with a changed descriptor: who administers is smb.conf's admin users, so a changed descriptor is refused (NOT_SUPPORTED); the same one back is accepted"
	[$PS.printserver_info_winreg]="needs the winreg pipe, which wgsmbd does not serve"
	[$PS.addpermachineconnection]="per-machine connections are for the server machine's own users and are not recorded: Add of a \\\\server\\printer name succeeds without effect, Delete finds none; the test's later cases want Windows' FILE_NOT_FOUND for a name we accept"
)
# Every rpc.spoolss.printer sub-test starts by creating its own printer
# with AddPrinter/AddPrinterEx; wgsmbd's printers are its smb.conf
# printer shares and are not created or deleted over RPC.
for t in openprinter csetprinter print_test print_test_extended \
	print_test_smbd print_test_properties print_test_purge printer_info \
	sd dm printer_info_winreg change_id keys printerdata_consistency \
	printerdata_keys printerdata_values printerdata_set printerdata_winreg \
	printerdata_dsspooler driver_info_winreg printer_rename printer_ic bidi \
	publish_toggle print_job_enum log_jobinfo os_versions; do
	for tc in addprinter addprinterex; do
		KNOWN[rpc.spoolss.printer.$tc.$t]="set-up creates a printer with AddPrinter(Ex), which is not served: printers are smb.conf printer shares"
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
wg_finish
