/*
 * fscc.h - MS-FSCC constants that SMB2 carries: the information classes
 * of QUERY_INFO, SET_INFO and QUERY_DIRECTORY, the file attributes and
 * the file system flags. Defined here once; no .c file repeats them.
 * Constants only, no code.
 */
#ifndef WG_PROTO_FSCC_H
#define WG_PROTO_FSCC_H

/* File information classes [MS-FSCC §2.4] */
#define FileDirectoryInformation	1
#define FileFullDirectoryInformation	2
#define FileBothDirectoryInformation	3
#define FileBasicInformation		4
#define FileStandardInformation		5
#define FileInternalInformation		6
#define FileEaInformation		7
#define FileAccessInformation		8
#define FileRenameInformation		10
#define FileLinkInformation		11
#define FileNamesInformation		12
#define FileDispositionInformation	13
#define FilePositionInformation		14
#define FileFullEaInformation		15
#define FileModeInformation		16
#define FileAlignmentInformation	17
#define FileAllInformation		18
#define FileAllocationInformation	19
#define FileEndOfFileInformation	20
#define FileAlternateNameInformation	21
#define FileStreamInformation		22
#define FilePipeInformation		23
#define FilePipeLocalInformation	24
#define FilePipeRemoteInformation	25
#define FileCompressionInformation	28
#define FileNetworkOpenInformation	34
#define FileAttributeTagInformation	35
#define FileIdBothDirectoryInformation	37
#define FileIdFullDirectoryInformation	38
#define FileValidDataLengthInformation	39
#define FileShortNameInformation	40
#define FileNormalizedNameInformation	48
#define FileIdInformation		59
#define FileDispositionInformationEx	64
#define FileRenameInformationEx		65

/* File attributes [MS-FSCC §2.6] */
#define FILE_ATTRIBUTE_READONLY		0x00000001u
#define FILE_ATTRIBUTE_HIDDEN		0x00000002u
#define FILE_ATTRIBUTE_SYSTEM		0x00000004u
#define FILE_ATTRIBUTE_DIRECTORY	0x00000010u
#define FILE_ATTRIBUTE_ARCHIVE		0x00000020u
#define FILE_ATTRIBUTE_NORMAL		0x00000080u
#define FILE_ATTRIBUTE_TEMPORARY	0x00000100u
#define FILE_ATTRIBUTE_SPARSE_FILE	0x00000200u

/* File system information classes [MS-FSCC §2.5] */
#define FileFsVolumeInformation		1
#define FileFsSizeInformation		3
#define FileFsDeviceInformation		4
#define FileFsAttributeInformation	5
#define FileFsControlInformation	6
#define FileFsFullSizeInformation	7
#define FileFsObjectIdInformation	8
#define FileFsSectorSizeInformation	11

/* FileFsAttributeInformation.FileSystemAttributes [MS-FSCC §2.5.1] */
#define FILE_CASE_PRESERVED_NAMES	0x00000002u
#define FILE_UNICODE_ON_DISK		0x00000004u
#define FILE_SUPPORTS_SPARSE_FILES	0x00000040u
/* FileFsDeviceInformation.Characteristics [MS-FSCC §2.5.10] */
#define FILE_DEVICE_IS_MOUNTED		0x00000020u
/* FileFsSectorSizeInformation.Flags [MS-FSCC §2.5.7] */
#define SSINFO_FLAGS_ALIGNED_DEVICE		0x00000001u
#define SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE 0x00000002u

#endif
