#!/usr/bin/env bash
# t-golden.sh - the committed golden caches of samples/ must match a fresh
# extraction, record for record.
#
# Extraction is made deterministic: the capture is copied with a fixed
# modification time and extracted under a fixed SOURCE_DATE_EPOCH, by its
# bare file name.  The comparison is of sift-dump output (each block's
# decompressed bytes' CRC), so only a change in the records fails it, not
# a zstd release that compresses them differently.  A failure means the
# format changed: bump the version, add a format-spec.md changelog entry,
# and regenerate with `bash tests/t-golden.sh --update`.
source "$(dirname "$0")/lib.sh"

update=0
[ "${1:-}" = --update ] && update=1

extract_fixed() { # SAMPLE OUT
	cp "$ROOT/samples/$1.pcap" "$TMP/$1.pcap"
	touch -d @1700000000 "$TMP/$1.pcap"
	(cd "$TMP" && SOURCE_DATE_EPOCH=0 "$BIN/tcpsift-extract" -q -o "$2" "$1.pcap")
}

for s in demo ipv6; do
	name="golden $s"
	gold=$ROOT/tests/golden/$s.sift
	if ! extract_fixed "$s" "$TMP/$s.sift"; then
		fail "$name" "extract failed"
		continue
	fi
	if [ "$update" = 1 ]; then
		mkdir -p "$ROOT/tests/golden"
		cp "$TMP/$s.sift" "$gold"
		pass "$name (updated)"
		continue
	fi
	if [ ! -f "$gold" ]; then
		fail "$name" "no tests/golden/$s.sift; create it with tests/t-golden.sh --update"
		continue
	fi
	"$BIN/tests/sift-dump" "$gold" >"$TMP/want" 2>&1
	"$BIN/tests/sift-dump" "$TMP/$s.sift" >"$TMP/got" 2>&1
	if diff -u "$TMP/want" "$TMP/got" >"$TMP/diff"; then
		if cmp -s "$gold" "$TMP/$s.sift"; then
			pass "$name"
		else
			pass "$name (same records; zstd compressed them differently)"
		fi
	else
		sed 's/^/  /' "$TMP/diff" | head -20
		fail "$name" "records differ from the golden cache: a format change needs a version bump, a format-spec.md changelog entry and tests/t-golden.sh --update"
	fi
done
finish
