/* proto/nbt.c: to be written */
