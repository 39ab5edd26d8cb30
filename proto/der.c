/* proto/der.c: to be written */
