/* smbd/smb2_getinfo.c: to be written */
