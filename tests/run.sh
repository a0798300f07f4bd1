#!/usr/bin/env bash
# tests/run.sh: the driver behind `make test` (run after building).
#
# Runs every test layer in turn: first each C unit test binary
# $TCPSIFT_BIN/tests/unit-* (default build/tests), then each layer script
# tests/t-*.sh in alphabetical order. Every layer prints "PASS name",
# "FAIL name: reason" or "SKIP name: reason" lines on stdout; other lines are
# detail. This driver counts those lines, shows the FAIL lines and one
# summary line per layer, and ends with exactly one line
# "N passed, N failed, N skipped".
#
# A layer that exits non-zero without printing a FAIL line (a crash, a
# signal, a timeout, a shell error) counts as one failure; so does a layer
# that prints no result line at all.
#
# Environment:
#   TESTS=PATTERN   run only layers whose name matches one of the
#                   space-separated shell glob patterns (a pattern without
#                   glob characters matches as a substring), e.g.
#                   TESTS=diff-tshark or TESTS='unit-*'
#   TCPSIFT_BIN     binaries directory (default build)
#   VERBOSE=1       print each layer's full output, not only its FAIL lines
#   TEST_TIMEOUT=S  seconds before a layer is killed (default 900)
#   TEST_LOGS=DIR   keep each layer's full output in DIR/<layer>.log
#                   (default: $TCPSIFT_BIN/test-logs)
#
# Exit status: 0 when nothing failed, 1 otherwise.
# It does not build anything: `make test` builds first.

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BIN=${TCPSIFT_BIN:-build}
case $BIN in
/*) ;;
*) BIN=$ROOT/$BIN ;;
esac
export TCPSIFT_BIN=$BIN

LOGS=${TEST_LOGS:-$BIN/test-logs}
TIMEOUT=${TEST_TIMEOUT:-900}
PATTERNS=${TESTS:-}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpsift-run.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$LOGS" 2>/dev/null || LOGS=$WORK

total_pass=0
total_fail=0
total_skip=0

# selected NAME: true when NAME matches $TESTS (or $TESTS is empty).
selected() {
	local p
	[ -z "$PATTERNS" ] && return 0
	for p in $PATTERNS; do
		case $p in
		*[*?[]*) ;;
		*) p="*$p*" ;;
		esac
		# shellcheck disable=SC2254
		case $1 in
		$p) return 0 ;;
		esac
	done
	return 1
}

# run_layer NAME CMD...: run one layer, count and show its results.
run_layer() {
	local name=$1 out err rc np nf ns start secs
	shift
	out=$LOGS/$name.log
	err=$WORK/$name.err
	start=$(date +%s)
	# The outer redirection catches the shell's own "Segmentation fault"
	# report about the layer, so it lands in the layer's stderr too.
	if command -v timeout >/dev/null 2>&1; then
		{ (cd "$ROOT" && timeout "$TIMEOUT" "$@") >"$out" 2>"$err" </dev/null; } 2>>"$err"
	else
		{ (cd "$ROOT" && "$@") >"$out" 2>"$err" </dev/null; } 2>>"$err"
	fi
	rc=$?
	secs=$(($(date +%s) - start))

	np=$(grep -c '^PASS ' "$out")
	nf=$(grep -c '^FAIL ' "$out")
	ns=$(grep -c '^SKIP ' "$out")

	if [ "${VERBOSE:-0}" = 1 ]; then
		sed 's/^/  /' "$out"
	else
		grep '^FAIL ' "$out"
	fi

	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
		if [ "$rc" -eq 124 ]; then
			echo "FAIL $name: timed out after ${TIMEOUT}s"
		elif [ "$rc" -gt 128 ]; then
			echo "FAIL $name: killed by signal $(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128))) without reporting a failure"
		else
			echo "FAIL $name: exited with status $rc without reporting a failure"
		fi
		tail -n 5 "$err" | sed 's/^/  stderr: /'
		nf=1
	elif [ $((np + nf + ns)) -eq 0 ]; then
		echo "FAIL $name: printed no PASS/FAIL/SKIP line (status $rc)"
		tail -n 5 "$err" | sed 's/^/  stderr: /'
		nf=1
	fi
	[ -s "$err" ] && cat "$err" >>"$out"

	printf '%-24s %4d passed, %3d failed, %3d skipped  (%ds)%s\n' \
		"$name" "$np" "$nf" "$ns" "$secs" \
		"$([ "$nf" -gt 0 ] && echo "  log: $out")"
	total_pass=$((total_pass + np))
	total_fail=$((total_fail + nf))
	total_skip=$((total_skip + ns))
}

# Layer 1: C unit tests.
found_unit=0
for t in "$BIN"/tests/unit-*; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
	found_unit=1
	name=$(basename "$t")
	selected "$name" || continue
	run_layer "$name" "$t"
done
if [ "$found_unit" -eq 0 ] && selected unit-tests; then
	echo "SKIP unit-tests: no unit test binaries in $BIN/tests (make unit-tests)"
	total_skip=$((total_skip + 1))
fi

# Layer 2..n: the test scripts, alphabetical (the glob sorts).
for t in "$ROOT"/tests/t-*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	selected "$name" || continue
	run_layer "$name" bash "$t"
done

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
