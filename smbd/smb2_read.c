/* smbd/smb2_read.c: to be written */
