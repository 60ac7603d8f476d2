#!/usr/bin/env bash
# Benchmarks popvault against mpop, fetchmail and getmail6 on one private Dovecot (issue #4).
#
# In one run it installs the Debian packages it needs, starts Dovecot on 127.0.0.1 from
# bench/dovecot.conf.template, generates seeded corpora with bench/gencorpus.py, times every tool on the
# same mailboxes (interleaved, several repeats) with bench/bench.py, prints a Markdown table and writes it
# to bench/results/<date>.md. Must run as root (apt-get; Dovecot starts as root and drops to nobody).
# Network: 127.0.0.1 only (plus the package mirror for apt-get).
#
# Usage: bench/run.sh [--quick] [--repeats N] [--slow-repeats N] [--only a,tls,sc,big,sd,b,c,d,e,delete]
#                     [--base-rev REV] [--work DIR] [--no-install] [--keep-work] [--setup-only]
# Default set: a,tls,sc,big,sd,b,c,d,e. tls, sc (50 ms RTT), big (800 MB) and sd (no-op at 50 ms RTT) use
# POP3S; sc, big and sd time popvault and mpop only.
# --setup-only leaves Dovecot running with the corpora (stop it: kill $(cat WORK/dovecot/run/master.pid)).
# --only list (not in the default set) times `popvault list` of a 50,000-message mailbox (headers by TOP)
# against `mpop --status-only`, with peak RSS.
# --only export (not in the default set) times `popvault export` of one message out of a 1 GB archive
# against decompressing the whole archive with zstd.
# --only delete (not in the default set) times `archive --delete` of messages archived by an earlier run
# against mpop and popvault built from POPVAULT_BENCH_BASE_REV (default 6d90fb2, before M7's re-read).
# --base-rev REV also times popvault built from REV in (a), (b), (c) and (d), interleaved with this
# checkout's, and reports after/before ratios (paired per repeat); it is the (delete) baseline too.
set -euo pipefail

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
work="${POPVAULT_BENCH_WORK:-/var/tmp/popvault-bench}"
pop3_port="${POPVAULT_BENCH_POP3_PORT:-21110}"
pop3s_port="${POPVAULT_BENCH_POP3S_PORT:-21995}"
proxy_port="${POPVAULT_BENCH_PROXY_PORT:-21150}"
plain_port="${POPVAULT_BENCH_PLAIN_PORT:-21111}"
base_rev="${POPVAULT_BENCH_BASE_REV:-6d90fb2}"
compare_base=0
only="a,tls,sc,big,sd,b,c,d,e"
install=1
keep_work=0
setup_only=0
quick=0
py_args=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; py_args+=(--quick) ;;
    --repeats|--slow-repeats) py_args+=("$1" "$2"); shift ;;
    --only) only="$2"; py_args+=("$1" "$2"); shift ;;
    --base-rev) base_rev="$2"; compare_base=1; shift ;;
    --work) work="$2"; shift ;;
    --no-install) install=0 ;;
    --keep-work) keep_work=1 ;;
    --setup-only) setup_only=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done

if [[ $(id -u) -ne 0 ]]; then
  echo "run.sh: must run as root (installs packages; Dovecot starts as root and drops privileges)" >&2
  exit 77
fi

if [[ $install -eq 1 ]]; then
  pkgs=(dovecot-pop3d mpop fetchmail getmail6 zstd time openssl python3 unzip)
  command -v javac >/dev/null || pkgs+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || pkgs+=(maven)
  echo "run.sh: installing ${pkgs[*]}" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2
fi

# wants X: is scenario X among --only? Corpora and builds that no chosen scenario uses are skipped.
wants() { [[ ",$only," == *",$1,"* ]]; }

# The work tree is ours alone: wipe it so every run starts from the same corpus and no tool state.
case "$work" in /|/tmp|/var/tmp|/root|"") echo "run.sh: refusing work dir $work" >&2; exit 64 ;; esac
dovecot_conf="$work/dovecot/dovecot.conf"
stop_dovecot() {
  for d in dovecot dovecot-plain; do
    if [[ -f "$work/$d/run/master.pid" ]]; then
      kill "$(cat "$work/$d/run/master.pid")" 2>/dev/null || true
      for _ in $(seq 50); do [[ -f "$work/$d/run/master.pid" ]] || break; sleep 0.1; done
    fi
  done
}
stop_dovecot
rm -rf "$work"
mkdir -p "$work"/{dovecot/run,dovecot/state,dovecot-plain/run,dovecot-plain/state,tls,mail,tools}
chmod 0755 "$work" "$work/mail"

cleanup() {
  stop_dovecot
  if [[ $keep_work -eq 0 ]]; then rm -rf "$work/mail" "$work/tools" "$work/pristine"; fi
}
trap cleanup EXIT

# TLS: a private CA and a server certificate for 127.0.0.1 (popvault verifies the host name strictly).
(
  cd "$work/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=popvault bench CA" \
    -keyout ca.key -out ca.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' > ext.cnf
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -extfile ext.cnf -out server.pem 2>/dev/null
  chmod 0600 server.key ca.key
)

# One mail user per corpus; {PLAIN} passwords are fine for a throwaway local server.
password="bench-pw"
: > "$work/dovecot/passwd"
for user in a b c d e l x r g; do
  echo "bench$user:{PLAIN}$password" >> "$work/dovecot/passwd"
done
chgrp dovecot "$work/dovecot/passwd"
chmod 0640 "$work/dovecot/passwd"

sed -e "s|@WORK@|$work|g" -e "s|@POP3_PORT@|$pop3_port|g" -e "s|@POP3S_PORT@|$pop3s_port|g" \
  "$bench/dovecot.conf.template" > "$dovecot_conf"

# Corpora (seeded; regenerated every run): (a) ~100 MB / 2,000; (b) 10,000 small, ~84 MB;
# (c) the first 1,000 messages of (a), served through the delay proxy; (e) one 200 MB message;
# (delete) the (b) corpus again, kept pristine under pristine/ so bench.py can re-deliver it before each run.
if [[ $quick -eq 1 ]]; then
  a_count=500; a_bytes=25000000; b_count=2500; b_bytes=21000000; c_count=200; e_bytes=200000000
  l_count=10000; l_bytes=20000000; x_count=2500; x_bytes=250000000
  r_count=200; r_bytes=16000000; g_count=2000; g_bytes=200000000
else
  a_count=2000; a_bytes=100000000; b_count=10000; b_bytes=84000000; c_count=1000; e_bytes=200000000
  l_count=50000; l_bytes=100000000; x_count=10000; x_bytes=1000000000
  r_count=500; r_bytes=41000000; g_count=8000; g_bytes=800000000
fi
gen() { /usr/bin/python3 "$bench/gencorpus.py" "$@"; }
if wants a || wants tls || wants c; then
  gen --maildir "$work/mail/bencha/Maildir" --count "$a_count" --bytes "$a_bytes" --seed 1
fi
if wants b || wants d; then
  gen --maildir "$work/mail/benchb/Maildir" --count "$b_count" --bytes "$b_bytes" --seed 2
fi
if wants c; then
  mkdir -p "$work/mail/benchc/Maildir"/{cur,new,tmp}
  find "$work/mail/bencha/Maildir/cur" -type f | sort | awk -v n="$c_count" 'NR <= n' \
    | xargs cp -t "$work/mail/benchc/Maildir/cur"
fi
if wants sc; then
  gen --maildir "$work/mail/benchr/Maildir" --count "$r_count" --bytes "$r_bytes" --seed 3
fi
if wants big || wants sd; then
  gen --maildir "$work/mail/benchg/Maildir" --count "$g_count" --bytes "$g_bytes" --seed 8
fi
if wants list; then
  gen --maildir "$work/mail/benchl/Maildir" --count "$l_count" --bytes "$l_bytes" --seed 6
fi
if wants export; then
  gen --maildir "$work/mail/benchx/Maildir" --count "$x_count" --bytes "$x_bytes" --seed 7
fi
if wants e; then
  gen --maildir "$work/mail/benche/Maildir" --count 1 --bytes "$e_bytes" --seed 5 --big
fi
if wants delete; then
  gen --maildir "$work/pristine/benchd/Maildir" --count "$b_count" --bytes "$b_bytes" --seed 2
  mkdir -p "$work/mail/benchd"
  cp -a "$work/pristine/benchd/Maildir" "$work/mail/benchd/Maildir"
  chown -R nobody:nogroup "$work/pristine"
fi
chown -R nobody:nogroup "$work/mail"

# Dovecot daemonizes; keep its stdio off our pipes so a caller reading our output is not held open.
if ! dovecot -c "$dovecot_conf" </dev/null >"$work/dovecot/start.log" 2>&1; then
  cat "$work/dovecot/start.log" >&2
  exit 69
fi
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$pop3_port") 2>/dev/null; then break; fi
  sleep 0.1
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$pop3_port") 2>/dev/null; then
  echo "run.sh: Dovecot did not start; see $work/dovecot/dovecot.log" >&2
  tail -20 "$work/dovecot/dovecot.log" >&2 || true
  exit 69
fi

# A second instance on the same maildirs offers no STLS at all: popvault never downgrades (it uses STLS
# whenever the server offers it, --allow-plaintext or not), so plaintext rows need a server without TLS to
# compare like with like.
sed -e "s|$work/dovecot/run|$work/dovecot-plain/run|" -e "s|$work/dovecot/state|$work/dovecot-plain/state|" \
  -e "s|$work/dovecot/dovecot.log|$work/dovecot-plain/dovecot.log|g" -e "s|^instance_name = .*|instance_name = popvault-bench-plain|" \
  -e "s|^ssl = yes|ssl = no|" -e "/^ssl_cert/d" -e "/^ssl_key/d" \
  -e "s|port = $pop3_port\$|port = $plain_port|" -e "s|port = $pop3s_port\$|port = 0|" \
  "$dovecot_conf" > "$work/dovecot-plain/dovecot.conf"
if ! dovecot -c "$work/dovecot-plain/dovecot.conf" </dev/null >"$work/dovecot-plain/start.log" 2>&1; then
  cat "$work/dovecot-plain/start.log" >&2
  exit 69
fi
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$plain_port") 2>/dev/null; then break; fi
  sleep 0.1
done

if [[ $setup_only -eq 1 ]]; then
  trap - EXIT
  echo "run.sh: Dovecot on 127.0.0.1:$pop3_port (STLS), :$pop3s_port (POP3S), :$plain_port (no TLS), users bench{a,b,c,e}," \
    "CA $work/tls/ca.pem, work dir $work" >&2
  exit 0
fi

# Build popvault before anything is timed (the launcher builds target/popvault.jar on first use).
# A full package also records the class-data-sharing archive that bin/popvault uses.
if [[ -f "$repo/pom.xml" ]]; then
  (cd "$repo" && mvn -B -q -DskipTests package >&2) || echo "run.sh: mvn package failed" >&2
fi
if ! "$repo/bin/popvault" --version >/dev/null; then
  echo "run.sh: bin/popvault does not run; the table will have no popvault column" >&2
fi

# (delete), and with --base-rev (a)-(d), compare with popvault built from an earlier commit: exported (not
# checked out) from this repository's history and built with the same Maven command;
# POPVAULT_BENCH_BASE_HOME may name a checkout that is built already. It runs through its own
# bin/popvault, which is the same launcher.
if [[ $compare_base -eq 1 ]] && { wants a || wants b || wants c || wants d; }; then
  py_args+=(--compare-base)
else
  compare_base=0
fi
if wants delete || [[ $compare_base -eq 1 ]]; then
  base_home="${POPVAULT_BENCH_BASE_HOME:-}"
  if [[ -z "$base_home" ]]; then
    base_home="$work/tools/base"
    mkdir -p "$base_home"
    if git -C "$repo" archive "$base_rev" | tar -x -C "$base_home"; then
      echo "run.sh: building popvault at $base_rev for the baseline" >&2
      (cd "$base_home" && { mvn -B -o -q package -DskipTests >&2 || mvn -B -q package -DskipTests >&2; }) \
        || echo "run.sh: mvn package of $base_rev failed" >&2
    else
      echo "run.sh: cannot export $base_rev from $repo; running without the baseline" >&2
    fi
  fi
  py_args+=(--base-home "$base_home" --base-rev "$(git -C "$repo" rev-parse --short "$base_rev" 2>/dev/null || echo "$base_rev")")
fi

/usr/bin/python3 "$bench/bench.py" \
  --repo "$repo" --work "$work" --password "$password" \
  --pop3-port "$pop3_port" --pop3s-port "$pop3s_port" --plain-port "$plain_port" --proxy-port "$proxy_port" \
  --ca-file "$work/tls/ca.pem" "${py_args[@]}"
