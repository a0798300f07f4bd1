#!/usr/bin/env bash
# tests/t-diff-tshark.sh: differential test of tcpsift against tshark.
#
# For every capture in samples/, in the shared public captures folder
# ($SHARED, skipped when absent) and for synthetic-tcp-edges.pcap (written
# by the generator below into the temporary directory), it extracts a
# cache, prints
# `tcpsift-analyze packets --format csv`, and compares every TCP packet's
# frame, stream, flags, seq, ack, len and win with what
#   tshark -n -r CAPTURE -Y tcp -T fields -E separator=, -E occurrence=f \
#     -e frame.number -e tcp.stream -e tcp.flags -e tcp.seq -e tcp.ack \
#     -e tcp.len -e tcp.window_size
# prints, and the number of connections (`conns`) with the number of
# conversations in `tshark -n -r CAPTURE -q -z conv,tcp`.
# One result line per capture: "diff-tshark <capture basename>".
#
# Normalisation (both sides, in the comparator below):
#   - flags: tshark's hex tcp.flags is turned into our letters FSRPAUECN
#     (F=0x001 ... N=0x100). The three reserved bits 0xe00 have no letter and
#     are dropped (tcpdump-heapoverflow-tcp_print.pcap sets them: 0x0d30).
#   - ack: when a packet has no ACK flag, its ack is not compared. tshark
#     then prints the raw header value, not a relative number (e.g.
#     zeek-fin_retransmission.pcap frame 5: RST, ack 2397663729), and it
#     prints 0 when the field is 0; the number carries no meaning.
#   - absent fields: tshark prints an empty field when the TCP header is cut
#     short (tcpdump-tcp_header_heapoverflow.pcap frame 1: ports only, even
#     tcp.stream is empty); an empty field equals an empty field, numbers are
#     compared as integers.
#   - seq/ack/win: compared exactly. tshark's relative numbers are modulo
#     2^32 (tcpdump-kday4.pcap frame 9: ack 4294959105 = -8191).
# Any other difference, including a packet present on one side only, makes
# the capture fail unless tests/known-differences.txt covers it.
#
# Captures that tshark cannot read (non-zero exit) and that SOURCES.md marks
# `unreadable` belong to the bad-input tests: they are skipped here. A
# capture tshark stops reading part-way (cut short) is compared on the
# packets tshark did print when our extractor accepts it.
#
# Usage: tests/t-diff-tshark.sh [CAPTURE...]   (default: all captures)
# Environment: JOBS=N captures at a time (default: number of CPUs).
# tshark output is cached per capture in the temporary directory only.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EXTRACT=$BIN/tcpsift-extract
ANALYZE=$BIN/tcpsift-analyze
KNOWN=$ROOT/tests/known-differences.txt

if ! command -v tshark >/dev/null 2>&1; then
	skip diff-tshark "tshark is not installed"
	finish
fi
if ! have_bin tcpsift-extract || ! have_bin tcpsift-analyze; then
	skip diff-tshark "no tcpsift-extract/tcpsift-analyze in $BIN (run make)"
	finish
fi
if ! command -v python3 >/dev/null 2>&1; then
	skip diff-tshark "python3 is not installed"
	finish
fi

echo "# $(tshark --version 2>/dev/null | head -n 1)"

cat >"$TMP/compare.py" <<'EOF'
"""Compare tcpsift's packets CSV with tshark's fields for one capture.

Prints detail lines, then "PASS diff-tshark NAME" or "FAIL ...: reason";
exits 0 on PASS, 1 on FAIL. See the header of t-diff-tshark.sh for the
normalisation rules.
"""
import csv
import sys

FIELDS = ("stream", "flags", "seq", "ack", "len", "win")
LETTERS = "FSRPAUECN"
SHOW = 8


def letters(bits):
    return "".join(c for i, c in enumerate(LETTERS) if bits >> i & 1)


def num(s):
    s = s.strip()
    if s == "":
        return ""
    try:
        return str(int(s, 0))
    except ValueError:
        return s


def tshark_rows(path):
    rows = {}
    with open(path, newline="") as f:
        for line in f:
            v = line.rstrip("\n").split(",")
            v += [""] * (7 - len(v))
            frame = int(v[0])
            flags = letters(int(v[2], 16) & 0x1ff) if v[2] else ""
            rows[frame] = {
                "stream": num(v[1]),
                "flags": flags,
                "seq": num(v[3]),
                "ack": num(v[4]) if "A" in flags else "-",
                "len": num(v[5]),
                "win": num(v[6]),
            }
    return rows


def our_rows(path):
    rows = {}
    dups = []
    with open(path, newline="") as f:
        rd = csv.DictReader(f)
        want = ("frame",) + FIELDS
        missing = [c for c in want if c not in (rd.fieldnames or [])]
        if missing:
            return None, "our CSV has no column " + ",".join(missing)
        for r in rd:
            frame = int(r["frame"])
            if frame in rows:
                dups.append(frame)
            flags = r["flags"].strip()
            rows[frame] = {
                "stream": num(r["stream"]),
                "flags": flags,
                "seq": num(r["seq"]),
                "ack": num(r["ack"]) if "A" in flags else "-",
                "len": num(r["len"]),
                "win": num(r["win"]),
            }
    if dups:
        return None, "our CSV repeats frame %d" % dups[0]
    return rows, None


def known_entries(path, name):
    out = []
    try:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                p = line.split(None, 3)
                if len(p) < 4:
                    print("  warning: %s:%d: malformed entry" % (path, n))
                    continue
                if p[0] == name:
                    out.append({"frame": p[1], "field": p[2],
                                "reason": p[3], "line": n, "used": 0})
    except FileNotFoundError:
        pass
    return out


def cover(known, frame, field):
    for k in known:
        if k["frame"] in ("*", str(frame)) and k["field"] in ("*", field):
            k["used"] += 1
            return k
    return None


def main():
    a = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    name = a["--name"]
    test = "diff-tshark " + name
    ts = tshark_rows(a["--tshark"])
    ours, err = our_rows(a["--ours"])
    if ours is None:
        print("FAIL %s: %s" % (test, err))
        return 1
    known = known_entries(a["--known"], name)

    mism = []   # (frame, field, ours, tshark)
    agree = 0
    both = sorted(set(ts) & set(ours))
    for fr in both:
        o, t = ours[fr], ts[fr]
        bad = [f for f in FIELDS if o[f] != t[f]]
        if not bad:
            agree += 1
        for f in bad:
            mism.append((fr, f, o[f], t[f]))
    for fr in sorted(set(ts) - set(ours)):
        mism.append((fr, "packet", "-", "present"))
    for fr in sorted(set(ours) - set(ts)):
        mism.append((fr, "packet", "present", "-"))
    mism.sort(key=lambda m: m[0])

    oc, tc = a["--ours-conns"], a["--tshark-conns"]
    if oc != tc:
        mism.append(("*", "conns", oc, tc))

    unexplained = []
    nknown = 0
    for m in mism:
        k = cover(known, m[0], m[1])
        if k:
            nknown += 1
        else:
            unexplained.append(m)

    print("  %s: tshark %d tcp packets, ours %d; compared %d, agree %d; "
          "conns ours %s tshark %s; mismatches %d (%d known)"
          % (name, len(ts), len(ours), len(both), agree, oc, tc,
             len(mism), nknown))
    if a.get("--note"):
        print("  note: " + a["--note"])
    for k in known:
        if k["used"]:
            print("  known (%d): %s %s: %s"
                  % (k["used"], k["frame"], k["field"], k["reason"]))
        else:
            print("  note: known-differences.txt:%d not needed any more: "
                  "%s %s %s" % (k["line"], name, k["frame"], k["field"]))
    if unexplained:
        byfield = {}
        for m in unexplained:
            byfield[m[1]] = byfield.get(m[1], 0) + 1
        print("  unexplained by field: " + ", ".join(
            "%s %d" % kv for kv in sorted(byfield.items())))
        for m in unexplained[:SHOW]:
            print("  mismatch frame %s %s: ours=%s tshark=%s" % m)
        if len(unexplained) > SHOW:
            print("  ... %d more" % (len(unexplained) - SHOW))
        m = unexplained[0]
        print("FAIL %s: %d unexplained mismatches, first frame %s %s "
              "(ours=%s tshark=%s)" % ((test, len(unexplained)) + m))
        return 1
    print("PASS " + test)
    return 0


sys.exit(main())
EOF

# synthetic-tcp-edges.pcap is written here at each run: the rules no public
# capture exercises (port reuse, SYN/ACK rebasing, window-scale corners,
# TCP quoted in ICMP errors).
cat >"$TMP/edges.py" <<'PYEOF'
"""Write synthetic-tcp-edges.pcap: hand-made TCP edge cases (stdlib only).

Each case has its own client port (10.0.0.1:PORT -> 10.0.0.2:80), so cases
never disturb each other; frame numbers are stable (known-differences.txt
refers to them). Cases, by client port:
 1001 FIN close, new SYN with a new ISN: new stream
 1002 RST, SYN with the same ISN (a retransmission, same stream), then a
      SYN/ACK with a new ISN: it rebases the server's relative seq
 1003 RST from the server, new SYN with a new ISN: new stream
 1004 SYN retransmitted with the same ISN: same stream
 1005 SYN, second SYN with another ISN before any answer: new stream
 1006 mid-flow start (no SYN), then a SYN: new stream
 1007 after a handshake the server sends a SYN on the same ports: new stream
 1008 first packet from the server, no handshake: both relative seqs from 1
 1009 SYN/ACK retransmitted with a new ISN: rebases, same stream
 1010 mid-flow first packet seq S, then SYN with seq S-1: same stream
 1011 wscale on SYN only: no scaling either way
 1012 wscale on SYN/ACK only: no scaling either way
 1013 wscale 15 (clamped to 14) and 0
 1014 SYN/ACK with wscale 5, SYN not seen: server scaled, client not
 1015 SYN with wscale 4, SYN/ACK not seen: client scaled, server not
 1016 data on the SYN (TFO style), FIN both ways
 1017 keep-alive (seq - 1), RST+ACK
 1018 FIN close, then mid-flow data on the same ports: same stream
 3001 server mid-flow packet first, then SYN/ACK with another seq: rebase
 3002 SYN/ACK acking SYN+2001: client relative numbers keep SYN's base
 3003 client ACK first (server base from ack-1), then SYN/ACK: rebase
 3004 SYN/ACK first, then a SYN with another ISN: new stream
 3005 SYN, bare RST (seq 0) from the server, then SYN/ACK: rebase
 2001 data, then two ICMP port-unreachable errors quoting it (8 bytes of
      TCP, then the whole segment), then an ACK
"""
import struct
import sys

LETTER = {c: 1 << i for i, c in enumerate("FSRPAUECN")}
CLI, SRV, RTR = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), bytes([10, 0, 0, 254])


def csum(b):
    b += b"\0" * (len(b) & 1)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def tcp(src, sp, dst, dp, flags, seq, ack, win=1000, data=b"", ws=None):
    opts = b"" if ws is None else bytes([3, 3, ws, 1])
    t = struct.pack("!HHIIHHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff,
                    (20 + len(opts)) // 4 << 12 | sum(LETTER[c] for c in flags),
                    win, 0, 0) + opts + data
    ph = struct.pack("!4s4sBBH", src, dst, 0, 6, len(t))
    return ipv4(src, dst, 6, t[:16] + struct.pack("!H", csum(ph + t)) + t[18:])


def icmp_unreach(quoted):
    m = struct.pack("!BBHI", 3, 3, 0, 0) + quoted
    m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
    return ipv4(RTR, CLI, 1, m)


frames = []


def case(port, pkts):
    for d, flags, seq, ack, *kw in pkts:
        ends = (CLI, port, SRV, 80) if d == ">" else (SRV, 80, CLI, port)
        frames.append(tcp(*ends, flags, seq, ack, **(kw[0] if kw else {})))


case(1001, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001), (">", "A", 1001, 5001),
            (">", "FA", 1001, 5001), ("<", "FA", 5001, 1002), (">", "A", 1002, 5002),
            (">", "S", 9000, 0), ("<", "SA", 7000, 9001), (">", "A", 9001, 7001)])
case(1002, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001), (">", "A", 1001, 5001),
            (">", "RA", 1001, 5001), (">", "S", 1000, 0), ("<", "SA", 6000, 1001),
            (">", "A", 1001, 6001)])
case(1003, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001), (">", "A", 1001, 5001),
            ("<", "R", 5001, 0), (">", "S", 3000, 0), ("<", "SA", 8000, 3001)])
case(1004, [(">", "S", 1000, 0), (">", "S", 1000, 0), ("<", "SA", 5000, 1001),
            (">", "A", 1001, 5001)])
case(1005, [(">", "S", 1000, 0), (">", "S", 2000, 0), ("<", "SA", 5000, 2001),
            (">", "A", 2001, 5001)])
case(1006, [(">", "PA", 1000, 5000, {"data": b"abc"}), ("<", "A", 5000, 1003),
            (">", "S", 77777, 0), ("<", "SA", 88888, 77778)])
case(1007, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001), (">", "A", 1001, 5001),
            ("<", "S", 4444, 0), (">", "SA", 3333, 4445)])
case(1008, [("<", "PA", 5000, 1000, {"data": b"hello"}), (">", "A", 1000, 5005),
            (">", "PA", 1000, 5005, {"data": b"xy"})])
case(1009, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001), ("<", "SA", 6000, 1001),
            (">", "A", 1001, 6001)])
case(1010, [(">", "A", 1001, 5001), (">", "S", 1000, 0), ("<", "SA", 5000, 1001)])
W = {"win": 100}
case(1011, [(">", "S", 1000, 0, {"ws": 2}), ("<", "SA", 5000, 1001),
            (">", "A", 1001, 5001, W), ("<", "A", 5001, 1001, W)])
case(1012, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001, {"ws": 3}),
            (">", "A", 1001, 5001, W), ("<", "A", 5001, 1001, W)])
case(1013, [(">", "S", 1000, 0, {"ws": 15}), ("<", "SA", 5000, 1001, {"ws": 0}),
            (">", "A", 1001, 5001, W), ("<", "A", 5001, 1001, W)])
case(1014, [("<", "SA", 5000, 1001, {"ws": 5}), (">", "A", 1001, 5001, W),
            ("<", "A", 5001, 1001, W)])
case(1015, [(">", "S", 1000, 0, {"ws": 4}), (">", "A", 1001, 5001, W),
            ("<", "A", 5001, 1001, W)])
case(1016, [(">", "S", 1000, 0, {"data": b"abcd"}), ("<", "SA", 5000, 1005),
            (">", "FA", 1005, 5001), ("<", "FA", 5001, 1006), (">", "A", 1006, 5002)])
case(1017, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001), (">", "A", 1000, 5001),
            ("<", "RA", 5001, 1001)])
case(1018, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001), (">", "FA", 1001, 5001),
            ("<", "FA", 5001, 1002), (">", "A", 1002, 5002),
            (">", "PA", 50000, 60000, {"data": b"z"})])
case(3001, [("<", "A", 100, 200), ("<", "SA", 7000, 1001), (">", "A", 1001, 7001)])
case(3002, [(">", "S", 1000, 0), ("<", "SA", 5000, 3001), (">", "A", 3001, 5001),
            (">", "A", 1001, 5001)])
case(3003, [(">", "A", 1001, 5000), ("<", "SA", 7000, 1001), (">", "A", 1001, 7001)])
case(3004, [("<", "SA", 5000, 1001), (">", "S", 3000, 0), (">", "A", 1001, 5001)])
case(3005, [(">", "S", 1000, 0), ("<", "R", 0, 0), ("<", "SA", 5000, 1001),
            (">", "A", 1001, 5001)])
case(2001, [(">", "S", 1000, 0), ("<", "SA", 5000, 1001),
            (">", "PA", 1001, 5001, {"data": b"hello"})])
quoted = tcp(CLI, 2001, SRV, 80, "PA", 1006, 5001, data=b"more")
frames.append(icmp_unreach(quoted[:28]))
frames.append(icmp_unreach(quoted))
case(2001, [("<", "A", 5001, 1006)])

ETH = bytes([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 8, 0])
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        fr = ETH + fr
        f.write(struct.pack("<IIII", 1500000000 + i, 0, len(fr), len(fr)) + fr)
PYEOF

# Captures SOURCES.md marks as unreadable (fmt column), one name a line.
unreadable=$TMP/unreadable.txt
: >"$unreadable"
if [ -f "$SHARED/SOURCES.md" ]; then
	awk -F'|' '$7 ~ /^ *unreadable *$/ { gsub(/ /, "", $2); print $2 }' \
		"$SHARED/SOURCES.md" >"$unreadable"
fi

caps=()
if [ $# -gt 0 ]; then
	caps=("$@")
else
	for f in "$ROOT"/samples/*.pcap* "$ROOT"/samples/*.cap; do
		[ -f "$f" ] && caps+=("$f")
	done
	if have_shared; then
		for f in "$SHARED"/*.pcap* "$SHARED"/*.cap; do
			[ -f "$f" ] && caps+=("$f")
		done
	else
		skip "diff-tshark shared" "no shared captures folder at $SHARED"
	fi
	mkdir -p "$TMP/synthetic"
	if python3 "$TMP/edges.py" "$TMP/synthetic/synthetic-tcp-edges.pcap"; then
		caps+=("$TMP/synthetic/synthetic-tcp-edges.pcap")
	else
		fail "diff-tshark synthetic-tcp-edges.pcap" "cannot write the synthetic capture"
	fi
fi
if [ ${#caps[@]} -eq 0 ]; then
	skip diff-tshark "no captures found"
	finish
fi

# first_line FILE: the first line of FILE that is not tshark's root warning.
first_line() { grep -v '^Running as user' "$1" | head -n 1; }

# check_capture CAPTURE DIR: compare one capture; DIR is its scratch dir.
check_capture() {
	local cap=$1 d=$2 name test trc erc terr note tconv oconv
	name=$(basename "$cap")
	test="diff-tshark $name"
	mkdir -p "$d"

	# One tshark pass: the packet fields, then the conv,tcp table (its tap
	# sees every packet whatever -Y says; checked equal to a -q pass).
	tshark -n -r "$cap" -Y tcp -T fields -E separator=, -E occurrence=f \
		-e frame.number -e tcp.stream -e tcp.flags -e tcp.seq \
		-e tcp.ack -e tcp.len -e tcp.window_size -z conv,tcp \
		>"$d/tshark.out" 2>"$d/tshark.err"
	trc=$?
	grep -E '^[0-9]+,' "$d/tshark.out" >"$d/tshark.csv"
	tconv=$(grep -c '<->' "$d/tshark.out")
	terr=$(first_line "$d/tshark.err")
	if [ "$trc" -ne 0 ] && grep -qxF "$name" "$unreadable"; then
		skip "$test" "unreadable by design (bad-input test): $terr"
		return
	fi

	"$EXTRACT" -q -o "$d/c.sift" "$cap" >/dev/null 2>"$d/extract.err"
	erc=$?
	if [ "$erc" -ne 0 ]; then
		if [ "$trc" -ne 0 ]; then
			skip "$test" "both reject it: tshark: $terr; ours: $(head -n 1 "$d/extract.err")"
		else
			fail "$test" "tcpsift-extract exited $erc: $(head -n 1 "$d/extract.err")"
		fi
		return
	fi
	note=
	[ "$trc" -ne 0 ] && note="tshark stopped early ($terr); comparing the packets it printed"

	if ! "$ANALYZE" packets --format csv "$d/c.sift" >"$d/ours.csv" 2>"$d/analyze.err"; then
		fail "$test" "tcpsift-analyze packets failed: $(head -n 1 "$d/analyze.err")"
		return
	fi
	if ! "$ANALYZE" conns --format csv "$d/c.sift" >"$d/conns.csv" 2>"$d/analyze.err"; then
		fail "$test" "tcpsift-analyze conns failed: $(head -n 1 "$d/analyze.err")"
		return
	fi
	oconv=$(($(wc -l <"$d/conns.csv") - 1))
	[ "$oconv" -lt 0 ] && oconv=0

	python3 "$TMP/compare.py" --name "$name" --known "$KNOWN" \
		--tshark "$d/tshark.csv" --ours "$d/ours.csv" \
		--ours-conns "$oconv" --tshark-conns "$tconv" --note "$note"
	[ $? -le 1 ] || fail "$test" "comparator crashed"
}

# Captures run $JOBS at a time (default: the number of CPUs); each writes
# its lines to its own file, printed afterwards in capture order.
jobs_max=${JOBS:-$(nproc 2>/dev/null || echo 2)}
n=0
for cap in "${caps[@]}"; do
	n=$((n + 1))
	check_capture "$cap" "$TMP/$n" >"$TMP/$n.out" 2>&1 &
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
done
wait
for i in $(seq 1 "$n"); do
	cat "$TMP/$i.out"
	grep -q '^FAIL ' "$TMP/$i.out" && _lib_failed=$((_lib_failed + 1))
done
finish
