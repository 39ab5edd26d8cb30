/* sessions/users.c: to be written */
