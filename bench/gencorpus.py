#!/usr/bin/python3
"""Writes a seeded, reproducible mail corpus straight into a maildir's cur/ directory.

The same (--seed, --count, --bytes, --big) always gives the same bytes. Messages look like real
mail: Received/Return-Path headers, RFC 2047 subjects, 8-bit UTF-8 bodies, multipart/alternative,
multipart/mixed with base64 attachments (mostly incompressible, some text-like), lines that need
mboxrd quoting ("From ", ">From ") and POP3 dot-stuffing (".", ".."). Sizes follow a log-normal
spread scaled so the corpus totals about --bytes. Every message ends with LF and has no CR, so
Dovecot's wire size is the file size plus one byte per line (the W= in the file name).

Each message is streamed to disk in bounded chunks, so a 200 MB message needs no 200 MB buffer.
"""

import argparse
import base64
import os
import random
import sys

WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at which but "
    "have an they you were her she there been one all we their has would when if so no will up more "
    "out who them some could what into than other about then time these two may first only new like "
    "invoice meeting report budget quarter attached please review draft schedule server mailbox "
    "Grüße Straße Überweisung Änderung naïve façade déjà café crème brûlée smörgåsbord Ærø "
    "Kraków Łódź Ελληνικά русский текст 日本語 テキスト 中文 邮件 ünïcødé €100 £20 ½ ©2024 "
    "résumé coöperate jalapeño São Paulo Zürich Malmö Göteborg"
).split()

NAMES = [
    ("Anna Müller", "anna.mueller"), ("Björn Åkesson", "bjorn"), ("Chloé Dubois", "chloe"),
    ("Dmitri Ivanov", "dmitri"), ("Eve Smith", "eve"), ("François Lefèvre", "f.lefevre"),
    ("Gunnar Ødegård", "gunnar"), ("Hiroshi Tanaka", "tanaka"), ("Ines García", "ines"),
    ("Jan Nowak", "jan.nowak"), ("billing", "billing"), ("newsletter", "news"),
]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.de", "lists.example.edu"]
ATTACHMENTS = [
    ("image/jpeg", "photo.jpg", False), ("application/pdf", "report.pdf", False),
    ("application/zip", "archive.zip", False), ("image/png", "scan.png", False),
    ("text/csv", "figures.csv", True), ("application/vnd.ms-excel", "sheet.xls", True),
]
SPECIAL_LINES = [
    "From the desk of the editor: this line needs mboxrd quoting.",
    ">From a quoted line that mboxrd must quote once more.",
    ".",
    "..two dots start this line (POP3 dot-stuffing).",
    ".a line starting with a single dot",
    "> > nested quote from an earlier reply",
    "-- ",
]


def line_pool(rng, n):
    """Returns n pre-built body lines (bytes, each ending in LF) to draw from cheaply."""
    pool = []
    for _ in range(n):
        words = []
        length = 0
        target = rng.randint(20, 76)
        while length < target:
            w = rng.choice(WORDS)
            words.append(w)
            length += len(w) + 1
        pool.append((" ".join(words) + "\n").encode("utf-8"))
    for s in SPECIAL_LINES:
        pool.append((s + "\n").encode("utf-8"))
    return pool


def encoded_word(text):
    return "=?UTF-8?B?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


class Sink:
    """Counts bytes and LFs of everything written to a file object."""

    def __init__(self, f):
        self.f = f
        self.size = 0
        self.lfs = 0

    def write(self, b):
        self.f.write(b)
        self.size += len(b)
        self.lfs += b.count(b"\n")


def write_text(out, rng, pool, nbytes):
    """Writes about nbytes of 8-bit text lines, a blank line now and then (paragraphs)."""
    written = 0
    batch = []
    while written < nbytes:
        line = rng.choice(pool) if rng.random() > 0.08 else b"\n"
        batch.append(line)
        written += len(line)
        if len(batch) >= 512:
            out.write(b"".join(batch))
            batch.clear()
    out.write(b"".join(batch))


def write_base64(out, rng, pool, nbytes, compressible):
    """Writes about nbytes of base64 (76-char lines) of random or text-like content, in 57 KB steps."""
    raw_total = nbytes * 3 // 4
    step = 57 * 1024
    while raw_total > 0:
        n = min(step, raw_total)
        if compressible:
            chunk = b"".join(rng.choice(pool) for _ in range(n // 40 + 1))[:n]
        else:
            chunk = rng.randbytes(n)
        out.write(base64.encodebytes(chunk))
        raw_total -= n


def write_message(out, rng, pool, i, seed, size, big):
    sender_name, sender_local = rng.choice(NAMES)
    sender = f"{sender_local}@{rng.choice(DOMAINS)}"
    rcpt = "bench@popvault.test"
    day = 1 + (i // 96) % 28
    month = 1 + (i // (96 * 28)) % 12
    hh, mm, ss = (i // 4) % 24, (i * 7) % 60, (i * 13) % 60
    date = f"{['Mon','Tue','Wed','Thu','Fri','Sat','Sun'][i % 7]}, {day:02d} " \
           f"{['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'][month-1]} " \
           f"2024 {hh:02d}:{mm:02d}:{ss:02d} +0100"
    subject_words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))
    subject = encoded_word(subject_words) if any(ord(c) > 127 for c in subject_words) else subject_words
    from_hdr = f"{encoded_word(sender_name)} <{sender}>" if any(ord(c) > 127 for c in sender_name) \
        else f"{sender_name} <{sender}>"
    headers = [
        f"Return-Path: <{sender}>",
        f"Received: from mx{i % 7}.{sender.split('@')[1]} (mx{i % 7}.{sender.split('@')[1]} [192.0.2.{i % 250 + 1}])",
        f"\tby mail.popvault.test (Postfix) with ESMTPS id {seed:04X}{i:08X}",
        f"\tfor <{rcpt}>; {date}",
        f"Received: from localhost by mx{i % 7}.{sender.split('@')[1]}; {date}",
        f"Message-ID: <{i}.{seed}.bench@popvault.test>",
        f"Date: {date}",
        f"From: {from_hdr}",
        f"To: Bench <{rcpt}>",
        f"Subject: {subject}",
        "MIME-Version: 1.0",
    ]
    head = len("\n".join(headers)) + 200
    body = max(size - head, 64)
    kind = "mixed" if (big or body > 24_000) else ("alternative" if rng.random() < 0.3 else "plain")
    boundary = f"=_bench_{seed}_{i}_{rng.getrandbits(32):08x}"
    if kind == "plain":
        headers += ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit"]
        out.write(("\n".join(headers) + "\n\n").encode("utf-8"))
        write_text(out, rng, pool, body)
    elif kind == "alternative":
        headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        out.write(("\n".join(headers) + "\n\nThis is a multi-part message in MIME format.\n").encode())
        out.write(f"\n--{boundary}\nContent-Type: text/plain; charset=UTF-8\n"
                  f"Content-Transfer-Encoding: 8bit\n\n".encode())
        write_text(out, rng, pool, body * 2 // 5)
        out.write(f"\n--{boundary}\nContent-Type: text/html; charset=UTF-8\n"
                  f"Content-Transfer-Encoding: 8bit\n\n<html><body><p>\n".encode())
        write_text(out, rng, pool, body * 3 // 5)
        out.write(f"</p></body></html>\n\n--{boundary}--\n".encode())
    else:
        headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
        out.write(("\n".join(headers) + "\n\nThis is a multi-part message in MIME format.\n").encode())
        out.write(f"\n--{boundary}\nContent-Type: text/plain; charset=UTF-8\n"
                  f"Content-Transfer-Encoding: 8bit\n\n".encode())
        text = min(body // 10, 8_000)
        write_text(out, rng, pool, text)
        remaining = body - text
        parts = 1 if big else rng.randint(1, 3)
        for p in range(parts):
            ctype, name, compressible = rng.choice(ATTACHMENTS)
            out.write(f"\n--{boundary}\nContent-Type: {ctype}; name=\"{p}-{name}\"\n"
                      f"Content-Disposition: attachment; filename=\"{p}-{name}\"\n"
                      f"Content-Transfer-Encoding: base64\n\n".encode())
            write_base64(out, rng, pool, remaining // parts, compressible)
        out.write(f"\n--{boundary}--\n".encode())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--maildir", required=True, help="maildir to create (cur/, new/, tmp/)")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--bytes", type=int, required=True, help="approximate total size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--big", action="store_true", help="every message is one large attachment")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    pool = line_pool(rng, 4096)
    weights = [rng.lognormvariate(0.0, 1.1) for _ in range(args.count)]
    scale = args.bytes / sum(weights)
    sizes = [max(900, int(w * scale)) for w in weights]

    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(args.maildir, sub), exist_ok=True)
    total = 0
    base_time = 1_700_000_000
    for i, size in enumerate(sizes):
        tmp = os.path.join(args.maildir, "tmp", f"bench.{i}")
        with open(tmp, "wb", buffering=1 << 20) as f:
            sink = Sink(f)
            write_message(sink, rng, pool, i, args.seed, size, args.big)
        name = f"{base_time + i}.M{i:06d}P{args.seed}.bench,S={sink.size},W={sink.size + sink.lfs}:2,"
        os.rename(tmp, os.path.join(args.maildir, "cur", name))
        total += sink.size
    print(f"{args.count} messages, {total} bytes in {args.maildir}", file=sys.stderr)


if __name__ == "__main__":
    main()
