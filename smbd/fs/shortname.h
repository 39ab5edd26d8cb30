/*
 * shortname.h - 8.3 short names [MS-FSCC §2.1.5.2.1, §2.4.3]: what
 * FileAlternateNameInformation and the ShortName field of
 * FileBothDirectoryInformation / FileIdBothDirectoryInformation carry.
 *
 * No table is kept: a long name's short name is computed from the name
 * alone, Windows-like ("PROGRA~1" shape): up to 2 characters of the
 * name, 4 hex digits and a digit after '~' taken from a 32-bit hash of
 * the whole name, then up to 3 characters of its extension, upper-cased
 * ("Program Files" -> "PR8C4C~2"). So it is stable for a name across
 * restarts, renames back and every connection, at no cost, but two long
 * names in one directory can share a short name (about 1 in 590,000 for
 * two names with the same first two characters), where NTFS's stored
 * names never collide (a short name then opens the first of them in
 * directory order). A short name opens its file: a path component that
 * does not exist and looks like one (8.3 with a '~') is looked up by
 * computing the short names of its directory's entries, in the one
 * directory read that case-insensitive lookup does anyway (vfs.c
 * find_case), so the cost is bounded by it. A name that is already a
 * valid 8.3 name has no other: it is its own short name, and directory
 * listings leave ShortName empty for it, as NTFS does.
 *
 * Pure: no I/O, no allocation (safe on the directory workers).
 */
#ifndef WG_SMBD_FS_SHORTNAME_H
#define WG_SMBD_FS_SHORTNAME_H

#include <stdbool.h>
#include <stddef.h>

#define SMBD_SHORT_NAME_MAX	12	/* 8 + '.' + 3 */

/*
 * Is name (one path component, UTF-8) a valid 8.3 name as it stands:
 * ASCII letters, digits and $%'-_@~`!(){}^#&, a base of 1 to 8 of them,
 * at most one '.', then 1 to 3 more? "." and ".." are.
 */
bool smbd_is_8dot3(const char *name);

/*
 * The short name of name into out (NUL-terminated, at most
 * SMBD_SHORT_NAME_MAX characters, ASCII): name upper-cased when it is
 * 8.3 already, else the hashed form above. Returns its length.
 */
size_t smbd_short_name(const char *name, char out[SMBD_SHORT_NAME_MAX + 1]);

#endif
