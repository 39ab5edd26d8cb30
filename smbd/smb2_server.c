/* smbd/smb2_server.c: to be written */
