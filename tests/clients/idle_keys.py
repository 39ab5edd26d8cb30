#!/usr/bin/python3
"""idle_keys.py - an idle session lets go of its expanded keys (run by
test_idle_keys.sh as
    /usr/bin/python3 idle_keys.py PORT SHARE_DIR RO_DIR WGNET CONF).

A session that has signed or sealed enough messages keeps its expanded
keys (smbd/smb2/session.c, KEYS_KEPT_AFTER): `wgnet statistics` counts
it in sessions_with_expanded_keys. Once its connection has been idle a
few seconds the sweep drops them (net/conn.c, CONN_IDLE_MS) and the
count goes back to 0; the session still works, and keeps them again.
"""

import json
import os
import subprocess
import sys
import time

import wgcheck
from wgcheck import expect

from impacket.smbconnection import SMBConnection
from impacket.smb3structs import SMB2_DIALECT_30

USER, PASSWORD = "alice", "Passw0rd!"
HOST = os.environ.get("WG_HOST", "127.0.0.1")
WGNET = CONF = None


def with_keys():
    p = subprocess.run([WGNET, "-c", CONF, "statistics", "--json"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=30)
    if p.returncode != 0:
        return None
    st = json.loads(p.stdout)
    st = st.get("statistics", st)
    return st.get("sessions_with_expanded_keys")


def busy(conn):
    for _ in range(12):
        conn.listPath("demo", "*")


def main():
    global WGNET, CONF
    port = int(sys.argv[1])
    WGNET, CONF = sys.argv[4], sys.argv[5]
    # SMB 3.0 with a named user: impacket seals every message
    conn = SMBConnection(HOST, HOST, sess_port=port,
                         preferredDialect=SMB2_DIALECT_30)
    conn.login(USER, PASSWORD)
    n = with_keys()
    expect("a session that only logged on keeps no expanded keys",
           n == 0, repr(n))
    busy(conn)
    n = with_keys()
    expect("a busy session keeps its expanded keys", n == 1, repr(n))
    deadline = time.time() + 20
    while time.time() < deadline and with_keys() != 0:
        time.sleep(0.5)
    n = with_keys()
    expect("an idle session lets go of them", n == 0, repr(n))
    try:
        busy(conn)
        ok = True
    except Exception as e:
        ok = repr(e)
    expect("the session still works after the keys went", ok is True, ok)
    n = with_keys()
    expect("and keeps them again once busy", n == 1, repr(n))
    conn.logoff()
    return wgcheck.summary("idle_keys")


if __name__ == "__main__":
    sys.exit(main())
