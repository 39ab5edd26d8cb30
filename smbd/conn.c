/* smbd/conn.c: to be written */
