#!/usr/bin/env bash
# tests/t-badinput.sh: malformed captures and corrupt caches must fail cleanly.
#
# Every case runs one command and checks
#   - the exit status (0 ok, 1 bad data or I/O, 2 usage; STYLE.md rule 15),
#   - that stderr is exactly one line, "prog: PATH[:OFFSET]: message",
#     naming the file (and the byte offset where the case has one) and
#     matching the case's pattern,
#   - that no sanitizer spoke ("Sanitizer", "runtime error") and that the
#     program was not killed by a signal nor left a core file.
# Cache cases run the reports info, conns, packets and `ladder --stream 0`
# and also check stdout: a report that fails prints at most a prefix of what
# it prints for the intact cache (nothing decoded from a bad block), and one
# that succeeds prints exactly that (it never used the bad bytes).
#
# The corrupt caches are made here, from a cache of the first 40 frames of
# samples/ipv6.pcap: the blocks are found by walking the 40-byte block
# headers from offset 64 (comp_size is the u32 at +20), bytes are flipped
# with python3 and CRC-32C is recomputed where a case needs the header to
# stay valid.  Shared captures (../shared/pcaps) are skipped when absent;
# nothing is copied from there.  One result line per case, "badinput-...".
#
# Environment: TCPSIFT_BIN (binaries, default build), TCPSIFT_SHARED.
# Under a sanitizer build (make BUILD=build-asan SANITIZE=address,undefined)
# run it as TCPSIFT_BIN=build-asan bash tests/t-badinput.sh.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EXTRACT=$BIN/tcpsift-extract
ANALYZE=$BIN/tcpsift-analyze
WORK=$TMP/work
mkdir -p "$WORK"

# Sanitizer reports must not pass for the expected exit status 1.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86:print_stacktrace=1

if ! have_bin tcpsift-extract || ! have_bin tcpsift-analyze; then
	skip badinput "no tcpsift-extract/tcpsift-analyze in $BIN (run make)"
	finish
fi
if ! command -v python3 >/dev/null 2>&1; then
	skip badinput "python3 is not installed"
	finish
fi

# --- helpers -----------------------------------------------------------------

# Byte-level tools: block map, byte flip, version rewrite, pcap record walk.
cat >"$TMP/sift.py" <<'EOF'
import struct, sys

def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc ^ 0xffffffff

def blocks(path):
    """Print 'OFFSET TYPE COMP_SIZE' per block, then 'footer OFFSET'."""
    d = open(path, 'rb').read()
    off, end = 64, len(d) - 32
    while off < end:
        if d[off:off + 4] != b'SBLK':
            sys.exit('no block header at %d' % off)
        comp, = struct.unpack_from('<I', d, off + 20)
        print(off, d[off + 4], comp)
        off += 40 + comp
    print('footer', end)

def flip(src, dst, pos):
    d = bytearray(open(src, 'rb').read())
    d[int(pos)] ^= 0x40
    open(dst, 'wb').write(d)

def setver(src, dst, major, minor):
    d = bytearray(open(src, 'rb').read())
    struct.pack_into('<HH', d, 8, int(major), int(minor))
    struct.pack_into('<I', d, 60, crc32c(bytes(d[:60])))
    open(dst, 'wb').write(d)

def pcapcut(path, n):
    """For a classic pcap cut to n bytes: 'OFFSET FRAMES' of the last whole record."""
    d = open(path, 'rb').read()[:int(n)]
    magic = d[:4]
    e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    minor, = struct.unpack_from(e + 'H', d, 6)
    off, frames = 24, 0
    while off + 16 <= len(d):
        caplen, length = struct.unpack_from(e + 'II', d, off + 8)
        # libpcap: before 2.3 the two lengths were stored the other way
        # round; in 2.3 files caplen > len means the same.
        if minor < 3 or (minor == 3 and caplen > length):
            caplen = length
        if off + 16 + caplen > len(d):
            break
        off += 16 + caplen
        frames += 1
    print(off, frames)

def boundary(path, n):
    """Offset of the first record boundary at or after byte n."""
    d = open(path, 'rb').read()
    off = 24
    while off < int(n):
        caplen, = struct.unpack_from('<I', d, off + 8)
        off += 16 + caplen
    print(off)

globals()[sys.argv[1]](*sys.argv[2:])
EOF
sift() { python3 "$TMP/sift.py" "$@"; }

# re STRING: STRING quoted for an extended regular expression.
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# run CMD...: runs CMD in $WORK (stdin /dev/null); sets RC, OUT and ERR files.
OUT=$TMP/out
ERR=$TMP/err
run() {
	(cd "$WORK" && "$@") </dev/null >"$OUT" 2>"$ERR"
	RC=$?
}

# Problems found in the current case, "; "-separated; empty = pass.
WHY=
note() { WHY="${WHY:+$WHY; }$*"; }

# want_rc LIST: the exit status is one of LIST ("1" or "1|2").
want_rc() {
	case "|$1|" in
	*"|$RC|"*) ;;
	*) note "exit status $RC, expected $1" ;;
	esac
}

# want_clean: no sanitizer report, no signal, no core file.
want_clean() {
	if grep -qE 'Sanitizer|runtime error' "$ERR"; then
		note "sanitizer: $(grep -m1 -E 'Sanitizer|runtime error' "$ERR")"
	fi
	if [ "$RC" -gt 128 ] && [ "$RC" -ne 130 ]; then
		note "killed by signal $((RC - 128))"
	fi
	if compgen -G "$WORK/core*" >/dev/null; then
		note "core file left"
		rm -f "$WORK"/core*
	fi
}

# want_line ERE: stderr is exactly one line and it matches ERE (whole line).
want_line() {
	local n
	n=$(awk 'END { print NR }' "$ERR")
	if [ "$n" -ne 1 ]; then
		note "stderr has $n lines, expected 1: $(head -c 300 "$ERR" | tr '\n' '|')"
	elif ! grep -qEx -- "$1" "$ERR"; then
		note "stderr '$(cat "$ERR")' does not match /$1/"
	fi
}

# want_quiet: nothing on stderr.
want_quiet() {
	[ -s "$ERR" ] && note "unexpected stderr: $(head -c 300 "$ERR" | tr '\n' '|')"
}

# want_no_stdout: nothing on stdout.
want_no_stdout() {
	[ -s "$OUT" ] && note "unexpected stdout: $(head -c 200 "$OUT" | tr '\n' '|')"
}

# done_case NAME: prints the result line of the case and resets WHY.
done_case() {
	if [ -z "$WHY" ]; then
		pass "$1"
	else
		fail "$1" "$WHY"
	fi
	WHY=
}

# extract_fails NAME RC ERE CAPTURE [OPTIONS...]: extract -q must fail with
# status RC and one line matching ERE, writing no cache.
extract_fails() {
	local name=$1 rc=$2 ere=$3 cap=$4
	shift 4
	rm -f "$WORK/x.sift" "$WORK"/.x.sift.tmp-*
	run "$EXTRACT" -q -o "$WORK/x.sift" "$@" "$cap"
	want_rc "$rc"
	want_clean
	want_line "$ere"
	want_no_stdout
	[ -e "$WORK/x.sift" ] && note "a cache was written"
	compgen -G "$WORK/.x.sift.tmp-*" >/dev/null && note "temporary file left"
	done_case "$name"
}

# analyze_all CACHE: runs the four reports on CACHE; for report i sets
# RCS[i], and keeps stdout in $TMP/rep.i.out and stderr in $TMP/rep.i.err.
REPORTS=(info conns packets "ladder --stream 0")
analyze_all() {
	local i
	for i in "${!REPORTS[@]}"; do
		# shellcheck disable=SC2086
		run "$ANALYZE" ${REPORTS[$i]} "$1"
		RCS[i]=$RC
		cp "$OUT" "$TMP/rep.$i.out"
		cp "$ERR" "$TMP/rep.$i.err"
	done
}

# analyze_fails NAME ERE CACHE: every report exits 1 with one line matching
# ERE and prints nothing on stdout.
analyze_fails() {
	local name=$1 ere=$2 cache=$3 i
	for i in "${!REPORTS[@]}"; do
		# shellcheck disable=SC2086
		run "$ANALYZE" ${REPORTS[$i]} "$cache"
		want_rc 1
		want_clean
		want_line "$ere"
		want_no_stdout
		[ -n "$WHY" ] && WHY="${REPORTS[$i]}: $WHY" && break
	done
	done_case "$name"
}

# --- extract: files that are not captures ------------------------------------

: >"$WORK/empty.pcap"
printf 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n' >"$WORK/text.pcap"
mkdir -p "$WORK/adir"

E="tcpsift-extract: "
extract_fails badinput-extract-missing 1 \
	"$E$(re "$WORK/missing.pcap"): cannot open: .*" "$WORK/missing.pcap"
extract_fails badinput-extract-empty 1 \
	"$E$(re "$WORK/empty.pcap")(:[0-9]+)?: .*(empty|not a (pcap|capture)).*" "$WORK/empty.pcap"
extract_fails badinput-extract-text 1 \
	"$E$(re "$WORK/text.pcap")(:[0-9]+)?: .*not a pcap.*" "$WORK/text.pcap"
extract_fails badinput-extract-directory 1 \
	"$E$(re "$WORK/adir")(:[0-9]+)?: .*(not a (regular )?file|directory).*" "$WORK/adir"

# -o naming the input (directly or through a symbolic link) is refused and
# leaves the input as it was.
cp "$ROOT/samples/ipv6.pcap" "$WORK/in.pcap"
ln -sf in.pcap "$WORK/in-link.pcap"
for o in in.pcap in-link.pcap; do
	run "$EXTRACT" -q -o "$WORK/$o" "$WORK/in.pcap"
	want_rc "1|2"
	want_clean
	want_line "$E$(re "$WORK/")(in|in-link)\.pcap: .*(overwrite|same).*"
	cmp -s "$ROOT/samples/ipv6.pcap" "$WORK/in.pcap" || note "the input was changed"
	done_case "badinput-extract-output-is-input${o#in}"
	cp "$ROOT/samples/ipv6.pcap" "$WORK/in.pcap"
done

# A BPF expression libpcap cannot compile: one line quoting the expression
# and libpcap's reason.
extract_fails badinput-extract-bad-filter "1|2" \
	"$E$(re "$WORK/in.pcap"): bad filter 'tcp port': .+" "$WORK/in.pcap" -f 'tcp port'
extract_fails badinput-extract-bad-filter-port "1|2" \
	"$E$(re "$WORK/in.pcap"): bad filter 'tcp port 99999': .*65535.*" \
	"$WORK/in.pcap" -f 'tcp port 99999'

# --- extract: captures cut short ---------------------------------------------

# extract_cut NAME CAPTURE OFFSET FRAMES: extract must succeed with one
# warning naming OFFSET and FRAMES; the cache must say "truncated yes" and
# its conns report must work.
extract_cut() {
	local name=$1 cap=$2 off=$3 frames=$4
	rm -f "$WORK/cut.sift"
	run "$EXTRACT" -q -o "$WORK/cut.sift" "$cap"
	want_rc 0
	want_clean
	want_line "${E}warning: $(re "$cap"):$off: capture ends early after frame $frames( .*)?"
	if [ -z "$WHY" ]; then
		run "$ANALYZE" info "$WORK/cut.sift"
		want_rc 0
		want_clean
		grep -qE '^truncated +yes$' "$OUT" || note "info does not say 'truncated yes'"
		grep -qE "^truncated_at +$off\$" "$OUT" || note "info does not say 'truncated_at $off'"
		run "$ANALYZE" conns "$WORK/cut.sift"
		want_rc 0
		want_clean
		want_quiet
	fi
	done_case "$name"
}

# samples/demo.pcap cut inside a record's data and inside a record header.
demo=$ROOT/samples/demo.pcap
b=$(sift boundary "$demo" 100000)
head -c $((b + 40)) "$demo" >"$WORK/demo-cut-data.pcap"
head -c $((b + 7)) "$demo" >"$WORK/demo-cut-header.pcap"
for c in data header; do
	read -r off frames <<<"$(sift pcapcut "$WORK/demo-cut-$c.pcap" 1000000000)"
	extract_cut "badinput-extract-cut-in-record-$c" "$WORK/demo-cut-$c.pcap" "$off" "$frames"
done

# The same cut capture through a pipe on standard input: the warning names
# "-" and, if it gives an offset, the right one (a pipe cannot be asked
# where it is, so the reader must count).
read -r off frames <<<"$(sift pcapcut "$WORK/demo-cut-data.pcap" 1000000000)"
rm -f "$WORK/cut.sift"
# shellcheck disable=SC2002  # a pipe on purpose
(cd "$WORK" && cat "$WORK/demo-cut-data.pcap" | "$EXTRACT" -q -o "$WORK/cut.sift" -) >"$OUT" 2>"$ERR"
RC=$?
want_rc 0
want_clean
want_line "${E}warning: -(:$off)?: capture ends early after frame $frames( .*)?"
[ -f "$WORK/cut.sift" ] || note "no cache written"
done_case badinput-extract-cut-in-record-stdin

# --- extract: interrupted ----------------------------------------------------

# The capture comes through a FIFO that stays open, so the extractor is
# still reading when SIGINT arrives; afterwards neither the cache nor its
# temporary sibling may exist.
interrupted() {
	local dir=$WORK/int pid feeder i
	rm -rf "$dir"
	mkdir -p "$dir"
	mkfifo "$dir/fifo"
	"$EXTRACT" -q -o "$dir/out.sift" - <"$dir/fifo" 2>"$TMP/int.err" &
	pid=$!
	(head -c 300000 "$demo"; exec sleep 30) >"$dir/fifo" &
	feeder=$!
	for i in $(seq 50); do
		compgen -G "$dir/.out.sift.tmp-*" >/dev/null && break
		sleep 0.1
	done
	if ! compgen -G "$dir/.out.sift.tmp-*" >/dev/null; then
		note "no temporary file appeared while extracting"
	fi
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	RC=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	cp "$TMP/int.err" "$ERR"
	want_clean
	[ "$RC" -eq 0 ] && note "exit status 0 after SIGINT"
	[ -e "$dir/out.sift" ] && note "cache exists under its final name"
	compgen -G "$dir/.out.sift.tmp-*" >/dev/null && note "temporary file left: $(ls -A "$dir")"
	done_case badinput-extract-interrupted
}
interrupted

# --- extract: shared public captures -----------------------------------------

if have_shared; then
	# SOURCES.md "unreadable": rejected with one line.
	for f in libpcap-pcap-invalid-version-1.pcap \
		 libpcap-pcapng-invalid-vers-1.pcapng \
		 libpcap-shb-option-too-long.pcapng \
		 libpcap-linktype-reserved-field-not-zero.pcap; do
		if [ ! -f "$SHARED/$f" ]; then
			skip "badinput-extract-$f" "not in $SHARED"
			continue
		fi
		extract_fails "badinput-extract-$f" 1 "$E$(re "$SHARED/$f")(:[0-9]+)?: .+" "$SHARED/$f"
	done

	# Cut short in the middle of a record (237 + 2 of 16 header bytes).
	f=ndpi-fuzz-2021-10-13.pcap
	if [ -f "$SHARED/$f" ]; then
		read -r off frames <<<"$(sift pcapcut "$SHARED/$f" 1000000000)"
		extract_cut "badinput-extract-$f" "$SHARED/$f" "$off" "$frames"
	else
		skip "badinput-extract-$f" "not in $SHARED"
	fi

	# Malformed records and headers: must be read without a crash or a
	# message, and the cache must serve every report.
	for f in tcpdump-tcp_header_heapoverflow.pcap \
		 tcpdump-heapoverflow-tcp_print.pcap \
		 zeek-trunc-hdr.pcap \
		 tcpdump-timestamp_invalid_nano.pcap; do
		if [ ! -f "$SHARED/$f" ]; then
			skip "badinput-extract-$f" "not in $SHARED"
			continue
		fi
		rm -f "$WORK/m.sift"
		run "$EXTRACT" -q -o "$WORK/m.sift" "$SHARED/$f"
		want_rc 0
		want_clean
		want_quiet
		if [ -z "$WHY" ]; then
			for r in info conns packets; do
				run "$ANALYZE" "$r" "$WORK/m.sift"
				want_rc 0
				want_clean
				want_quiet
			done
		fi
		done_case "badinput-extract-$f"
	done
else
	skip badinput-extract-shared "no shared captures at $SHARED"
fi

# --- analyze: files that are not caches --------------------------------------

A="tcpsift-analyze: "
analyze_fails badinput-analyze-missing \
	"$A$(re "$WORK/missing.sift"): cannot open: .*" "$WORK/missing.sift"
analyze_fails badinput-analyze-text \
	"$A$(re "$WORK/text.pcap")(:0)?: .*not a tcpsift cache.*" "$WORK/text.pcap"
analyze_fails badinput-analyze-empty \
	"$A$(re "$WORK/empty.pcap")(:0)?: .*(empty|not a tcpsift cache|truncated).*" "$WORK/empty.pcap"
analyze_fails badinput-analyze-directory \
	"$A$(re "$WORK/adir"): .*(not a (regular )?file|directory).*" "$WORK/adir"

# --- analyze: corrupt caches -------------------------------------------------

# The intact cache (deterministic: read from stdin, fixed extraction time).
good=$WORK/good.sift
head -c "$(sift boundary "$ROOT/samples/ipv6.pcap" 25000)" "$ROOT/samples/ipv6.pcap" |
	SOURCE_DATE_EPOCH=0 "$EXTRACT" -q -o "$good" - 2>"$ERR"
analyze_all "$good"
for i in "${!REPORTS[@]}"; do
	if [ "${RCS[$i]}" -ne 0 ] || [ -s "$TMP/rep.$i.err" ]; then
		note "${REPORTS[$i]} fails on the intact cache"
	fi
	cp "$TMP/rep.$i.out" "$TMP/good.$i.out"
done
[ -s "$TMP/good.2.out" ] || note "packets prints nothing on the intact cache"
done_case badinput-analyze-intact-cache

size=$(wc -c <"$good")

# Truncated at several offsets: every report fails naming file and offset.
for n in 0 8 10 63 64 100 $((size / 2)) $((size - 33)) $((size - 1)); do
	head -c "$n" "$good" >"$WORK/trunc-$n.sift"
	analyze_fails "badinput-analyze-truncated-$n" \
		"$A$(re "$WORK/trunc-$n.sift"):[0-9]+: .*(truncated|incomplete|bad magic).*" \
		"$WORK/trunc-$n.sift"
done

# flipped NAME POS OFFSET MUST: the cache with byte POS flipped.  Every
# report either fails with one line naming the file and OFFSET (any
# offset when OFFSET is "") and saying what is wrong, having printed at
# most a prefix of the intact output, or succeeds with the intact output.
# MUST lists the reports that have to fail ("all" = every one).
flipped() {
	local name=$1 pos=$2 at=$3 must=$4 f=$WORK/flip.sift i rep
	sift flip "$good" "$f" "$pos"
	analyze_all "$f"
	for i in "${!REPORTS[@]}"; do
		rep=${REPORTS[$i]%% *}
		RC=${RCS[$i]}
		cp "$TMP/rep.$i.out" "$OUT"
		cp "$TMP/rep.$i.err" "$ERR"
		want_clean
		if [ "$RC" -eq 0 ]; then
			case " $must " in
			*" all "* | *" $rep "*) note "$rep: exit status 0, expected 1" ;;
			esac
			want_quiet
			cmp -s "$OUT" "$TMP/good.$i.out" ||
				note "$rep: exit status 0 but the output differs from the intact cache's"
		else
			want_rc 1
			want_line "$A$(re "$f"):${at:-[0-9]+}: .*(checksum|corrupt|truncated|incomplete|bad |magic|not supported|disagree).*"
			# Whatever came before the error is the intact output's start.
			if ! cmp -s "$OUT" <(head -c "$(wc -c <"$OUT")" "$TMP/good.$i.out"); then
				note "$rep: printed output that the intact cache does not have"
			fi
		fi
		[ -n "$WHY" ] && WHY="$rep: $WHY" && break
	done
	done_case "$name"
}

# The header: magic, version, a size field, the checksum.
flipped badinput-analyze-flip-header-magic 1 "" all
flipped badinput-analyze-flip-header-version 9 "" all
flipped badinput-analyze-flip-header-sizes 20 "" all
flipped badinput-analyze-flip-header-crc 61 "" all

# Each block: its header (magic, type, comp_size, own checksum) and its
# payload (first, middle, last byte).  Which reports must fail depends on
# which blocks they read; the others may succeed.
declare -A need=([1]=all [2]="packets ladder" [3]="conns ladder" [4]=ladder
		 [5]=ladder [6]=all)
declare -A tname=([1]=meta [2]=packets [3]=connections [4]=chunks
		  [5]=streamdir [6]=index)
while read -r off type comp; do
	if [ "$off" = footer ]; then
		footer=$type
		continue
	fi
	n=badinput-analyze-flip-${tname[$type]:-type$type}
	flipped "$n-block-magic" $((off + 1)) "$off" "${need[$type]:-}"
	flipped "$n-block-type" $((off + 4)) "$off" "${need[$type]:-}"
	flipped "$n-block-size" $((off + 20)) "$off" "${need[$type]:-}"
	flipped "$n-block-crc" $((off + 37)) "$off" "${need[$type]:-}"
	flipped "$n-payload-first" $((off + 40)) "$off" "${need[$type]:-}"
	flipped "$n-payload-middle" $((off + 40 + comp / 2)) "$off" "${need[$type]:-}"
	flipped "$n-payload-last" $((off + 40 + comp - 1)) "$off" "${need[$type]:-}"
done < <(sift blocks "$good")

# The footer: index offset, file size, magic, checksum.
flipped badinput-analyze-flip-footer-index-offset "$footer" "" all
flipped badinput-analyze-flip-footer-size $((footer + 8)) "" all
flipped badinput-analyze-flip-footer-magic $((footer + 16)) "" all
flipped badinput-analyze-flip-footer-crc $((footer + 29)) "" all

# Another major version (header checksum valid): refused by version.
sift setver "$good" "$WORK/major3.sift" 3 0
analyze_fails badinput-analyze-major-version-3 \
	"$A$(re "$WORK/major3.sift")(:[0-9]+)?: .*format 3\.0 .*not supported.*" "$WORK/major3.sift"

# A later minor version reads as before.
sift setver "$good" "$WORK/minor1.sift" 2 1
analyze_all "$WORK/minor1.sift"
for i in "${!REPORTS[@]}"; do
	RC=${RCS[$i]}
	cp "$TMP/rep.$i.err" "$ERR"
	want_rc 0
	want_clean
	want_quiet
	if [ "$i" -eq 0 ]; then
		grep -qE '^format +2\.1$' "$TMP/rep.0.out" || note "info does not say format 2.1"
		diff <(grep -v '^format ' "$TMP/rep.0.out") \
		     <(grep -v '^format ' "$TMP/good.0.out") >/dev/null ||
			note "info differs beyond the format line"
	elif ! cmp -s "$TMP/rep.$i.out" "$TMP/good.$i.out"; then
		note "${REPORTS[$i]}: output differs from the 1.0 cache's"
	fi
done
done_case badinput-analyze-minor-version-1

finish
