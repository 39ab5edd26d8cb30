/* smbd/fileinfo.c: to be written */
