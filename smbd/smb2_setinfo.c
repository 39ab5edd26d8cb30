/* smbd/smb2_setinfo.c: to be written */
