/* smbd/smb2_create.c: to be written */
