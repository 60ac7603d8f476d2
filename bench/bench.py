#!/usr/bin/python3
"""Times popvault, mpop, fetchmail and getmail6 on the mailboxes bench/run.sh prepared; prints a table.

Called by bench/run.sh after Dovecot is up and the corpora exist (users bencha, benchb, benchc,
benche). Every timed run archives into a fresh empty directory (except the no-op runs (d), which
re-run on the state a full run left), keeps mail on the server, and runs under `timeout 300` and
GNU time (peak RSS). Tools are interleaved: repeat r runs every tool once, starting at a rotating
position, so drift on the machine spreads over all of them. A run counts only if it exits as
expected and stored exactly the mailbox's message count (or, for a no-op run, appended nothing).

Scenario (delete), only on request, is the exception to "mail kept on the server": it times
`archive --delete` of a mailbox (user benchd) that an untimed earlier run archived, against mpop
deleting the messages it retrieved earlier and popvault built from an earlier commit (--base-home).
Before every timed run the mailbox is re-delivered and the tool's state (archive and ledger, or
mbox and UIDL file) put back as the earlier run left it, so every repeat starts from the same state.

With --compare-base, (a), (b), (c) and (d) also time that earlier build ("popvault-base") as one more
tool in the same rotation, with its own run directories (archive and ledger) like every other tool, and
the report adds after/before ratios paired within each repeat.

The password is handed to each tool the way its users would (environment, 0600 rc file); it is a
throwaway for the private Dovecot and never printed.
"""

import argparse
import collections
import datetime
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

TOOLS = ["popvault", "mpop", "fetchmail", "getmail6"]
BASE = "popvault-base"  # popvault built from --base-rev, run from --base-home
JDK_TLS = "popvault-jdk"  # popvault with POPVAULT_TLS=jdk: the JDK's TLS instead of Conscrypt
POPVAULTS = ("popvault", BASE, JDK_TLS)
DELETE_TOOLS = ["popvault", BASE, "mpop"]
SLOW = {"fetchmail", "getmail6"}
TIMEOUT = 300
DEFAULT_ONLY = "a,tls,sc,big,sd,b,c,d,e"


class Bench:
    def __init__(self, args):
        self.args = args
        self.bench = os.path.dirname(os.path.abspath(__file__))
        self.repo = args.repo
        self.work = args.work
        self.runs = os.path.join(args.work, "runs")
        self.password = args.password
        self.pwfile = os.path.join(args.work, "tools", "password")
        os.makedirs(os.path.dirname(self.pwfile), exist_ok=True)
        with open(os.open(self.pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(self.password + "\n")
        self.results = {}  # (scenario, tool) -> list of Run
        self.proxy = None
        # run.sh generates only the corpora that the chosen scenarios use.
        self.users = [u for u in ("bencha", "benchb", "benchc", "benchd", "benche", "benchl",
                                        "benchr", "benchg")
                      if os.path.isdir(os.path.join(args.work, "mail", u, "Maildir", "cur"))]
        self.counts = {u: len(os.listdir(os.path.join(args.work, "mail", u, "Maildir", "cur")))
                       for u in self.users}
        self.sizes = {u: sum(os.path.getsize(os.path.join(args.work, "mail", u, "Maildir", "cur", f))
                             for f in os.listdir(os.path.join(args.work, "mail", u, "Maildir", "cur")))
                      for u in self.counts}
        self.popvault_ok = self._popvault_usable()
        self.base_ok = bool(args.base_home) and os.path.isfile(
            os.path.join(args.base_home, "target", "popvault.jar"))
        if args.base_home and not self.base_ok:
            print(f"bench: no {args.base_home}/target/popvault.jar; running without the baseline",
                  file=sys.stderr)

    # ---- tool command lines -------------------------------------------------------------------

    def _popvault_usable(self):
        try:
            r = subprocess.run([os.path.join(self.repo, "bin", "popvault"), "archive", "--help"],
                               capture_output=True, timeout=900)
            return r.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    def command(self, tool, user, port, tls, out, account=None):
        """Returns (argv, env, run-as-nobody) for one archive run of tool into directory out.

        account names popvault's account (--account): the same mailbox reached through another
        port (the delay proxy) is otherwise another account."""
        env = dict(os.environ)
        ca = self.args.ca_file
        if tool in POPVAULTS:
            scheme = "pop3s" if tls == "pop3s" else "pop3"
            home = self.args.base_home if tool == BASE else self.repo
            argv = [os.path.join(home, "bin", "popvault"), "archive",
                    f"{scheme}://{user}@127.0.0.1:{port}", "--ca-file", ca,
                    "--archive-dir", os.path.join(out, "archive"), "-q"]
            if not tls:
                argv.append("--allow-plaintext")
            if account:
                argv += ["--account", account]
            env["POPVAULT_PASSWORD"] = self.password
            env["POPVAULT_TLS"] = "jdk" if tool == JDK_TLS else "auto"
            return argv, env, False
        if tool == "mpop":
            argv = ["mpop", "--host=127.0.0.1", f"--port={port}", "--auth=user", f"--user={user}",
                    f"--passwordeval=cat {self.pwfile}",
                    f"--deliver=mbox,{os.path.join(out, 'out.mbox')}",
                    f"--uidls-file={os.path.join(out, 'uidls')}", "--keep=on", "--only-new=on",
                    "--quiet"]
            if tls:
                argv += ["--tls=on", f"--tls-starttls={'off' if tls == 'pop3s' else 'on'}",
                         f"--tls-trust-file={ca}"]
            else:
                argv += ["--tls=off"]
            return argv, env, False
        if tool == "fetchmail":
            # Stores to an mbox through an MDA: fetchmail has no mbox delivery of its own.
            # fetchmail matches only DNS names of the certificate, not its IP address entry.
            tls_opts = (f"sslproto 'tls1.2+' sslcertck sslcommonname \"localhost\" sslcertfile \"{ca}\""
                        if tls else "sslproto ''")
            if tls == "pop3s":
                tls_opts = "ssl " + tls_opts
            rc = os.path.join(out, "fetchmailrc")
            mda = (f"/usr/bin/awk -v out={os.path.join(out, 'out.mbox')} "
                   f"-f {os.path.join(self.bench, 'mboxrd-append.awk')}")
            with open(os.open(rc, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                f.write("set no syslog\n"
                        f"poll 127.0.0.1 with proto POP3 port {port} uidl\n"
                        f"  user \"{user}\" there with password \"{self.password}\" is root here\n"
                        f"  options keep {tls_opts}\n"
                        f"  mda \"{mda}\"\n")
            env["FETCHMAILHOME"] = out
            argv = ["fetchmail", "-s", "-f", rc, "--idfile", os.path.join(out, "fetchids"),
                    "--pidfile", os.path.join(out, "fetchmail.pid")]
            return argv, env, False
        if tool == "getmail6":
            # getmail6 refuses to deliver as root and has no STLS: TLS runs use POP3S.
            gd = os.path.join(out, "getmail")
            os.makedirs(gd, exist_ok=True)
            mbox = os.path.join(out, "out.mbox")
            open(mbox, "a").close()
            retr = "SimplePOP3SSLRetriever" if tls else "SimplePOP3Retriever"
            p = port if tls == "pop3s" else (self.args.pop3s_port if tls else port)
            extra = f"ca_certs = {ca}\nssl_cert_hostname = 127.0.0.1\n" if tls else ""
            with open(os.open(os.path.join(gd, "getmailrc"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                              0o600), "w") as f:
                f.write(f"[retriever]\ntype = {retr}\nserver = 127.0.0.1\nport = {p}\n"
                        f"username = {user}\npassword = {self.password}\n{extra}"
                        # The child-wait of its delivery shares this timeout (see docs/performance.md).
                        "timeout = 20\n\n"
                        f"[destination]\ntype = Mboxrd\npath = {mbox}\n\n"
                        "[options]\nread_all = false\ndelete = false\nverbose = 0\n")
            for root, dirs, files in os.walk(out):
                for n in dirs + files:
                    os.chown(os.path.join(root, n), 65534, 65534)
            os.chown(out, 65534, 65534)
            argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    "getmail", "--getmaildir", gd, "--rcfile", "getmailrc"]
            return argv, env, True
        if tool == "raw":
            env["RAWPOP_PASSWORD"] = self.password
            return ["/usr/bin/python3", os.path.join(self.bench, "rawpop.py"), "--port", str(port),
                    "--user", user], env, False
        raise ValueError(tool)

    # ---- running and checking -----------------------------------------------------------------

    def timed(self, argv, env, cwd):
        """Runs argv under timeout and GNU time; returns (seconds, exit code, peak RSS KB, output).

        Also leaves the CPU seconds (user + system) of the run in self.last_cpu (None if unknown)."""
        rss_file = os.path.join(cwd, ".rss")
        full = ["/usr/bin/time", "-f", "%M %U %S", "-o", rss_file, "timeout", str(TIMEOUT)] + argv
        start = time.monotonic()
        p = subprocess.run(full, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT + 30)
        seconds = time.monotonic() - start
        rss = None
        self.last_cpu = None
        try:
            # GNU time writes "Command exited with non-zero status N" first when the tool failed.
            with open(rss_file) as f:
                fields = f.read().strip().splitlines()[-1].split()
            os.unlink(rss_file)
            rss = int(fields[0])
            self.last_cpu = float(fields[1]) + float(fields[2])
        except (OSError, IndexError, ValueError):
            pass
        err = (p.stderr + p.stdout).decode("utf-8", "replace")
        return seconds, p.returncode, rss, err

    def stored_messages(self, tool, out):
        """Counts mbox "From " separators in everything tool stored under out (decompressing)."""
        paths = []
        for root, _, files in os.walk(out):
            for n in files:
                if n == "out.mbox" or (tool in POPVAULTS and ".mbox" in n):
                    paths.append(os.path.join(root, n))
        count = 0
        for path in paths:
            if path.endswith(".zst"):
                src = subprocess.Popen(["zstd", "-dcq", path], stdout=subprocess.PIPE).stdout
            elif path.endswith(".gz"):
                src = subprocess.Popen(["zcat", path], stdout=subprocess.PIPE).stdout
            elif path.endswith(".xz"):
                src = subprocess.Popen(["xzcat", path], stdout=subprocess.PIPE).stdout
            else:
                src = open(path, "rb")
            with src:
                # A separator starts the file or follows a LF; 5 carried bytes cannot hold a whole match.
                tail = b"\n"
                while True:
                    chunk = src.read(1 << 20)
                    if not chunk:
                        break
                    count += (tail + chunk).count(b"\nFrom ")
                    tail = chunk[-5:]
        return count

    def output_bytes(self, out):
        total = 0
        for root, _, files in os.walk(out):
            for n in files:
                if n == "out.mbox" or (".mbox" in n and not n.endswith(".lock")):
                    total += os.path.getsize(os.path.join(root, n))
        return total

    def record(self, scenario, tool, seconds, ok, rss, note, **extra):
        self.results.setdefault((scenario, tool), []).append(
            dict({"seconds": seconds, "ok": ok, "rss": rss, "note": note}, **extra))
        status = "ok" if ok else f"FAILED ({note})"
        rss_s = f"{rss / 1024:.0f} MB" if rss else "?"
        print(f"  {scenario:5} {tool:13} {seconds:8.2f} s  rss {rss_s:>7}  {status}",
              file=sys.stderr, flush=True)

    def one_run(self, scenario, tool, user, port, tls, rep, keep=False):
        out = os.path.join(self.runs, scenario, tool, str(rep))
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        argv, env, _ = self.command(tool, user, port, tls, out)
        seconds, code, rss, err = self.timed(argv, env, out)
        ok, note = True, ""
        if code != 0:
            ok, note = False, f"exit {code}{' (timeout)' if code == 124 else ''}: {last_line(err)}"
        elif tool != "raw":
            n = self.stored_messages(tool, out)
            if n != self.counts[user]:
                ok, note = False, f"stored {n} of {self.counts[user]} messages"
        self.record(scenario, tool, seconds, ok, rss, note, cpu=self.last_cpu, rep=rep)
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
        return ok, out

    def tools(self, base=False):
        """The tools to time; base=True adds the baseline build after popvault if --compare-base."""
        tools = [t for t in TOOLS if t != "popvault" or self.popvault_ok]
        if base and self.args.compare_base and self.base_ok:
            tools.insert(1 if self.popvault_ok else 0, BASE)
        return tools

    def interleaved(self, scenario, user, port, tls, tools, keep_last=False):
        repeats, slow = self.args.repeats, self.args.slow_repeats
        print(f"({scenario}) {self.counts[user]} messages, {self.sizes[user] / 1e6:.1f} MB, "
              f"{repeats} repeats ({slow} for {', '.join(sorted(SLOW))})", file=sys.stderr)
        kept = {}
        for rep in range(repeats):
            order = tools[rep % len(tools):] + tools[:rep % len(tools)]
            for tool in order:
                if tool in SLOW and rep >= slow:
                    continue
                last = rep == (slow if tool in SLOW else repeats) - 1
                ok, out = self.one_run(scenario, tool, user, port, tls, rep, keep=keep_last and last)
                if keep_last and last:
                    kept[tool] = (ok, out)
        return kept

    # ---- scenarios ----------------------------------------------------------------------------

    def scenario_a(self):
        self.interleaved("a", "bencha", self.args.plain_port, False, self.tools(True) + ["raw"])

    def scenario_tls(self):
        self.interleaved("tls", "bencha", self.args.pop3s_port, "pop3s", self.tools() + [JDK_TLS])

    def pair(self):
        """popvault and mpop: the rows of issue #13 compare these two only."""
        return [t for t in ("popvault", "mpop") if t in self.tools()]

    def delayed(self, target):
        """Starts bench/delayproxy.py (25 ms each way) in front of target; returns the process."""
        proxy = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(self.bench, "delayproxy.py"),
             "--listen", str(self.args.proxy_port), "--target", str(target), "--delay-ms", "25"])
        wait_port(self.args.proxy_port)
        return proxy

    def scenario_sc(self):
        """POP3S through the delay proxy (50 ms round trip), a 500-message mailbox."""
        proxy = self.delayed(self.args.pop3s_port)
        try:
            self.interleaved("sc", "benchr", self.args.proxy_port, "pop3s", self.pair() + [JDK_TLS])
        finally:
            proxy.terminate()
            proxy.wait()

    def scenario_big(self):
        """POP3S on the LAN, 8,000 messages / 800 MB; keeps the last runs' state for (sd)."""
        return self.interleaved("big", "benchg", self.args.pop3s_port, "pop3s", self.pair(),
                                keep_last=True)

    def scenario_sd(self, kept):
        """No-op re-runs over POP3S at a 50 ms round trip, on the state a full (big) run left."""
        print(f"(sd) no-op re-runs over POP3S at 50 ms RTT, {self.counts['benchg']} messages "
              "already archived", file=sys.stderr)
        state = {}
        for tool in self.pair():
            ok, out = kept.get(tool, (False, None))
            if not ok:
                ok, out = self.one_run("sd-setup", tool, "benchg", self.args.pop3s_port, "pop3s", 0,
                                       keep=True)
            if ok:
                state[tool] = out
            else:
                self.record("sd", tool, 0.0, False, None, "no full run to re-run on")
        proxy = self.delayed(self.args.pop3s_port)
        account = "benchg@127.0.0.1"  # the name the full run gave; --account moves it to the proxy's port
        try:
            tools = list(state)
            for tool in tools:  # untimed: popvault records the account's new port once
                argv, env, _ = self.command(tool, "benchg", self.args.proxy_port, "pop3s", state[tool],
                                            account)
                self.timed(argv, env, state[tool])
            for rep in range(self.args.repeats):
                for tool in tools[rep % len(tools):] + tools[:rep % len(tools)]:
                    self.noop_run("sd", tool, "benchg", self.args.proxy_port, "pop3s", state[tool],
                                  rep, account)
        finally:
            proxy.terminate()
            proxy.wait()
        for out in state.values():
            shutil.rmtree(out, ignore_errors=True)

    def noop_run(self, scenario, tool, user, port, tls, out, rep, account=None):
        """Times one re-run on a tool's own state; it counts only if it stored nothing."""
        argv, env, _ = self.command(tool, user, port, tls, out, account)
        before = self.output_bytes(out)
        seconds, code, rss, err = self.timed(argv, env, out)
        # fetchmail exits 1 for "no new mail", which is what a no-op run must find.
        expected = (0, 1) if tool == "fetchmail" else (0,)
        ok, note = code in expected, ""
        if not ok:
            note = f"exit {code}: {last_line(err)}"
        elif self.output_bytes(out) != before:
            ok, note = False, "stored messages again on a no-op run"
        self.record(scenario, tool, seconds, ok, rss, note, cpu=self.last_cpu, rep=rep)

    def scenario_b(self):
        return self.interleaved("b", "benchb", self.args.plain_port, False, self.tools(True) + ["raw"],
                                keep_last=True)

    def scenario_c(self):
        self.proxy = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(self.bench, "delayproxy.py"),
             "--listen", str(self.args.proxy_port), "--target", str(self.args.plain_port),
             "--delay-ms", "25"])
        try:
            wait_port(self.args.proxy_port)
            self.interleaved("c", "benchc", self.args.proxy_port, False, self.tools(True) + ["raw"])
        finally:
            self.proxy.terminate()
            self.proxy.wait()

    def scenario_d(self, kept):
        """Times no-op re-runs on the state a full run of (b) left, and a java -jar hello world."""
        print(f"(d) no-op re-runs, {self.counts['benchb']} messages already archived", file=sys.stderr)
        state = {}
        for tool in self.tools(True):
            ok, out = kept.get(tool, (False, None))
            if not ok:
                ok, out = self.one_run("d-setup", tool, "benchb", self.args.plain_port, False, 0,
                                       keep=True)
            if ok:
                state[tool] = out
            else:
                self.record("d", tool, 0.0, False, None, "no full run to re-run on")
        hello = self.build_hello()
        tools = list(state) + (["hello"] if hello else [])
        for rep in range(self.args.repeats):
            order = tools[rep % len(tools):] + tools[:rep % len(tools)]
            for tool in order:
                if tool == "hello":
                    seconds, code, rss, err = self.timed(["java", "-jar", hello], dict(os.environ),
                                                         os.path.dirname(hello))
                    self.record("d", "hello", seconds, code == 0, rss, last_line(err) if code else "",
                                cpu=self.last_cpu, rep=rep)
                    continue
                self.noop_run("d", tool, "benchb", self.args.plain_port, False, state[tool], rep)
        for out in state.values():
            shutil.rmtree(out, ignore_errors=True)

    def scenario_e(self):
        repeats = min(3, self.args.repeats)
        tools = [t for t in ("popvault", "mpop") if t in self.tools()]
        print(f"(e) one message of {self.sizes['benche'] / 1e6:.0f} MB, {repeats} repeats",
              file=sys.stderr)
        for rep in range(repeats):
            for tool in tools:
                self.one_run("e", tool, "benche", self.args.plain_port, False, rep)

    # ---- (list): what is on the server, without downloading it ------------------------------

    def scenario_list(self):
        """Times `popvault list` (every message's headers by pipelined TOP) of a large mailbox
        against `mpop --status-only` (UIDL and LIST only: less work, the nearest peer command)."""
        repeats = min(3, self.args.repeats)
        n = self.counts["benchl"]
        print(f"(list) {n} messages on the server, {repeats} repeats", file=sys.stderr)
        tools = [t for t in ("popvault", "mpop") if t in self.tools()]
        for rep in range(repeats):
            for tool in tools:
                out = os.path.join(self.runs, "list", tool, str(rep))
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                env = dict(os.environ)
                if tool == "popvault":
                    argv = [os.path.join(self.repo, "bin", "popvault"), "list",
                            f"pop3://benchl@127.0.0.1:{self.args.plain_port}", "--allow-plaintext",
                            "--archive-dir", os.path.join(out, "archive"), "--json"]
                    env["POPVAULT_PASSWORD"] = self.password
                else:
                    argv = ["mpop", "--host=127.0.0.1", f"--port={self.args.plain_port}",
                            "--auth=user", "--user=benchl", f"--passwordeval=cat {self.pwfile}",
                            "--tls=off", f"--uidls-file={os.path.join(out, 'uidls')}",
                            f"--deliver=mbox,{os.path.join(out, 'out.mbox')}", "--status-only"]
                seconds, code, rss, text = self.timed_to_file(argv, env, out)
                ok, note = code == 0, ""
                if not ok:
                    note = f"exit {code}: {last_line(text)}"
                elif tool == "popvault" and text.count('"uidl"') != n:
                    ok, note = False, f"listed {text.count(chr(34) + 'uidl' + chr(34))} of {n}"
                self.record("list", tool, seconds, ok, rss, note, cpu=self.last_cpu, rep=rep)
                shutil.rmtree(out, ignore_errors=True)

    def timed_to_file(self, argv, env, cwd):
        """As timed(), with standard output to a file (a 50,000-row listing is large)."""
        out_file = os.path.join(cwd, "stdout")
        quoted = " ".join(shlex.quote(a) for a in argv)
        seconds, code, rss, err = self.timed(["sh", "-c", f"exec {quoted} > {shlex.quote(out_file)}"],
                                             env, cwd)
        with open(out_file, encoding="utf-8", errors="replace") as f:
            return seconds, code, rss, f.read() + err

    # ---- (export): one message out of a 1 GB archive ---------------------------------------

    def scenario_export(self):
        """Archives the 1 GB benchx mailbox once (untimed), then times `popvault export` of one
        message (first, middle and last archived) and `popvault search` by Message-ID, against
        decompressing the whole archive with the zstd program: the work that reading only the
        frame holding the message avoids."""
        import hashlib
        import sqlite3
        repeats = min(3, self.args.repeats)
        work = os.path.join(self.runs, "export")
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        archive = os.path.join(work, "archive")
        env = dict(os.environ, POPVAULT_PASSWORD=self.password)
        popvault = os.path.join(self.repo, "bin", "popvault")
        seconds, code, _, text = self.timed(
            [popvault, "archive", f"pop3://benchx@127.0.0.1:{self.args.plain_port}",
             "--allow-plaintext", "--archive-dir", archive, "-q"], env, work)
        if code != 0:
            self.record("export", "popvault-one", 0, False, None, f"archive failed: {last_line(text)}")
            return
        db = sqlite3.connect(os.path.join(archive, "ledger.db"))
        rows = db.execute("SELECT message_id, sha256 FROM message ORDER BY id").fetchall()
        files = [os.path.join(archive, r[0]) for r in db.execute("SELECT path FROM archive_file")]
        db.close()
        self.export_facts = {"messages": len(rows), "archive_seconds": seconds,
                             "bytes_on_disk": sum(os.path.getsize(f) for f in files),
                             "files": len(files)}
        print(f"(export) archived {len(rows)} messages in {seconds:.1f} s, "
              f"{self.export_facts['bytes_on_disk'] / 1e6:.0f} MB on disk; {repeats} repeats",
              file=sys.stderr)
        chosen = [rows[0], rows[len(rows) // 2], rows[-1]]
        for rep in range(repeats):
            for position, (message_id, sha) in zip(("first", "middle", "last"), chosen):
                out = os.path.join(work, f"eml-{rep}-{position}")
                argv = [popvault, "export", f"message-id:{message_id}", "--format", "eml",
                        "--to", out, "--archive-dir", archive, "-q"]
                seconds, code, rss, text = self.timed(argv, env, work)
                ok, note = code == 0, "" if code == 0 else f"exit {code}: {last_line(text)}"
                written = [os.path.join(out, n) for n in os.listdir(out)] if ok else []
                if ok and (len(written) != 1 or hashlib.sha256(
                        open(written[0], "rb").read()).digest() != sha):
                    ok, note = False, "exported bytes differ from the ledger's SHA-256"
                self.record("export", "popvault-one", seconds, ok, rss, note, cpu=self.last_cpu,
                            rep=rep)
            seconds, code, rss, text = self.timed(
                [popvault, "search", f"message-id:{chosen[1][0]}", "--json", "--archive-dir", archive],
                env, work)
            self.record("export", "popvault-search", seconds, code == 0, rss,
                        "" if code == 0 else last_line(text), cpu=self.last_cpu, rep=rep)
            quoted = " ".join(shlex.quote(f) for f in files)
            seconds, code, rss, text = self.timed(["sh", "-c", f"zstd -dcq {quoted} > /dev/null"],
                                                  env, work)
            self.record("export", "zstd-whole", seconds, code == 0, rss,
                        "" if code == 0 else last_line(text), cpu=self.last_cpu, rep=rep)
        shutil.rmtree(work, ignore_errors=True)

    def export_report(self):
        """The (export) section: one message out of the 1 GB archive, against decompressing it all."""
        facts = getattr(self, "export_facts", None)
        if not facts:
            return ["", "## (export): the archive run failed; nothing was timed"]

        def spread(tool, key, scale=1.0, fmt="{:.2f}"):
            vals = [r[key] * scale for r in self.results.get(("export", tool), [])
                    if r["ok"] and r.get(key) is not None]
            if not vals:
                return "failed"
            return (fmt.format(statistics.median(vals)) + " (" + fmt.format(min(vals)) + "–"
                    + fmt.format(max(vals)) + ")")

        lines = ["", f"## (export) one message out of {facts['messages']:,} "
                 f"({facts['bytes_on_disk'] / 1e6:,.0f} MB compressed, {facts['files']} files)", "",
                 f"Archived once, untimed ({facts['archive_seconds']:.1f} s). `popvault export "
                 "message-id:ID --format eml` of the first, middle and last message archived (each "
                 "checked against the ledger's SHA-256), `popvault search message-id:ID --json`, and "
                 "`zstd -dc` of every archive file to /dev/null (what reading the whole archive costs); "
                 "median (min–max).", "",
                 "| command | wall s | CPU s | peak RSS MB |", "|---|---:|---:|---:|"]
        labels = {"popvault-one": "popvault export (one message)",
                  "popvault-search": "popvault search (by Message-ID)",
                  "zstd-whole": "zstd -dc (the whole archive)"}
        for tool, label in labels.items():
            if ("export", tool) in self.results:
                lines.append(f"| {label} | {spread(tool, 'seconds')} | {spread(tool, 'cpu')} | "
                             f"{spread(tool, 'rss', 1 / 1024, '{:.0f}')} |")
        return lines

    # ---- (delete): archive --delete of messages archived by an earlier run -------------------

    def delete_tools(self):
        return [t for t in DELETE_TOOLS
                if t == "mpop" or (self.base_ok if t == BASE else self.popvault_ok)]

    def delete_command(self, tool, state, delete):
        """The run that archives benchd into state, and with delete=True deletes what is archived.

        popvault: `archive --delete`, -v for its re-read line. mpop: the same UIDL file and mbox as
        the earlier `--keep=on` run, now `--keep=off`; with --only-new=on (its default) mpop retrieves
        nothing again and deletes the messages its UIDL file lists as retrieved."""
        port = self.args.plain_port
        if tool == "mpop":
            argv, env, _ = self.command("mpop", "benchd", port, False, state)
            if delete:
                argv = ["--keep=off" if a == "--keep=on" else a for a in argv]
            return argv, env
        argv, env, _ = self.command(tool, "benchd", port, False, state)
        argv = ["-v" if a == "-q" else a for a in argv]
        return argv + (["--delete"] if delete else []), env

    def delete_maildir(self):
        return os.path.join(self.work, "mail", "benchd", "Maildir")

    def delete_restore_mailbox(self):
        """Re-delivers benchd: the maildir as it was after warming (messages and Dovecot's index)."""
        live = self.delete_maildir()
        fresh = live + ".restore"
        shutil.rmtree(fresh, ignore_errors=True)
        subprocess.run(["cp", "-a", self.delete_warm, fresh], check=True)
        shutil.rmtree(live, ignore_errors=True)
        os.rename(fresh, live)

    def delete_on_server(self):
        live = self.delete_maildir()
        return sum(len(os.listdir(os.path.join(live, d))) for d in ("cur", "new"))

    def dovecot_log_size(self):
        try:
            return os.path.getsize(self.dovecot_log)
        except OSError:
            return 0

    def dovecot_logout(self, offset):
        """The counters Dovecot logged when the benchd session that began after offset ended."""
        try:
            with open(self.dovecot_log, "rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return None
        found = re.findall(r"pop3\(benchd\).*?(top=\d+/\d+, retr=\d+/\d+, del=\d+/\d+, size=\d+)", text)
        return found[-1] if found else None

    def scenario_delete(self):
        count = self.counts.get("benchd", 0)
        root = os.path.join(self.runs, "delete")
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        self.delete_warm = os.path.join(self.work, "pristine", "benchd", "Maildir.warm")
        shutil.rmtree(self.delete_warm, ignore_errors=True)
        # main() has warmed the mailbox: copy it with Dovecot's index so no run pays for indexing.
        subprocess.run(["cp", "-a", self.delete_maildir(), self.delete_warm], check=True)
        self.dovecot_log = os.path.join(self.work, "dovecot-plain", "dovecot.log")
        tools = self.delete_tools()
        print(f"(delete) {count} messages, {self.sizes['benchd'] / 1e6:.1f} MB archived by an earlier "
              f"run, then deleted; {self.args.repeats} repeats; {', '.join(tools)}", file=sys.stderr)
        ready = []
        for tool in tools:
            # The earlier run: archive everything, delete nothing; its state is the snapshot.
            state = os.path.join(root, tool, "state")
            os.makedirs(state)
            self.delete_restore_mailbox()
            argv, env = self.delete_command(tool, state, False)
            seconds, code, rss, err = self.timed(argv, env, state)
            stored = self.stored_messages("popvault" if tool != "mpop" else "mpop", state) \
                if code == 0 else 0
            if code != 0 or stored != count or self.delete_on_server() != count:
                self.record("delete", tool, 0.0, False, None,
                            f"earlier archive run: exit {code}, stored {stored} of {count}: "
                            f"{last_line(err)}")
                continue
            print(f"  setup {tool:13} {seconds:8.2f} s  archived {stored} messages", file=sys.stderr)
            subprocess.run(["cp", "-a", state, os.path.join(root, tool, "snapshot")], check=True)
            ready.append(tool)
        for rep in range(self.args.repeats):
            order = ready[rep % len(ready):] + ready[:rep % len(ready)] if ready else []
            for tool in order:
                self.delete_one(tool, os.path.join(root, tool), count, rep)
        shutil.rmtree(root, ignore_errors=True)

    def delete_one(self, tool, base, count, rep):
        state, snapshot = os.path.join(base, "state"), os.path.join(base, "snapshot")
        self.delete_restore_mailbox()
        shutil.rmtree(state)
        subprocess.run(["cp", "-a", snapshot, state], check=True)
        argv, env = self.delete_command(tool, state, True)
        offset = self.dovecot_log_size()
        seconds, code, rss, err = self.timed(argv, env, state)
        cpu = self.last_cpu
        # Dovecot logs the logout after the client has gone; give it a moment.
        logout = None
        for _ in range(20):
            logout = self.dovecot_logout(offset)
            if logout:
                break
            time.sleep(0.05)
        left = self.delete_on_server()
        ok, note, reread = True, "", None
        if code != 0:
            ok, note = False, f"exit {code}{' (timeout)' if code == 124 else ''}: {last_line(err)}"
        elif left != 0:
            ok, note = False, f"{left} of {count} messages still on the server"
        else:
            stored = self.stored_messages("popvault" if tool != "mpop" else "mpop", state)
            if stored != count:
                ok, note = False, f"archive holds {stored} of {count} messages after the run"
        if tool != "mpop" and ok:
            m = re.search(r"deleted (\d+) archived messages", err)
            if not m or int(m.group(1)) != count:
                ok, note = False, f"popvault did not report deleting {count}: {last_line(err)}"
            m = re.search(r"re-read (\d+) archived frame\(s\) \((\d+) bytes\) in (\d+) ms: "
                          r"(\d+) damaged; (\d+) message\(s\) verified", err)
            if m:
                reread = {"frames": int(m.group(1)), "bytes": int(m.group(2)),
                          "ms": int(m.group(3)), "damaged": int(m.group(4)),
                          "verified": int(m.group(5))}
            elif tool == "popvault":
                ok, note = False, "no re-read line in -v output"
        self.record("delete", tool, seconds, ok, rss, note, cpu=cpu, rep=rep, logout=logout,
                    reread=reread)

    def build_hello(self):
        """Builds bench/Hello.java (a one-option picocli program) into a runnable jar with picocli."""
        src = os.path.join(self.bench, "Hello.java")
        out = os.path.join(self.work, "tools", "hello")
        classes = os.path.join(out, "classes")
        os.makedirs(classes, exist_ok=True)
        jar = os.path.join(out, "hello.jar")
        popvault_jar = os.path.join(self.repo, "target", "popvault.jar")
        try:
            # picocli comes out of popvault's own jar, so the baseline uses the very same classes.
            subprocess.run(["unzip", "-q", "-o", popvault_jar, "picocli/*", "-d", classes], check=True)
            subprocess.run(["javac", "-cp", classes, "-d", classes, src], check=True)
            subprocess.run(["jar", "--create", "--file", jar, "--main-class", "Hello", "-C", classes, "."],
                           check=True)
            return jar
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"bench: cannot build the java -jar baseline: {e}", file=sys.stderr)
            return None

    # ---- report -------------------------------------------------------------------------------

    def med(self, scenario, tool, key="seconds"):
        runs = [r for r in self.results.get((scenario, tool), []) if r["ok"] and r[key] is not None]
        return statistics.median(r[key] for r in runs) if runs else None

    def cell(self, scenario, tool, key="seconds", fmt="{:.2f}", scale=1.0):
        runs = self.results.get((scenario, tool), [])
        if not runs:
            return "—"
        m = self.med(scenario, tool, key)
        good = sum(1 for r in runs if r["ok"])
        if m is None:
            return f"failed {len(runs)}/{len(runs)}"
        text = fmt.format(m * scale)
        return text if good == len(runs) else f"{text} ({len(runs) - good}/{len(runs)} failed)"

    def good(self, scenario, tool):
        return [r for r in self.results.get((scenario, tool), []) if r["ok"]]

    def paired(self, scenario, a, b, key, op):
        """(median, min, max, pairs) over repeats of op(a's run, b's run) within the same repeat."""
        ra = {r["rep"]: r[key] for r in self.good(scenario, a) if r.get(key) is not None}
        rb = {r["rep"]: r[key] for r in self.good(scenario, b) if r.get(key) is not None}
        vals = [op(ra[k], rb[k]) for k in ra if k in rb and rb[k]]
        return (statistics.median(vals), min(vals), max(vals), len(vals)) if vals else None

    def ratio(self, scenario, a, b, key="seconds"):
        x, y = self.med(scenario, a, key), self.med(scenario, b, key)
        return f"{x / y:.2f}" if x and y else "—"

    def report(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        lines = [f"# popvault benchmark, {now:%Y-%m-%d %H:%M} UTC", ""]
        method = (f"- Method: wall-clock median of {self.args.repeats} interleaved repeats "
                  f"({self.args.slow_repeats} for fetchmail and getmail6) against a private Dovecot on "
                  "127.0.0.1; each run into a fresh empty directory, mail kept on the server; popvault "
                  "with its defaults (zstd, verify by re-read, SQLite ledger); peers to mbox. A run counts "
                  "only if it exited as expected and stored exactly the mailbox's message count. "
                  "Ratios are popvault / peer (lower is better for popvault)."
                  + (" **Quick run** (smaller corpora, fewer repeats)." if self.args.quick else ""))
        if all(s in ("delete", "list", "export") for s, _ in self.results):
            method = "- Method: see below." + (" **Quick run** (smaller corpus, fewer repeats)."
                                               if self.args.quick else "")
        lines += [f"- Machine: {machine()}", f"- Versions: {'; '.join(versions(self.repo))}",
                  method, ""]
        c = collections.defaultdict(int, self.counts)
        mb = collections.defaultdict(float, {u: self.sizes[u] / 1e6 for u in self.sizes})
        rows = [
            ("a", f"(a) {c['bencha']:,} msgs, {mb['bencha']:.0f} MB, plaintext"),
            ("tls", f"(a) over TLS: POP3S, LAN"),
            ("sc", f"{c['benchr']:,} msgs, {mb['benchr']:.0f} MB, POP3S, 50 ms RTT"),
            ("big", f"{c['benchg']:,} msgs, {mb['benchg']:.0f} MB, POP3S, LAN"),
            ("sd", f"no-op re-run, {c['benchg']:,} msgs, POP3S, 50 ms RTT"),
            ("b", f"(b) {c['benchb']:,} small msgs, {mb['benchb']:.0f} MB, plaintext"),
            ("c", f"(c) {c['benchc']:,} msgs, {mb['benchc']:.0f} MB, plaintext, 50 ms RTT"),
            ("d", f"(d) no-op re-run, {c['benchb']:,} msgs, plaintext"),
        ]
        others = any(s not in ("delete", "list", "export") for s, _ in self.results)
        if others:
            lines += ["## Wall time and CPU, seconds (median)", "",
                      "CPU is user + system time of the client's process tree (`/usr/bin/time`), not "
                      "the server's.", "",
                      "| scenario | popvault wall | popvault CPU | mpop wall | mpop CPU | fetchmail | "
                      "getmail6 | raw pipelined read | popvault/mpop wall | popvault/mpop CPU | "
                      "popvault/fetchmail | popvault/getmail6 |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for key, label in rows:
                if not any((key, t) in self.results for t in TOOLS):
                    continue
                raw = self.cell(key, "raw") if (key, "raw") in self.results else "—"
                lines.append(f"| {label} | {self.cell(key, 'popvault')} | "
                             f"{self.cell(key, 'popvault', 'cpu')} | {self.cell(key, 'mpop')} | "
                             f"{self.cell(key, 'mpop', 'cpu')} | {self.cell(key, 'fetchmail')} | "
                             f"{self.cell(key, 'getmail6')} | {raw} | "
                             f"{self.ratio(key, 'popvault', 'mpop')} | "
                             f"{self.ratio(key, 'popvault', 'mpop', 'cpu')} | "
                             + " | ".join(self.ratio(key, "popvault", p)
                                          for p in ("fetchmail", "getmail6")) + " |")
            if ("d", "hello") in self.results:
                lines += ["", f"Start-up baseline for (d): `java -jar` of a trivial picocli program "
                          f"(bench/Hello.java, one option, default JVM flags): {self.cell('d', 'hello')} s; "
                          f"popvault no-op / baseline = {self.ratio('d', 'popvault', 'hello')}."]
            lines += ["", "## Peak RSS, MB (median of `/usr/bin/time` maximum resident set size)", "",
                      "| scenario | popvault | mpop | fetchmail | getmail6 |", "|---|---:|---:|---:|---:|"]
            rss_rows = rows + [("e", f"(e) one {mb['benche']:.0f} MB message")]
            for key, label in rss_rows:
                if not any((key, t) in self.results for t in TOOLS):
                    continue
                lines.append(f"| {label} | " + " | ".join(
                    self.cell(key, t, "rss", "{:.0f}", 1 / 1024) for t in TOOLS) + " |")
        if others:
            lines += ["", "## Targets from issues #4 and #13", "", "| target | measured | met |",
                      "|---|---|---|"]
            lines += self.targets()
        if any(t == JDK_TLS for _, t in self.results):
            lines += ["", "## TLS provider: Conscrypt (default) against the JDK's TLS (`POPVAULT_TLS=jdk`)", "",
                      "Both popvault builds are the same; only the TLS provider differs. Medians; the "
                      "ratio is paired within each repeat: median (min–max, pairs).", "",
                      "| scenario | Conscrypt wall | Conscrypt CPU | JDK TLS wall | JDK TLS CPU | "
                      "wall Conscrypt/JDK | CPU Conscrypt/JDK |", "|---|---:|---:|---:|---:|---:|---:|"]
            for key, label in rows:
                if (key, JDK_TLS) not in self.results:
                    continue
                paired = [self.paired(key, "popvault", JDK_TLS, f, lambda x, y: x / y)
                          for f in ("seconds", "cpu")]
                lines.append(f"| {label} | {self.cell(key, 'popvault')} | "
                             f"{self.cell(key, 'popvault', 'cpu')} | {self.cell(key, JDK_TLS)} | "
                             f"{self.cell(key, JDK_TLS, 'cpu')} | " + " | ".join(
                                 f"{r[0]:.2f} ({r[1]:.2f}–{r[2]:.2f}, {r[3]})" if r else "—"
                                 for r in paired) + " |")
        if any(t == BASE and s != "delete" for s, t in self.results):
            lines += self.base_report(rows)
        if any(s == "delete" for s, _ in self.results):
            lines += self.delete_report()
        if any(s == "list" for s, _ in self.results):
            lines += self.list_report()
        if any(s == "export" for s, _ in self.results):
            lines += self.export_report()
        failures = [(s, t, r) for (s, t), rs in self.results.items() for r in rs if not r["ok"]]
        if failures:
            lines += ["", "## Failed runs", ""]
            for s, t, r in failures:
                lines.append(f"- ({s}) {t} after {r['seconds']:.1f} s: {r['note']}")
        return "\n".join(lines) + "\n"

    def base_report(self, rows):
        """popvault (after) against popvault --base-rev (before) in (a)-(d): medians, paired ratios."""
        before, after = f"popvault@{self.args.base_rev or 'base'}", f"popvault@{code_rev(self.repo)}"

        def ratio(scenario, field):
            r = self.paired(scenario, "popvault", BASE, field, lambda x, y: x / y)
            return f"{r[0]:.2f} ({r[1]:.2f}–{r[2]:.2f}, {r[3]})" if r else "—"

        lines = ["", f"## After/before: {after} against {before}", "",
                 f"{before} is built from that commit (`--base-rev`) and timed as one more tool in the same "
                 "interleaved repeats, next to this checkout's popvault, each into its own directory "
                 "(archive and ledger; for (d) the state its own full (b) run left). Wall and CPU (user + "
                 "system of the client) are medians; ratios are after / before, paired within each repeat: "
                 "median (min–max, pairs). Above 1 is slower.", "",
                 f"| scenario | {after} wall s | {before} wall s | wall after/before | "
                 f"CPU after/before | peak RSS MB after / before |",
                 "|---|---:|---:|---:|---:|---:|"]
        for key, label in rows:
            if (key, BASE) not in self.results:
                continue
            rss = " / ".join(self.cell(key, t, "rss", "{:.0f}", 1 / 1024) for t in POPVAULTS)
            lines.append(f"| {label} | {self.cell(key, 'popvault')} | {self.cell(key, BASE)} | "
                         f"{ratio(key, 'seconds')} | {ratio(key, 'cpu')} | {rss} |")
        return lines

    def list_report(self):
        """The (list) section: wall, CPU and peak RSS of popvault list against mpop --status-only."""
        n = self.counts.get("benchl", 0)

        def spread(tool, key, scale=1.0, fmt="{:.2f}"):
            vals = [r[key] * scale for r in self.results.get(("list", tool), [])
                    if r["ok"] and r.get(key) is not None]
            if not vals:
                return "failed"
            return (fmt.format(statistics.median(vals)) + " (" + fmt.format(min(vals)) + "–"
                    + fmt.format(max(vals)) + ")")

        lines = ["", f"## (list) {n:,} messages on the server, nothing archived", "",
                 "`popvault list --json` (UIDL, LIST, then `TOP n 0` for every message, pipelined; rows "
                 "streamed to a file) against `mpop --status-only` (UIDL and LIST only, no headers: less "
                 "work, the nearest peer command). Plaintext POP3, Dovecot on the same CPUs; median (min–max) "
                 f"of {len(self.results.get(('list', 'popvault'), []))} runs.", "",
                 "| tool | wall s | CPU s | peak RSS MB |", "|---|---:|---:|---:|"]
        for tool in ("popvault", "mpop"):
            if ("list", tool) in self.results:
                lines.append(f"| {tool} | {spread(tool, 'seconds')} | {spread(tool, 'cpu')} | "
                             f"{spread(tool, 'rss', 1 / 1024, '{:.0f}')} |")
        r = self.ratio("list", "popvault", "mpop")
        lines += ["", f"popvault / mpop wall: {r}."]
        return lines

    def delete_report(self):
        """The (delete) section: each tool's wall, CPU and RSS (median, min-max), paired ratios."""
        count, mb = self.counts.get("benchd", 0), self.sizes.get("benchd", 0) / 1e6
        base = self.args.base_rev or "base"
        labels = {"popvault": f"popvault {code_rev(self.repo)} (re-reads before DELE)",
                  BASE: f"popvault {base}" + (" (before M7: no re-read)" if base.startswith("6d90fb2")
                                              else " (baseline)"),
                  "mpop": "mpop `--keep=off` after a `--keep=on` run"}

        def good(tool):
            return self.good("delete", tool)

        def spread(tool, key, scale=1.0, fmt="{:.2f}"):
            vals = [r[key] * scale for r in good(tool) if r.get(key) is not None]
            if not vals:
                return "—"
            return (fmt.format(statistics.median(vals)) + " (" + fmt.format(min(vals)) + "–"
                    + fmt.format(max(vals)) + ")")

        def paired(a, b, key, op):
            return self.paired("delete", a, b, key, op)

        lines = ["", f"## (delete) `archive --delete` of {count:,} messages ({mb:.0f} MB) archived by "
                 "an earlier run", "",
                 f"Each timed run starts from the same state: the mailbox re-delivered (maildir and "
                 f"Dovecot index copied back) and the tool's state put back as its earlier, untimed, "
                 f"keep-everything run left it. {self.args.repeats} interleaved repeats; median "
                 f"(min–max). CPU is user + system of the client process tree (`/usr/bin/time`), "
                 f"not Dovecot's. Every counted run left 0 messages on the server and {count:,} in "
                 f"the archive. popvault runs with `-v` (for its re-read line), plaintext, default "
                 f"zstd archive; its archive files are in the page cache (copied back just before).",
                 "", "Timed command lines (the earlier run is the same without `--delete`, or with "
                 "`--keep=on`): `bin/popvault archive pop3://benchd@127.0.0.1:PORT --allow-plaintext "
                 "--ca-file CA --archive-dir STATE/archive -v --delete` (POPVAULT_PASSWORD); `mpop "
                 "--host=127.0.0.1 --port=PORT --auth=user --user=benchd --passwordeval='cat FILE' "
                 "--deliver=mbox,STATE/out.mbox --uidls-file=STATE/uidls --keep=off --only-new=on "
                 "--quiet --tls=off`. The last column is Dovecot's own count of TOP, RETR and DELE "
                 "in that session.",
                 "", "| tool | wall s | CPU s | peak RSS MB | Dovecot logout (last run) |",
                 "|---|---:|---:|---:|---|"]
        for tool in DELETE_TOOLS:
            runs = self.results.get(("delete", tool), [])
            if not runs:
                continue
            failed = len(runs) - len(good(tool))
            note = f" ({failed}/{len(runs)} failed)" if failed else ""
            last = next((r["logout"] for r in reversed(runs) if r.get("logout")), None)
            lines.append(f"| {labels[tool]}{note} | {spread(tool, 'seconds')} | "
                         f"{spread(tool, 'cpu')} | {spread(tool, 'rss', 1 / 1024, '{:.0f}')} | "
                         f"{last or '?'} |")
        lines += ["", "Paired within each repeat (median (min–max) over repeats):", ""]
        for a, b in (("popvault", "mpop"), ("popvault", "popvault-base"),
                     ("popvault-base", "mpop")):
            r = paired(a, b, "seconds", lambda x, y: x / y)
            if r:
                lines.append(f"- wall {a} / {b}: {r[0]:.2f} ({r[1]:.2f}–{r[2]:.2f}), {r[3]} pairs")
        for key, unit, scale, fmt in (("seconds", "s wall", 1.0, "{:+.2f}"),
                                      ("cpu", "s CPU", 1.0, "{:+.2f}"),
                                      ("rss", "MB peak RSS", 1 / 1024, "{:+.0f}")):
            r = paired("popvault", "popvault-base", key, lambda x, y: x - y)
            if r:
                lines.append(f"- re-read cost, popvault − popvault {base}: "
                             + " ".join(fmt.format(v * scale) for v in r[:1])
                             + f" {unit} (" + fmt.format(r[1] * scale) + " to "
                             + fmt.format(r[2] * scale) + ")")
        rr = [r["reread"] for r in good("popvault") if r.get("reread")]
        if rr:
            ms = statistics.median(x["ms"] for x in rr)
            b = rr[0]["bytes"]
            lines.append(f"- re-read (popvault's own `-v` line): {rr[0]['frames']} frames, "
                         f"{b / 1e6:.1f} MB compressed, {rr[0]['verified']:,} messages verified, "
                         f"median {ms:.0f} ms (" + ", ".join(f"{x['ms']}" for x in rr) + " ms): "
                         + (f"{b / 1e6 / (ms / 1000):.0f} MB/s of archive, "
                            f"{mb / (ms / 1000):.0f} MB/s of message data" if ms else "—"))
        return lines

    def targets(self):
        out = []

        def row(name, value, ok):
            out.append(f"| {name} | {value} | {'—' if ok is None else ('yes' if ok else 'no')} |")

        def r(s, a, b):
            x, y = self.med(s, a), self.med(s, b)
            return (x / y) if x and y else None

        for s in ("a", "b"):
            v = r(s, "popvault", "mpop")
            row(f"({s}) popvault ≤ 0.8 × mpop", f"{v:.2f} ×" if v else "—", v <= 0.8 if v else None)
        v = r("c", "popvault", "mpop")
        row("(c) popvault ≤ 1.0 × mpop", f"{v:.2f} ×" if v else "—", v <= 1.0 if v else None)
        for p in ("fetchmail", "getmail6"):
            v = r("c", p, "popvault")
            row(f"(c) popvault ≥ 20 × faster than {p}", f"{v:.1f} ×" if v else "—",
                v >= 20 if v else None)
        v = self.med("d", "popvault")
        row("(d) no-op run ≤ 0.4 s", f"{v:.2f} s" if v else "—", v <= 0.4 if v else None)
        v = r("d", "popvault", "hello")
        row("(d) no-op run ≤ 1.5 × java -jar picocli hello", f"{v:.2f} ×" if v else "—",
            v <= 1.5 if v else None)
        v = self.med("e", "popvault", "rss")
        row("(e) peak RSS ≤ 200 MB for the 200 MB message", f"{v / 1024:.0f} MB" if v else "—",
            v / 1024 <= 200 if v else None)
        # Issue #13: TLS, a real round trip, short runs.
        for s, label, limit in (("tls", "POP3S LAN, 100 MB", 1.0), ("sc", "POP3S at 50 ms RTT", 0.8),
                                ("sd", "no-op at 50 ms RTT, POP3S", 1.0),
                                ("big", "POP3S LAN, 800 MB", 0.8), ("a", "plaintext (a)", 1.0),
                                ("c", "plaintext (c), 50 ms RTT", 1.0)):
            v = r(s, "popvault", "mpop")
            row(f"{label}: popvault ≤ {limit} × mpop", f"{v:.2f} ×" if v else "—",
                v <= limit if v else None)
        peaks = [r_["rss"] for (s, t), rs in self.results.items() if t == "popvault"
                 for r_ in rs if r_["ok"] and r_.get("rss")]
        v = max(peaks) / 1024 if peaks else None
        row("popvault peak RSS ≤ 200 MB in every run", f"{v:.0f} MB (largest)" if v else "—",
            v <= 200 if v else None)
        return out


def code_rev(repo):
    """The last commit that changed what bin/popvault runs (sources, build, launcher)."""
    try:
        p = subprocess.run(["git", "-C", repo, "log", "-1", "--format=%h", "--", "src/main", "pom.xml",
                            "bin"], capture_output=True, timeout=30)
        return p.stdout.decode().strip() or "(this checkout)"
    except (OSError, subprocess.TimeoutExpired):
        return "(this checkout)"


def last_line(text):
    lines = [l.strip() for l in text.strip().splitlines() if l.strip() and "discouraged" not in l]
    return (lines[-1] if lines else "no output")[:200]


def wait_port(port):
    import socket
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"bench: nothing listens on 127.0.0.1:{port}")


def first_line(argv):
    try:
        p = subprocess.run(argv, capture_output=True, timeout=60)
        text = (p.stdout + p.stderr).decode("utf-8", "replace")
        lines = [l for l in text.splitlines() if l.strip() and "discouraged" not in l]
        return lines[0].strip() if lines else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not available"


def versions(repo):
    def pick(argv, pattern):
        line = first_line(argv)
        m = re.search(pattern, line)
        return m.group(1) if m else line

    return [
        "popvault " + pick([os.path.join(repo, "bin", "popvault"), "--version"], r"(\d[\w.+-]*)"),
        "mpop " + pick(["mpop", "--version"], r"(\d[\w.]*)"),
        "fetchmail " + pick(["fetchmail", "--version"], r"release (\d[\w.]*)"),
        "getmail6 " + pick(["getmail", "--version"], r"(\d[\w.]*)"),
        "Dovecot " + pick(["dovecot", "--version"], r"^(\S+)"),
        "OpenJDK " + pick(["java", "-version"], r'"([^"]+)"'),
        "Python " + platform.python_version(),
        "zstd " + pick(["zstd", "--version"], r"v(\d[\w.]*)"),
    ]


def load():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
    except OSError:
        mem_kb = 0
    osname = "?"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs (`nproc`: {first_line(['nproc'])}), {cpu}, "
            f"{mem_kb / 1024 / 1024:.1f} GiB RAM, {osname}, Linux {platform.release()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--pop3-port", type=int, required=True)
    ap.add_argument("--plain-port", type=int, required=True,
                    help="a Dovecot on the same mail that offers no STLS, for the plaintext rows")
    ap.add_argument("--pop3s-port", type=int, required=True)
    ap.add_argument("--proxy-port", type=int, required=True)
    ap.add_argument("--ca-file", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--slow-repeats", type=int)
    ap.add_argument("--only", default=DEFAULT_ONLY,
                    help="scenarios; 'delete' is not in the default set")
    ap.add_argument("--base-home", help="baseline: a built popvault checkout")
    ap.add_argument("--base-rev", help="baseline: its commit, for the table")
    ap.add_argument("--compare-base", action="store_true",
                    help="time the baseline in (a), (b), (c) and (d) too, not only in (delete)")
    args = ap.parse_args()
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    if args.slow_repeats is None:
        args.slow_repeats = 1 if args.quick else 3
    args.slow_repeats = min(args.slow_repeats, args.repeats)
    only = set(args.only.split(","))

    b = Bench(args)
    if not b.popvault_ok:
        print("bench: bin/popvault archive --help fails; timing the peers only", file=sys.stderr)
    # Dovecot builds its indexes on first access; warm every mailbox so no tool pays for that.
    for user in b.users:
        argv, env, _ = b.command("raw", user, args.plain_port, False, args.work)
        subprocess.run(argv, env=env, check=True, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    load_before = load()
    if "a" in only:
        b.scenario_a()
    if "tls" in only:
        b.scenario_tls()
    if "sc" in only:
        b.scenario_sc()
    kept_big = {}
    if "big" in only:
        kept_big = b.scenario_big() or {}
    if "sd" in only:
        b.scenario_sd(kept_big)
    kept = {}
    if "b" in only:
        kept = b.scenario_b() or {}
    if "c" in only:
        b.scenario_c()
    if "d" in only:
        b.scenario_d(kept)
    if "e" in only:
        b.scenario_e()
    if "delete" in only:
        b.scenario_delete()
    if "list" in only:
        b.scenario_list()
    if "export" in only:
        b.scenario_export()
    table = b.report()
    table += (f"\nLoad average (1, 5, 15 min) before: {load_before}; after: {load()} "
              f"(anything above 0 is other work sharing the {os.cpu_count()} CPUs).\n")
    table += f"\nBenchmark time: {(time.monotonic() - started) / 60:.1f} min.\n"
    print(table)
    results = os.path.join(b.bench, "results")
    os.makedirs(results, exist_ok=True)
    name = datetime.date.today().isoformat() + ("-quick" if args.quick else "") \
        + ("-delete" if only == {"delete"} else "") \
        + ("-list" if only == {"list"} else "") \
        + ("-export" if only == {"export"} else "") \
        + (f"-vs-{args.base_rev}" if b.args.compare_base and b.base_ok else "") + ".md"
    with open(os.path.join(results, name), "w") as f:
        f.write(table)
    print(f"bench: wrote bench/results/{name}", file=sys.stderr)
    if not args.quick and only == set(DEFAULT_ONLY.split(",")):
        update_docs(os.path.join(b.repo, "docs", "performance.md"), table)


def update_docs(path, table):
    """Replaces the text between the bench markers in docs/performance.md with the new table."""
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    try:
        with open(path) as f:
            doc = f.read()
    except OSError:
        return
    if begin not in doc or end not in doc:
        return
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    body = table.replace("# popvault benchmark", "### Latest run", 1).replace("\n## ", "\n#### ")
    with open(path, "w") as f:
        f.write(head + begin + "\n" + body + end + tail)
    print(f"bench: updated {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
