/* smbd/config.c: to be written */
