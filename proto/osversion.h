/*
 * osversion.h - the Windows version this server says it is, in one place
 * for every protocol that asks, so the answers cannot drift apart.
 *
 * Two numbers, as Windows itself gives two: the NT version and build
 * (NTLMSSP's VERSION [MS-NLMP 2.2.2.10], the registry's
 * CurrentBuildNumber, spoolss's OSVersion) and the older LAN Manager
 * style version that srvsvc's SERVER_INFO_101, wkssvc's WKSTA_INFO_100
 * and the registry's CurrentVersion report (6.1; admin tools read it).
 * Plain integers, so that WG_OS_STR can make strings of them.
 */
#ifndef WG_PROTO_OSVERSION_H
#define WG_PROTO_OSVERSION_H

/* The NT version: 10.0, build 20348 (Windows Server 2022). */
#define WG_OS_NT_MAJOR		10
#define WG_OS_NT_MINOR		0
#define WG_OS_NT_BUILD		20348

/* The version srvsvc, wkssvc and the registry's CurrentVersion give. */
#define WG_OS_LM_MAJOR		6
#define WG_OS_LM_MINOR		1

/* A number above as a string literal: WG_OS_STR(WG_OS_NT_BUILD). */
#define WG_OS_STR_(x)		#x
#define WG_OS_STR(x)		WG_OS_STR_(x)

#endif
