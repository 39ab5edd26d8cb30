/* smbd/server.c: to be written */
