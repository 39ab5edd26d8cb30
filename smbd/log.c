/* smbd/log.c: to be written */
