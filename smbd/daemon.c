/* smbd/daemon.c: to be written */
