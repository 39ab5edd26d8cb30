#!/usr/bin/env python3
"""A small WS-Discovery client: Probe, Resolve, then the metadata Get.

    wsd_probe.py --source ADDR --name NETBIOS --workgroup GROUP [--timeout S]

Sends a Probe for wsdp:Device to 239.255.255.250:3702 from ADDR (the
interface it leaves by), and checks that a ProbeMatch answers it (RelatesTo
our MessageID) with the endpoint urn:uuid:UUID5(DNS, lower(NAME)), the
identity `wgnet discovery wsdd` gives wsdd. Then a Resolve of that
endpoint gives the XAddrs, and a WS-Transfer Get over HTTP to them must
name the computer "NAME/Workgroup:GROUP". Prints one PASS/FAIL line a
check; exits 0 only if all passed. Written for this test from the
WS-Discovery 2005/04 and DPWS 2006/02 message shapes.
"""
import argparse
import socket
import struct
import sys
import time
import urllib.request
import uuid
import xml.etree.ElementTree as ET

NS = {
    'soap': 'http://www.w3.org/2003/05/soap-envelope',
    'wsa': 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
    'wsd': 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
    'wsdp': 'http://schemas.xmlsoap.org/ws/2006/02/devprof',
    'wsx': 'http://schemas.xmlsoap.org/ws/2004/09/mex',
    'pub': 'http://schemas.microsoft.com/windows/pub/2005/07',
}
GROUP = ('239.255.255.250', 3702)
DISCOVERY_TO = 'urn:schemas-xmlsoap-org:ws:2005:04:discovery'
ANON = NS['wsa'] + '/role/anonymous'

results = []


def check(ok, what, detail=''):
    results.append(ok)
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', what,
                        '' if ok or not detail else ' (%s)' % detail))
    sys.stdout.flush()
    return ok


def envelope(action, to, body, msg_id):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap:Envelope xmlns:soap="%s" xmlns:wsa="%s" xmlns:wsd="%s"'
            ' xmlns:wsdp="%s">'
            '<soap:Header><wsa:To>%s</wsa:To><wsa:Action>%s</wsa:Action>'
            '<wsa:MessageID>%s</wsa:MessageID>'
            '<wsa:ReplyTo><wsa:Address>%s</wsa:Address></wsa:ReplyTo>'
            '</soap:Header><soap:Body>%s</soap:Body></soap:Envelope>' % (
                NS['soap'], NS['wsa'], NS['wsd'], NS['wsdp'], to, action,
                msg_id, ANON, body)).encode()


def udp_exchange(sock, action, body, want_action, deadline):
    """Send to the group every second until an answer relating to our
    message with want_action arrives; its parsed envelope, or None."""
    msg_id = uuid.uuid4().urn
    packet = envelope(NS['wsd'] + '/' + action, DISCOVERY_TO, body, msg_id)
    next_send = 0.0
    while time.time() < deadline:
        if time.time() >= next_send:
            sock.sendto(packet, GROUP)
            next_send = time.time() + 1.0
        sock.settimeout(max(0.05, min(next_send, deadline) - time.time()))
        try:
            data, _ = sock.recvfrom(65536)
        except socket.timeout:
            continue
        try:
            env = ET.fromstring(data)
        except ET.ParseError:
            continue
        hdr = env.find('soap:Header', NS)
        if hdr is None:
            continue
        if (hdr.findtext('wsa:Action', '', NS) == NS['wsd'] + '/' +
                want_action and
                hdr.findtext('wsa:RelatesTo', '', NS) == msg_id):
            return env
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source', required=True)
    ap.add_argument('--name', required=True)
    ap.add_argument('--workgroup', required=True)
    ap.add_argument('--timeout', type=float, default=20.0)
    a = ap.parse_args()
    deadline = time.time() + a.timeout
    want_epr = uuid.uuid5(uuid.NAMESPACE_DNS, a.name.lower()).urn

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((a.source, 0))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                    socket.inet_aton(a.source))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL,
                    struct.pack('b', 1))

    env = udp_exchange(sock, 'Probe',
                       '<wsd:Probe><wsd:Types>wsdp:Device</wsd:Types>'
                       '</wsd:Probe>', 'ProbeMatches', deadline)
    if not check(env is not None, 'Probe for wsdp:Device gets a ProbeMatch'):
        return 1
    match = env.find('soap:Body/wsd:ProbeMatches/wsd:ProbeMatch', NS)
    epr = match.findtext('wsa:EndpointReference/wsa:Address', '', NS) \
        if match is not None else ''
    types = match.findtext('wsd:Types', '', NS) if match is not None else ''
    check(epr == want_epr, 'ProbeMatch endpoint is %s (UUID5 of %s)' %
          (want_epr, a.name.lower()), 'got %r' % epr)
    check('wsdp:Device' in types.split() and 'pub:Computer' in types.split(),
          'ProbeMatch types are wsdp:Device pub:Computer', 'got %r' % types)

    env = udp_exchange(sock, 'Resolve',
                       '<wsd:Resolve><wsa:EndpointReference><wsa:Address>'
                       '%s</wsa:Address></wsa:EndpointReference>'
                       '</wsd:Resolve>' % epr, 'ResolveMatches', deadline)
    xaddrs = ''
    if env is not None:
        xaddrs = env.findtext('soap:Body/wsd:ResolveMatches/wsd:ResolveMatch/'
                              'wsd:XAddrs', '', NS).strip()
    if not check(xaddrs.startswith('http://'),
                 'Resolve of the endpoint gives XAddrs', repr(xaddrs)):
        return 1
    print('  XAddrs: %s' % xaddrs)

    url = xaddrs.split()[0]
    body = envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/Get',
                    epr, '', uuid.uuid4().urn)
    computer = ''
    friendly = ''
    try:
        req = urllib.request.Request(
            url, data=body, method='POST',
            headers={'Content-Type': 'application/soap+xml'})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=max(1.0, deadline - time.time())) as r:
            meta = ET.fromstring(r.read())
        computer = meta.findtext('.//pub:Computer', '', NS)
        friendly = meta.findtext('.//wsdp:FriendlyName', '', NS)
    except (OSError, ET.ParseError) as e:
        computer = 'error: %s' % e
    want = '%s/Workgroup:%s' % (a.name, a.workgroup)
    check(computer == want, 'Get metadata names the computer %s' % want,
          'got %r' % computer)
    print('  FriendlyName: %s' % friendly)
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
