#!/usr/bin/env bash
# t-analysis-tshark.sh - tcpsift's TCP analysis against tshark's
# tcp.analysis.* on every capture in samples/ and ../shared/pcaps/
# (skipped cleanly when absent).
#
# For each analysis flag it prints how many packets tshark flags, how many
# we flag and how many both flag, over the whole set, and passes when both
# agreements (both/tshark and both/ours) are at least 99.5% for every flag
# and every remaining difference is listed in tests/known-differences.txt
# (field `analysis` or `ack_rtt`).  ack_rtt must agree to the nanosecond on
# every packet where both have one (tshark omits a zero ack_rtt; so do we).
source "$(dirname "$0")/lib.sh"

command -v tshark >/dev/null || { skip analysis-tshark "tshark not installed"; finish; }
caps=("$ROOT"/samples/*.pcap*)
if have_shared; then
	caps+=("$SHARED"/*.pcap "$SHARED"/*.pcapng)
else
	skip "analysis-tshark shared" "no $SHARED"
fi

for cap in "${caps[@]}"; do
	base=$(basename "$cap")
	rm -f "$TMP/c.sift"
	"$BIN/tcpsift-extract" -q -o "$TMP/c.sift" "$cap" 2>/dev/null
	if [ -f "$TMP/c.sift" ]; then
		"$BIN/tcpsift-analyze" packets --format csv "$TMP/c.sift" >"$TMP/$base.ours" 2>/dev/null
	else
		: >"$TMP/$base.ours"
	fi
	tshark -n -r "$cap" -Y tcp -T fields -E separator=/t -E occurrence=f \
		-e frame.number \
		-e tcp.analysis.retransmission -e tcp.analysis.fast_retransmission \
		-e tcp.analysis.spurious_retransmission -e tcp.analysis.out_of_order \
		-e tcp.analysis.lost_segment -e tcp.analysis.ack_lost_segment \
		-e tcp.analysis.duplicate_ack -e tcp.analysis.zero_window \
		-e tcp.analysis.zero_window_probe -e tcp.analysis.zero_window_probe_ack \
		-e tcp.analysis.window_full -e tcp.analysis.window_update \
		-e tcp.analysis.keep_alive -e tcp.analysis.keep_alive_ack \
		-e tcp.analysis.reused_ports -e tcp.analysis.ack_rtt \
		-e tcp.analysis.duplicate_ack_num \
		>"$TMP/$base.tshark" 2>/dev/null
	echo "$base" >>"$TMP/list"
done

python3 - "$TMP" "$ROOT/tests/known-differences.txt" <<'PY'
import csv, os, sys
tmp, known_path = sys.argv[1], sys.argv[2]
FLAGS = ["retransmission", "fast_retransmission", "spurious_retransmission",
         "out_of_order", "lost_segment", "ack_lost_segment", "duplicate_ack",
         "zero_window", "zero_window_probe", "zero_window_probe_ack",
         "window_full", "window_update", "keep_alive", "keep_alive_ack",
         "reused_ports"]
known = set()
for line in open(known_path):
    w = line.split()
    if w and not line.startswith("#") and w[2] in ("analysis", "ack_rtt"):
        known.add((w[0], w[1], w[2]))
tot = {f: [0, 0, 0] for f in FLAGS}
bad, rtt_n, rtt_ok, dup_ok, dup_n = [], 0, 0, 0, 0
for base in open(os.path.join(tmp, "list")).read().split():
    t = {}
    for line in open(os.path.join(tmp, base + ".tshark")):
        c = line.rstrip("\n").split("\t")
        if not c[0]:
            continue
        t[int(c[0])] = ({f for f, v in zip(FLAGS, c[1:16]) if v}, c[16], c[17])
    o = {}
    for r in csv.DictReader(open(os.path.join(tmp, base + ".ours"))):
        o[int(r["frame"])] = (set(x for x in r["analysis"].split("+") if x),
                              r["ack_rtt"], r["dupack"])
    for fr in sorted(set(t) | set(o)):
        tf, trtt, tdup = t.get(fr, (set(), "", ""))
        of, ortt, odup = o.get(fr, (set(), "", ""))
        if fr not in o or fr not in t:
            continue    # packets on one side only: t-diff-tshark's business
        for f in FLAGS:
            a, b = f in tf, f in of
            tot[f][0] += a
            tot[f][1] += b
            tot[f][2] += a and b
        if tf != of and (base, str(fr), "analysis") not in known:
            bad.append(f"{base} frame {fr}: tshark {'+'.join(sorted(tf)) or '-'}, ours {'+'.join(sorted(of)) or '-'}")
        if trtt or ortt:
            rtt_n += 1
            same = trtt and ortt and round(float(trtt) * 1e9) == round(float(ortt) * 1e9)
            rtt_ok += bool(same)
            if not same and (base, str(fr), "ack_rtt") not in known:
                bad.append(f"{base} frame {fr}: ack_rtt tshark '{trtt}', ours '{ortt}'")
        if tdup or odup:
            dup_n += 1
            dup_ok += tdup == odup
            if tdup != odup:
                bad.append(f"{base} frame {fr}: duplicate ACK number tshark '{tdup}', ours '{odup}'")
print(f"  {'flag':25s} {'tshark':>7s} {'ours':>7s} {'both':>7s}")
low = []
for f in FLAGS:
    a, b, c = tot[f]
    print(f"  {f:25s} {a:7d} {b:7d} {c:7d}")
    if (a and c / a < 0.995) or (b and c / b < 0.995):
        low.append(f)
print(f"  ack_rtt: {rtt_ok} of {rtt_n} packets agree to the ns; duplicate ACK numbers: {dup_ok} of {dup_n}")
for line in bad[:20]:
    print("  " + line)
if low:
    print(f"FAIL analysis-tshark agreement: below 99.5% for {', '.join(low)}")
else:
    print("PASS analysis-tshark agreement (every flag at least 99.5% both ways)")
if bad:
    print(f"FAIL analysis-tshark differences: {len(bad)} not listed in tests/known-differences.txt, first: {bad[0]}")
else:
    print("PASS analysis-tshark differences (all listed)")
PY
finish
