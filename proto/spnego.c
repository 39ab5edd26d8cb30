/* proto/spnego.c: to be written */
