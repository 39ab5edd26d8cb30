/* smbd/smb2_notify.c: to be written */
