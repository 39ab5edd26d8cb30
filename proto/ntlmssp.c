/* proto/ntlmssp.c: to be written */
