/* smbd/smb2_tcon.c: to be written */
