/* smbd/smb2_sesssetup.c: to be written */
