/* smbd/vfs.c: to be written */
