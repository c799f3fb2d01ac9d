//! Traffic the connection probes cannot show: a whole TFTP transfer (request to udp 69, data
//! back from a new port, which only a TFTP connection-tracking helper lets through a stateful
//! filter), and datagrams to addresses no namespace holds (the IBM servers a console calls
//! home to), seen on the far side's link by a packet socket. Nothing leaves the lab's
//! namespaces: the far side has no link beyond the firewall.

use super::lab::{wait_bounded, Lab};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::IpAddr;
use std::time::Duration;

/// Serves one TFTP read request on `address` udp 69: answers from a new port with the one data
/// block, waits for its acknowledgement, prints `acked` or `unacknowledged`.
const TFTP_SERVER: &str = r#"
import socket, sys
address = sys.argv[1]
server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind((address, 69))
server.settimeout(20)
print('ready', flush=True)
try:
    request, peer = server.recvfrom(516)
except socket.timeout:
    print('no-request', flush=True); sys.exit(0)
transfer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
transfer.bind((address, 0))
transfer.settimeout(3)
transfer.sendto(b'\x00\x03\x00\x01flowc tftp data', peer)
try:
    ack, _ = transfer.recvfrom(516)
    print('acked' if ack[:4] == b'\x00\x04\x00\x01' else 'bad-ack', flush=True)
except socket.timeout:
    print('unacknowledged', flush=True)
"#;

/// Reads a file from `server` over TFTP from `source` port 30069 (a port no probe uses): prints
/// `received PORT` (the port the data came from) after acknowledging the block, or `timeout`.
const TFTP_CLIENT: &str = r#"
import socket, sys
source, server = sys.argv[1], sys.argv[2]
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.bind((source, 30069))
client.settimeout(3)
client.sendto(b'\x00\x01boot.img\x00octet\x00', (server, 69))
try:
    data, peer = client.recvfrom(516)
except socket.timeout:
    print('timeout'); sys.exit(0)
client.sendto(b'\x00\x04' + data[2:4], peer)
print('received', peer[1])
"#;

/// A TFTP transfer of a file from `server` (in namespace `server_side`) to `reader` (in
/// `reader_side`): whether the data, from a new port, arrived and was acknowledged.
pub fn tftp_transfer(
    lab: &mut Lab,
    server_side: &str,
    server: IpAddr,
    reader_side: &str,
    reader: IpAddr,
) -> bool {
    let mut child = lab.python(server_side, TFTP_SERVER, &[server.to_string()]);
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the TFTP server starts");
    assert_eq!(line.trim(), "ready");
    let client = lab.python(
        reader_side,
        TFTP_CLIENT,
        &[reader.to_string(), server.to_string()],
    );
    let read = wait_bounded(client, Duration::from_secs(20));
    let received = String::from_utf8_lossy(&read.stdout).trim().to_string();
    // The server acknowledges within 3 s of its data; a request that never came is not waited for.
    let _ = wait_bounded(child, Duration::from_secs(5));
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stdout, &mut rest);
    let acknowledged = rest.trim() == "acked";
    let data_port = received.strip_prefix("received ").map(str::to_string);
    assert!(
        data_port.as_deref() != Some("69"),
        "the data came from port 69: the transfer did not test a new port"
    );
    eprintln!("TFTP {reader} <- {server}: reader {received:?}, server acknowledged {acknowledged}");
    data_port.is_some() && acknowledged
}

/// Prints, for every IPv4 UDP datagram on any link of its namespace, `source sport destination
/// dport`; `ready` once listening; exits when standard input closes (or after 60 s).
const SNIFFER: &str = r#"
import select, socket, struct, sys, time
sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0800))
print('ready', flush=True)
seen = set()
deadline = time.time() + 60
while time.time() < deadline:
    readable, _, _ = select.select([sniffer, sys.stdin], [], [], 1)
    if sys.stdin in readable:
        break
    if sniffer in readable:
        frame = sniffer.recv(65535)
        ip = frame[14:]
        if len(ip) < 28 or ip[9] != 17:
            continue
        header = (ip[0] & 15) * 4
        sport, dport = struct.unpack('!HH', ip[header:header + 4])
        seen.add('%s %d %s %d' % (socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]), dport))
for line in sorted(seen):
    print(line)
"#;

/// Sends one UDP datagram per line `source sport destination dport` of standard input.
const SENDER: &str = r#"
import socket, sys, time
for line in sys.stdin.read().splitlines():
    source, sport, destination, dport = line.split()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((source, int(sport)))
    for _ in range(3):
        s.sendto(b'flowc', (destination, int(dport)))
    s.close()
time.sleep(0.5)
"#;

/// One IPv4 UDP datagram: `(source, source port, destination, destination port)`.
pub type Datagram = (IpAddr, u16, IpAddr, u16);

/// Sends `datagrams` from the client side and returns those seen on the server side's links.
pub fn datagrams_across(lab: &mut Lab, datagrams: &[Datagram]) -> BTreeSet<Datagram> {
    let (client, server) = (lab.client.clone(), lab.server.clone());
    let mut sniffer = lab.python(&server, SNIFFER, &[]);
    let mut stdout = BufReader::new(sniffer.stdout.take().expect("piped"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the sniffer starts");
    assert_eq!(line.trim(), "ready");
    let mut sender = lab.python(&client, SENDER, &[]);
    let lines: String = (datagrams.iter())
        .map(|(source, sport, destination, dport)| {
            format!("{source} {sport} {destination} {dport}\n")
        })
        .collect();
    (sender.stdin.take().expect("piped"))
        .write_all(lines.as_bytes())
        .expect("the sender reads");
    let sent = wait_bounded(sender, Duration::from_secs(20));
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    drop(sniffer.stdin.take());
    let _ = wait_bounded(sniffer, Duration::from_secs(10));
    let mut seen = BTreeSet::new();
    for line in stdout.lines().map_while(Result::ok) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let [source, sport, destination, dport] = parts[..] {
            let parsed = (
                source.parse(),
                sport.parse(),
                destination.parse(),
                dport.parse(),
            );
            if let (Ok(source), Ok(sport), Ok(destination), Ok(dport)) = parsed {
                seen.insert((source, sport, destination, dport));
            }
        }
    }
    seen
}

/// Sends one ICMP or ICMPv6 echo request per line `source destination` of standard input (in
/// parallel) and prints `passed` when the matching echo reply came back within 1.5 s, else
/// `blocked`.
const ECHO: &str = r#"
import concurrent.futures, os, select, socket, struct, sys, time
def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xffff)
    total += total >> 16
    return ~total & 0xffff
def echo(index, source, destination):
    v6 = ':' in destination
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW,
                      socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    s.bind((source, 0))
    ident = (os.getpid() + index) & 0xffff
    kind = 128 if v6 else 8
    packet = struct.pack('!BBHHH', kind, 0, 0, ident, 1) + b'flowc'
    if not v6:
        packet = struct.pack('!BBHHH', kind, 0, checksum(packet), ident, 1) + b'flowc'
    try:
        s.sendto(packet, (destination, 0))
    except PermissionError:
        return 'blocked'
    deadline = time.time() + 1.5
    while time.time() < deadline:
        if not select.select([s], [], [], max(0, deadline - time.time()))[0]:
            break
        data, peer = s.recvfrom(2048)
        icmp = data if v6 else data[(data[0] & 15) * 4:]
        reply = 129 if v6 else 0
        if icmp[0] == reply and struct.unpack('!H', icmp[4:6])[0] == ident:
            return 'passed'
    return 'blocked'
lines = [line.split() for line in sys.stdin.read().splitlines() if line.strip()]
with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
    for result in pool.map(lambda item: echo(item[0], *item[1]), enumerate(lines)):
        print(result)
"#;

/// Sends an echo request from each `(source, destination)` in `namespace`; whether each was
/// answered.
pub fn echoes(lab: &Lab, namespace: &str, pairs: &[(IpAddr, IpAddr)]) -> Vec<bool> {
    let mut child = lab.python(namespace, ECHO, &[]);
    let lines: String = (pairs.iter())
        .map(|(source, destination)| format!("{source} {destination}\n"))
        .collect();
    (child.stdin.take().expect("piped"))
        .write_all(lines.as_bytes())
        .expect("the echo prober reads");
    let output = wait_bounded(child, Duration::from_secs(30));
    let results: Vec<bool> = (String::from_utf8_lossy(&output.stdout).lines())
        .map(|line| line == "passed")
        .collect();
    assert_eq!(
        results.len(),
        pairs.len(),
        "the echo prober answers every pair: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    results
}
