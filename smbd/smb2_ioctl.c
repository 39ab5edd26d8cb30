/* smbd/smb2_ioctl.c: to be written */
