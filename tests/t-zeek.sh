#!/usr/bin/env bash
# t-zeek.sh - conn_state and history against Zeek's own conn.log baselines
# (../shared/pcaps/reference/zeek-*.conn.log, from Zeek's test suite; see
# SOURCES.md), for every TCP connection in them.  Connections are matched
# by their 4-tuple in either order; remaining differences must be listed
# in tests/known-differences.txt (fields conn_state or history, with the
# frame column holding Zeek's orig_h:orig_p).
source "$(dirname "$0")/lib.sh"

have_shared || { skip zeek "no $SHARED"; finish; }
ref=$SHARED/reference
for log in "$ref"/zeek-*.conn.log; do
	name=$(basename "$log" .conn.log)
	cap=$(ls "$SHARED/$name".pcap* 2>/dev/null | head -1)
	[ -n "$cap" ] || { skip "zeek $name" "no capture for $log"; continue; }
	rm -f "$TMP/z.sift"
	if ! "$BIN/tcpsift-extract" -q -o "$TMP/z.sift" "$cap" 2>"$TMP/err"; then
		fail "zeek $name" "extract failed: $(head -1 "$TMP/err")"
		continue
	fi
	"$BIN/tcpsift-analyze" conns --format csv "$TMP/z.sift" >"$TMP/ours.csv"
	python3 - "$log" "$TMP/ours.csv" "$ROOT/tests/known-differences.txt" "$(basename "$cap")" <<'PY'
import csv, sys
log, ours_path, known_path, capname = sys.argv[1:5]
fields, rows = None, []
for line in open(log):
    line = line.rstrip("\n")
    if line.startswith("#fields"):
        fields = line.split("\t")[1:]
    elif line and not line.startswith("#") and fields:
        r = dict(zip(fields, line.split("\t")))
        if r.get("proto") == "tcp":
            rows.append(r)
known = set()
for line in open(known_path):
    w = line.split()
    if w and not line.startswith("#") and w[0] == capname and w[2] in ("conn_state", "history"):
        known.add((w[1], w[2]))
ours = {}
for r in csv.DictReader(open(ours_path)):
    a, b = (r["client"], r["cport"]), (r["server"], r["sport"])
    ours[frozenset([a, b])] = r
n = ok = listed = 0
bad = []
for z in rows:
    key = frozenset([(z["id.orig_h"], z["id.orig_p"]), (z["id.resp_h"], z["id.resp_p"])])
    o = ours.get(key)
    tag = f'{z["id.orig_h"]}:{z["id.orig_p"]}'
    n += 1
    if not o:
        bad.append(f"{tag}: no such connection in the cache")
        continue
    good = True
    for f in ("conn_state", "history"):
        if o[f] != z[f]:
            good = False
            if (tag, f) in known:
                listed += 1
            else:
                bad.append(f"{tag} {f}: ours '{o[f]}', Zeek '{z[f]}'")
    ok += good
print(f"  {capname}: {n} TCP connections in Zeek's log, {ok} agree, {listed} listed differences")
for b in bad[:8]:
    print("  " + b)
name = capname.rsplit(".", 1)[0]
if bad:
    print(f"FAIL zeek {name}: {len(bad)} differences not listed, first: {bad[0]}")
else:
    print(f"PASS zeek {name}")
PY
done
finish
