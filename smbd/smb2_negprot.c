/* smbd/smb2_negprot.c: to be written */
