/* smbd/smb2_lock.c: to be written */
