#!/usr/bin/python3
"""Retrieves a whole POP3 mailbox with every RETR pipelined and discards the bytes.

The floor of what any client can do against this server over this link: one USER/PASS, one STAT,
then RETR 1..N written by a second thread while the main thread reads and only counts the CRLF.CRLF
terminators (dot-stuffing guarantees no message body contains one). Nothing is parsed or stored.
Plaintext only; the password comes from the environment (RAWPOP_PASSWORD), never argv.
Exit 0 and "N messages, B bytes" on stderr on success.
"""

import argparse
import os
import socket
import sys
import threading


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    args = ap.parse_args()
    password = os.environ["RAWPOP_PASSWORD"]

    sock = socket.create_connection(("127.0.0.1", args.port), timeout=120)
    f = sock.makefile("rb", buffering=1 << 16)

    def command(line):
        sock.sendall(line.encode() + b"\r\n")
        reply = f.readline()
        if not reply.startswith(b"+OK"):
            sys.exit(f"rawpop: {line.split()[0]} failed")
        return reply

    if not f.readline().startswith(b"+OK"):
        sys.exit("rawpop: no greeting")
    command(f"USER {args.user}")
    command(f"PASS {password}")
    count = int(command("STAT").split()[1])

    def send_all():
        batch = []
        for n in range(1, count + 1):
            batch.append(b"RETR %d\r\n" % n)
            if len(batch) == 256:
                sock.sendall(b"".join(batch))
                batch.clear()
        batch.append(b"QUIT\r\n")
        sock.sendall(b"".join(batch))

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    seen = 0
    total = 0
    tail = b""
    while seen < count:
        chunk = f.read1(1 << 20)
        if not chunk:
            sys.exit(f"rawpop: connection closed after {seen} of {count} messages")
        total += len(chunk)
        window = tail + chunk
        seen += window.count(b"\r\n.\r\n")
        tail = window[-4:]
    sender.join()
    f.readline()
    sock.close()
    print(f"{count} messages, {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
