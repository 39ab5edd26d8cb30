/* smbd/smb2_query_directory.c: to be written */
