/* smbd/workers.c: to be written */
