#!/usr/bin/env bash
# tests/t-fuzz.sh: build the libFuzzer targets and run each briefly.
#
# `make fuzz` builds tests/fuzz/fuzz-NAME.c into $BIN/fuzz/fuzz-NAME
# (clang, -fsanitize=fuzzer,address,undefined): fuzz-decode (frames, the
# link/IP/TCP decoder), fuzz-extract (capture files through the whole
# extraction: tracker, analysis, Zeek state, writer, read back),
# fuzz-cache (cache files, the reader) and
# fuzz-pcapng (capture files, the fallback pcapng reader).  Each target
# then runs on its seed corpus tests/fuzz/corpus-NAME/ for FUZZ_TIME
# seconds (default 20).  New inputs go to a temporary folder, never into
# the seed corpus.
# One result line per target, "fuzz-NAME": PASS when it found nothing,
# FAIL with the crash's first report line and the reproducer's path (kept
# in $BIN/fuzz-artifacts/; rerun it with `$BIN/fuzz/fuzz-NAME FILE`).
# SKIP when clang cannot build a libFuzzer program.
#
# Environment: TCPSIFT_BIN (build folder, default build), FUZZ_TIME
# (seconds per target), FUZZ_JOBS (parallel fuzzing processes per target,
# default: one, in-process).  Regenerate the seeds with
# tests/fuzz/make-corpus.sh (after a cache format change).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FUZZ_TIME=${FUZZ_TIME:-20}
FUZZ_JOBS=${FUZZ_JOBS:-}

# Can clang link a libFuzzer program with the sanitizers?
probe() {
	command -v clang >/dev/null 2>&1 || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		>"$TMP/probe.c"
	clang -fsanitize=fuzzer,address,undefined -o "$TMP/probe" "$TMP/probe.c" \
		>"$TMP/probe.log" 2>&1 && "$TMP/probe" -runs=1 >>"$TMP/probe.log" 2>&1
}

if ! probe; then
	if command -v clang >/dev/null 2>&1; then
		skip fuzz "clang cannot build a libFuzzer program: $(grep -m1 -i error "$TMP/probe.log")"
	else
		skip fuzz "clang is not installed (libFuzzer targets need it)"
	fi
	finish
fi

if ! make -C "$ROOT" --no-print-directory BUILD="$BIN" fuzz >"$TMP/make.log" 2>&1; then
	fail fuzz-build "make fuzz failed: $(grep -m1 -E 'error|Error' "$TMP/make.log")"
	finish
fi

ART=$BIN/fuzz-artifacts
mkdir -p "$ART"
found=0
for target in "$BIN"/fuzz/fuzz-*; do
	[ -x "$target" ] || continue
	name=$(basename "$target")
	seeds=$ROOT/tests/fuzz/corpus-${name#fuzz-}
	found=1
	if [ ! -d "$seeds" ]; then
		fail "$name" "no seed corpus $seeds"
		continue
	fi
	new=$TMP/$name-corpus
	mkdir -p "$new"
	log=$TMP/run-$name.txt
	# Work in $TMP: -jobs writes fuzz-N.log into the current folder.
	(cd "$TMP" && TMPDIR=$TMP "$target" "$new" "$seeds" \
		-max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix="$ART/$name-" \
		${FUZZ_JOBS:+-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS"} \
		-print_final_stats=1) >"$log" 2>&1
	rc=$?
	cat "$TMP"/fuzz-*.log >>"$log" 2>/dev/null
	rm -f "$TMP"/fuzz-*.log
	if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: |runtime error|Test unit written' "$log"; then
		pass "$name"
	else
		why=$(grep -m1 -E 'ERROR: |runtime error|SUMMARY' "$log")
		repro=$(grep -m1 -oE 'Test unit written to [^ ]+' "$log" | sed 's/Test unit written to //')
		fail "$name" "exit $rc: ${why:-see log}${repro:+; reproducer $repro}"
		sed 's/^/  /' "$log" | grep -vE '^  #[0-9]+' | tail -n 40
	fi
done
[ "$found" -eq 1 ] || fail fuzz "make fuzz built no target in $BIN/fuzz"

finish
