#!/usr/bin/env bash
# t-cli.sh - command-line cases with expected output (after zstd's
# tests/cli-tests): each tests/cli/NAME.sh is run with bash in a scratch
# folder holding fresh caches of the samples (demo.sift, ipv6.sift,
# demo-8080.sift extracted with -f 'tcp port 8080', and handshake.sift,
# aborts.sift, zerowin.sift, lossy.sift from the ground-truth samples when
# they are there), with $EXTRACT and
# $ANALYZE set; its stdout must equal tests/cli/NAME.out and its exit
# status tests/cli/NAME.status (0 when that file is absent).  stderr is
# compared too when tests/cli/NAME.err exists.
#
#   bash tests/t-cli.sh --update    rewrite the .out/.err/.status files
source "$(dirname "$0")/lib.sh"

update=0
[ "${1:-}" = --update ] && update=1
export EXTRACT=$BIN/tcpsift-extract ANALYZE=$BIN/tcpsift-analyze ROOT_DIR=$ROOT

# deterministic caches: fixed capture mtime and extraction time
for s in demo ipv6; do
	cp "$ROOT/samples/$s.pcap" "$TMP/$s.pcap"
	touch -d @1700000000 "$TMP/$s.pcap"
done
(cd "$TMP" && export SOURCE_DATE_EPOCH=0 &&
	"$EXTRACT" -q demo.pcap && "$EXTRACT" -q ipv6.pcap &&
	"$EXTRACT" -q -f 'tcp port 8080' -o demo-8080.sift demo.pcap) || {
	fail cli "cannot extract the samples"
	finish
}
for s in handshake aborts zerowin lossy; do
	[ -f "$ROOT/samples/$s.pcap" ] || continue
	(cd "$TMP" && SOURCE_DATE_EPOCH=0 "$EXTRACT" -q -o "$s.sift" "$ROOT/samples/$s.pcap") ||
		fail cli "cannot extract samples/$s.pcap"
done

for case in "$ROOT"/tests/cli/*.sh; do
	name=cli-$(basename "$case" .sh)
	base=${case%.sh}
	(cd "$TMP" && TZ=UTC bash "$case") >"$TMP/out" 2>"$TMP/err"
	status=$?
	if [ "$update" = 1 ]; then
		cp "$TMP/out" "$base.out"
		if [ "$status" -ne 0 ]; then echo "$status" >"$base.status"; else rm -f "$base.status"; fi
		[ -s "$TMP/err" ] && cp "$TMP/err" "$base.err" || rm -f "$base.err"
		pass "$name (updated)"
		continue
	fi
	want_status=0
	[ -f "$base.status" ] && want_status=$(cat "$base.status")
	if [ "$status" != "$want_status" ]; then
		fail "$name" "exit status $status, expected $want_status; stderr: $(head -c 300 "$TMP/err")"
	elif ! diff -u "$base.out" "$TMP/out" >"$TMP/diff"; then
		head -20 "$TMP/diff" | sed 's/^/  /'
		fail "$name" "stdout differs from $(basename "$base").out"
	elif [ -f "$base.err" ] && ! diff -u "$base.err" "$TMP/err" >"$TMP/diff"; then
		head -10 "$TMP/diff" | sed 's/^/  /'
		fail "$name" "stderr differs from $(basename "$base").err"
	elif grep -q -e 'Sanitizer' -e 'runtime error' "$TMP/err"; then
		fail "$name" "sanitizer report: $(grep -m1 -e Sanitizer -e 'runtime error' "$TMP/err")"
	else
		pass "$name"
	fi
done
finish
