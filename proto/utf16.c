/* proto/utf16.c: to be written */
