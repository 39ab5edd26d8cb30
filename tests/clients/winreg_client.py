#!/usr/bin/env python3
"""winreg_client.py - impacket's winreg (MS-RRP) against wgsmbd, for
test_winreg.sh. Prints one "key=value" line per fact it reads; the shell
script checks them.

usage: winreg_client.py HOST PORT USER PASS (USER "" = a null session)
"""
import sys

from impacket.dcerpc.v5 import rrp, transport
from impacket.dcerpc.v5.rpcrt import DCERPCException


def connect(host, port, user, password):
    t = transport.SMBTransport(host, int(port), r'\winreg', user, password)
    dce = t.get_dce_rpc()
    dce.connect()
    dce.bind(rrp.MSRPC_UUID_RRP)
    return dce


def err(e):
    code = getattr(e, 'error_code', None)
    return 'ERROR_%s' % (code if code is not None else e)


def main():
    host, port, user, password = sys.argv[1:5]
    dce = connect(host, port, user, password)
    try:
        hklm = rrp.hOpenLocalMachine(dce)['phKey']
    except DCERPCException as e:
        print('open_hklm=%s' % err(e))
        return 0
    print('open_hklm=ok')
    ver = rrp.hBaseRegGetVersion(dce, hklm)['lpdwVersion']
    print('version=%d' % ver)
    cv = rrp.hBaseRegOpenKey(
        dce, hklm, 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion')['phkResult']
    for name in ('ProductName', 'CurrentVersion', 'CurrentBuildNumber'):
        typ, val = rrp.hBaseRegQueryValue(dce, cv, name)
        print('%s=%d:%s' % (name, typ, val.rstrip('\0')))
    info = rrp.hBaseRegQueryInfoKey(dce, cv)
    print('cv_values=%d' % info['lpcValues'])
    rrp.hBaseRegCloseKey(dce, cv)

    po = rrp.hBaseRegOpenKey(
        dce, hklm, 'SYSTEM\\CurrentControlSet\\Control\\ProductOptions')['phkResult']
    typ, val = rrp.hBaseRegQueryValue(dce, po, 'ProductType')
    print('ProductType=%d:%s' % (typ, val.rstrip('\0')))

    try:
        rrp.hBaseRegQueryValue(dce, po, 'NoSuchValue')
    except DCERPCException as e:
        print('missing_value=%s' % err(e))

    sh = rrp.hBaseRegOpenKey(
        dce, hklm,
        'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Shares')['phkResult']
    i = 0
    while True:
        try:
            v = rrp.hBaseRegEnumValue(dce, sh, i)
        except DCERPCException as e:
            print('shares_end=%s' % err(e))
            break
        data = b''.join(v['lpData'])
        lines = [s for s in data.decode('utf-16-le').split('\0') if s]
        print('share=%s:%d:%s' % (v['lpValueNameOut'].rstrip('\0'),
                                  v['lpType'], '|'.join(lines)))
        i += 1

    # subkeys of SYSTEM\CurrentControlSet\Control\Print\Printers
    try:
        pr = rrp.hBaseRegOpenKey(
            dce, hklm,
            'SYSTEM\\CurrentControlSet\\Control\\Print\\Printers')['phkResult']
        i = 0
        while True:
            try:
                k = rrp.hBaseRegEnumKey(dce, pr, i)
            except DCERPCException as e:
                break
            name = k['lpNameOut'].rstrip('\0')
            pk = rrp.hBaseRegOpenKey(dce, pr, name)['phkResult']
            typ, val = rrp.hBaseRegQueryValue(dce, pk, 'Description')
            print('printer=%s:%s' % (name, val.rstrip('\0')))
            i += 1
    except DCERPCException as e:
        print('printers=%s' % err(e))

    try:
        rrp.hBaseRegOpenKey(dce, hklm, 'SOFTWARE\\NoSuchKey')
    except DCERPCException as e:
        print('missing_key=%s' % err(e))
    try:
        rrp.hBaseRegCreateKey(dce, hklm, 'SOFTWARE\\wgtest')
    except DCERPCException as e:
        print('create_key=%s' % err(e))
    try:
        rrp.hBaseRegSetValue(dce, po, 'ProductType', rrp.REG_SZ, 'WinNT')
    except DCERPCException as e:
        print('set_value=%s' % err(e))

    hku = rrp.hOpenUsers(dce)['phKey']
    i = 0
    names = []
    while True:
        try:
            k = rrp.hBaseRegEnumKey(dce, hku, i)
        except DCERPCException:
            break
        names.append(k['lpNameOut'].rstrip('\0'))
        i += 1
    print('hku=%s' % ','.join(names))

    # the handle budget: keys open until the server refuses
    n = 0
    try:
        for _ in range(100):
            rrp.hBaseRegOpenKey(dce, hklm, 'SOFTWARE')
            n += 1
    except DCERPCException as e:
        print('budget=%d:%s' % (n, err(e)))
    rrp.hBaseRegCloseKey(dce, hklm)
    try:
        rrp.hBaseRegGetVersion(dce, hklm)
    except DCERPCException as e:
        print('closed_handle=%s' % err(e))
    return 0


if __name__ == '__main__':
    sys.exit(main())
