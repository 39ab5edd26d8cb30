/* proto/smb2_crypto.c: to be written */
