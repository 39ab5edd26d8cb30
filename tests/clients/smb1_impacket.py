#!/usr/bin/python3
"""smb1_impacket.py HOST PORT USER PASS SHARE_DIR - impacket's SMB1
dialect (SMBConnection with preferredDialect NT LM 0.12) against wgsmbd
with SMB1 on: the dialect really is SMB1, listPath sees a file made on
disk, putFile writes 1 MiB + 3 bytes byte-exact (checked on disk),
getFile reads it back byte-exact, createDirectory / deleteDirectory /
rename / deleteFile do what they say on disk. Exit 0 if all hold."""
import io
import os
import sys

from impacket import smb
from impacket.smbconnection import SMBConnection


def main():
    host, port, user, pw, share_dir = sys.argv[1:6]
    c = SMBConnection(host, host, sess_port=int(port),
                      preferredDialect=smb.SMB_DIALECT)
    c.login(user, pw)
    assert c.getDialect() == smb.SMB_DIALECT, c.getDialect()
    with open(os.path.join(share_dir, 'imp_seen.txt'), 'wb') as f:
        f.write(b'seen')
    names = [f.get_longname() for f in c.listPath('demo', '\\*')]
    assert 'imp_seen.txt' in names, names
    data = os.urandom(1024 * 1024 + 3)
    c.putFile('demo', '\\imp_put.bin', io.BytesIO(data).read)
    with open(os.path.join(share_dir, 'imp_put.bin'), 'rb') as f:
        assert f.read() == data, 'putFile: bytes on disk differ'
    out = io.BytesIO()
    c.getFile('demo', '\\imp_put.bin', out.write)
    assert out.getvalue() == data, 'getFile: bytes differ'
    c.createDirectory('demo', '\\imp_dir')
    assert os.path.isdir(os.path.join(share_dir, 'imp_dir'))
    c.rename('demo', '\\imp_put.bin', '\\imp_dir\\moved.bin')
    assert os.path.exists(os.path.join(share_dir, 'imp_dir', 'moved.bin'))
    c.deleteFile('demo', '\\imp_dir\\moved.bin')
    c.deleteDirectory('demo', '\\imp_dir')
    assert not os.path.exists(os.path.join(share_dir, 'imp_dir'))
    c.logoff()
    print('impacket SMB1: list, put, get, mkdir, rename, del, rmdir ok')


if __name__ == '__main__':
    main()
