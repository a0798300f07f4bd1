#!/usr/bin/env bash
# bench/run.sh - how fast and how small tcpsift is on one large capture,
# against a bare libpcap read loop and against the peer tools.
#
#   make bench                         (builds, then runs this)
#   BENCH_PCAP=/tmp/bench.pcap BENCH_RUNS=3 bash bench/run.sh
#
# Environment:
#   BENCH_PCAP          capture to use (default bench/data/bench.pcap, which is
#                       recorded with samples/record.sh when missing; needs root)
#   BENCH_RUNS          runs per timed command; the median is reported (default 5)
#   BENCH_SKIP_SLOW=1   skip the peers (tcptrace, tshark, argus); tshark alone
#                       takes minutes on 1 GB
#   BENCH_SLOW_TIMEOUT  seconds after which a peer is stopped and reported as
#                       skipped (default 480)
#
# Every command's wall time and CPU time (user + system), on a warm page
# cache: the file a command reads (the capture, or the cache) is read with
# cat just before each run, since this machine's page cache does not keep
# a 1 GB file between runs.  The machine may be shared and noisy, so each
# of our commands runs BENCH_RUNS times and the medians are kept; each peer
# runs once.  Wall time comes from bash's $EPOCHREALTIME (microseconds);
# CPU time and max RSS (the largest over the runs) from wait4()'s rusage,
# through build/bench/cpuof (bench/cpuof.c).
#
# Prints one table and the target lines, and writes the same text to
# build/bench/results.txt (for pasting into the README).  The targets are
# informational: the exit status is 0 whether they pass or not, and 1 only
# when a command fails or something needed is missing.
set -euo pipefail
export LC_ALL=C                 # '.' as decimal point in $EPOCHREALTIME and awk

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD=${BUILD:-build}
OUT=$BUILD/bench                # pcapread, the cache, scratch files, results.txt
PCAP=${BENCH_PCAP:-bench/data/bench.pcap}
RUNS=${BENCH_RUNS:-5}
SKIP_SLOW=${BENCH_SKIP_SLOW:-0}
SLOW_TIMEOUT=${BENCH_SLOW_TIMEOUT:-480}
EXTRACT=$BUILD/tcpsift-extract
ANALYZE=$BUILD/tcpsift-analyze
CACHE=$OUT/bench.sift

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------- setup

[[ -x $EXTRACT && -x $ANALYZE ]] || die "'$EXTRACT' or '$ANALYZE' missing; run: make all"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer (got '$RUNS')"

pkg-config --exists libpcap || die "libpcap not found by pkg-config; install with: apt-get install -y libpcap-dev"

if [[ ! -f $PCAP ]]; then
	record=(samples/record.sh bench "$PCAP" 1100)
	is_root || die "capture '$PCAP' missing; record it (needs root) with: sudo ${record[*]}"
	log "capture '$PCAP' missing; recording it: ${record[*]}"
	mkdir -p "$(dirname "$PCAP")"
	"${record[@]}" >&2
fi

mkdir -p "$OUT"
# shellcheck disable=SC2046  # pkg-config output is meant to be split
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Wpedantic -Werror \
	-o "$OUT/pcapread" bench/pcapread.c $(pkg-config --cflags --libs libpcap)
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Wpedantic -Werror \
	-o "$OUT/cpuof" bench/cpuof.c

# ---------------------------------------------------------------- measuring

declare -A WALL CPU RSS         # per name: median wall and CPU seconds, max RSS KiB
declare -A NOTE                 # per name: why it has no figures (skipped ...)
ROWS=()                         # names, in table order
declare -A LABEL                # per name: the command as printed

# median: the median of the numbers on standard input, one per line.
median() {
	sort -n | awk '{ v[NR] = $1 }
		END { printf "%.0f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure NAME RUNS LABEL CMD...: run CMD RUNS times with stdout to /dev/null,
# each after reading $WARM (the file it reads) with cat; keep the median
# wall and CPU times and the largest max RSS, and every run's stderr in
# $OUT/NAME.stderr.  Exits 1 if CMD fails; a peer run under timeout(1) that
# runs out of time gets a NOTE instead.
measure() {
	local name=$1 runs=$2 label=$3
	shift 3
	local i t0 t1 rc cpu rss walls=() cpus=() rss_max=0
	ROWS+=("$name")
	: > "$OUT/$name.stderr"
	LABEL[$name]=$label
	log "$label: $runs run(s)"
	for ((i = 0; i < runs; i++)); do
		cat "$WARM" > /dev/null
		t0=${EPOCHREALTIME/./}
		rc=0
		"$OUT/cpuof" "$OUT/time.txt" "$@" \
			> /dev/null 2> "$OUT/stderr.txt" || rc=$?
		t1=${EPOCHREALTIME/./}
		if ((rc == 124)) && [[ $1 == timeout ]]; then
			NOTE[$name]="skipped: still running after ${SLOW_TIMEOUT} s"
			return 0
		fi
		if ((rc != 0)); then
			tail -n 5 "$OUT/stderr.txt" >&2
			die "'$*' failed (exit $rc)"
		fi
		walls+=("$((t1 - t0))")                       # microseconds
		cat "$OUT/stderr.txt" >> "$OUT/$name.stderr"
		read -r cpu rss < "$OUT/time.txt"
		cpus+=("$cpu")
		if ((rss > rss_max)); then rss_max=$rss; fi
	done
	WALL[$name]=$(printf '%s\n' "${walls[@]}" | median | awk '{ printf "%.6f", $1 / 1e6 }')
	CPU[$name]=$(printf '%s\n' "${cpus[@]}" | median | awk '{ printf "%.6f", $1 / 1e6 }')
	RSS[$name]=$rss_max
}

# peer NAME PACKAGE LABEL CMD...: one run of a peer tool, if installed and
# not skipped.
peer() {
	local name=$1 package=$2 label=$3
	shift 3
	if [[ $SKIP_SLOW == 1 ]]; then
		ROWS+=("$name"); LABEL[$name]=$label; NOTE[$name]="skipped: BENCH_SKIP_SLOW=1"
	elif ! command -v "$1" > /dev/null; then
		ROWS+=("$name"); LABEL[$name]=$label; NOTE[$name]="not installed (apt-get install -y $package)"
	else
		measure "$name" 1 "$label" timeout "$SLOW_TIMEOUT" "$@"
	fi
}

WARM=$PCAP

measure cat     "$RUNS" "cat FILE"                     cat "$PCAP"
measure bare    "$RUNS" "pcapread FILE (bare loop)"    "$OUT/pcapread" "$PCAP"
measure bare_b  "$RUNS" "pcapread -b FILE (1 MiB buf)" "$OUT/pcapread" -b "$PCAP"
measure extract "$RUNS" "tcpsift-extract -o CACHE FILE" "$EXTRACT" -o "$CACHE" "$PCAP"
# Where extract's CPU went, by thread, from its summary's last line: the
# median of column K (1 reading, 2 tracking, 3 compressing) over the
# runs, in seconds.  The lines are missing when extract read on its main
# thread (no reading thread could be started).
thread_cpu() {
	sed -n 's/^  CPU .*reading and decoding \([0-9.]*\) s, tracking and analysis \([0-9.]*\) s, compressing and writing \([0-9.]*\) s$/\1 \2 \3/p' \
		"$OUT/extract.stderr" | awk -v k="$1" '{ print $k * 1000 }' | median |
		awk '{ print $1 / 1000 }'
}
X_READ= X_TRACK= X_COMP=
if grep -q '^  CPU .*reading and decoding' "$OUT/extract.stderr"; then
	X_READ=$(thread_cpu 1) X_TRACK=$(thread_cpu 2) X_COMP=$(thread_cpu 3)
fi

# Facts about the capture and the cache, from the cache's info report.
info_field() {
	"$ANALYZE" info --format csv "$CACHE" | awk -F, -v k="$1" '$1 == k { print $2 }'
}
pcap_size=$(stat -c %s "$PCAP")
cache_size=$(stat -c %s "$CACHE")
frames=$(info_field frames)
tcp_packets=$(info_field tcp_packets)
connections=$(info_field connections)
bare_frames=$("$OUT/pcapread" "$PCAP" | awk '{ print $2 }')
[[ $bare_frames == "$frames" ]] ||
	log "warning: pcapread counts $bare_frames frames, tcpsift-extract $frames"

# The largest connection: the most c2s_pkts + s2c_pkts (columns found by name).
read -r big_stream big_pkts < <("$ANALYZE" conns --format csv "$CACHE" | awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ n = $col["c2s_pkts"] + $col["s2c_pkts"]; if (n > max) { max = n; id = $col["stream"] } }
	END { print id, max }')

WARM=$CACHE
measure conns  "$RUNS" "tcpsift-analyze conns CACHE"  "$ANALYZE" conns "$CACHE"
measure ladder "$RUNS" "tcpsift-analyze ladder --stream $big_stream CACHE" \
	"$ANALYZE" ladder --stream "$big_stream" "$CACHE"
# --where over every packet record (few rows out: the scan and the filter);
# analyze runs on one thread, so its CPU time is one core's time.
WHERE_PKTS='retransmission && !spurious_retransmission || win < 1000'
measure where_pkts "$RUNS" "packets --where (every packet; see README)" \
	"$ANALYZE" packets --where "$WHERE_PKTS" "$CACHE"
measure where_conns "$RUNS" "conns --where 'synack > 300ms || sport == 80'" \
	"$ANALYZE" conns --where 'synack > 300ms || sport == 80' "$CACHE"
HAVE_SQL=0
if "$ANALYZE" help | grep -q '^  sql '; then
	HAVE_SQL=1
	measure sql_group "$RUNS" "sql GROUP BY server over conns" \
		"$ANALYZE" sql 'SELECT server, count(*), max(synack) FROM conns GROUP BY server' "$CACHE"
	measure sql_join "$RUNS" "sql conns JOIN packets, stream = $big_stream" \
		"$ANALYZE" sql "SELECT c.stream, count(*), sum(p.len) FROM conns c JOIN packets p ON p.stream = c.stream WHERE c.stream = $big_stream GROUP BY c.stream" "$CACHE"
fi

WARM=$PCAP
peer tcptrace tcptrace     "tcptrace -n -l FILE"            tcptrace -n -l "$PCAP"
peer tshark   tshark       "tshark -r FILE -q -z conv,tcp"  tshark -r "$PCAP" -q -z conv,tcp
peer argus    argus-server "argus -X -r FILE -w -"          argus -X -r "$PCAP" -w -

# ---------------------------------------------------------------- report

# verdict OK: PASS or MISS, from an awk condition on numbers.
verdict() { awk "BEGIN { print ($1) ? \"PASS\" : \"MISS\" }"; }

report() {
	local name ratio mbs bare=${WALL[bare]}
	printf 'tcpsift bench  %s\n' "$(date -u +%Y-%m-%d)"
	printf 'host      %s, %s CPUs, Linux %s, libpcap %s\n' \
		"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		"$(nproc)" "$(uname -r)" "$(pkg-config --modversion libpcap)"
	printf 'capture   %s: %d bytes (%.1f MiB), %d frames, %d TCP packets, %d connections\n' \
		"$PCAP" "$pcap_size" "$(awk -v b="$pcap_size" 'BEGIN { print b / 1048576 }')" \
		"$frames" "$tcp_packets" "$connections"
	printf 'method    median of %d runs (peers: 1 run), input read with cat before each run, stdout to /dev/null,\n' "$RUNS"
	printf '          cpu = user + system, max RSS = largest run\n'
	printf 'cache     %d bytes = %.2f bytes per TCP packet = %.3f%% of the capture\n\n' \
		"$cache_size" "$(awk -v c="$cache_size" -v p="$tcp_packets" 'BEGIN { print c / p }')" \
		"$(awk -v c="$cache_size" -v p="$pcap_size" 'BEGIN { print 100 * c / p }')"

	printf '%-46s %9s %9s %9s %9s %12s\n' command "median s" "cpu s" "MB/s" "vs bare" "max RSS MiB"
	for name in "${ROWS[@]}"; do
		if [[ -n ${NOTE[$name]:-} ]]; then
			printf '%-46s %s\n' "${LABEL[$name]}" "${NOTE[$name]}"
			continue
		fi
		ratio=$(awk -v t="${WALL[$name]}" -v b="$bare" 'BEGIN { printf "%.3f", t / b }')
		# MB/s of capture read; the analyze commands read the cache instead.
		case $name in
		conns | ladder | where_* | sql_*) mbs=- ;;
		*) mbs=$(awk -v s="$pcap_size" -v t="${WALL[$name]}" 'BEGIN { printf "%.0f", s / t / 1e6 }') ;;
		esac
		printf '%-46s %9.4f %9.4f %9s %9s %12.1f\n' "${LABEL[$name]}" "${WALL[$name]}" \
			"${CPU[$name]}" "$mbs" "$ratio" "$(awk -v k="${RSS[$name]}" 'BEGIN { print k / 1024 }')"
	done

	# Extract's three threads (its summary line "CPU ..."): wall time can
	# be no less than the busiest thread, nor than all of them shared out
	# over the cores.
	local cores lb
	cores=$(nproc)
	if [[ -z $X_COMP ]]; then
		printf '\nextract CPU by thread: not printed (no reading thread)\n'
	else
		lb=$(awk -v a="$X_READ" -v b="$X_TRACK" -v c="$X_COMP" -v n="$cores" 'BEGIN {
			m = a; if (b > m) m = b; if (c > m) m = c
			t = (a + b + c) / n; print (t > m) ? t : m }')
		printf '\nextract CPU by thread (medians), each as a share of the bare loop'"'"'s wall time\n'
		printf '  %-28s %7.2f s  %5.2f\n' \
			"reading and decoding" "$X_READ" "$(awk -v t="$X_READ" -v b="$bare" 'BEGIN { print t / b }')" \
			"tracking and analysis" "$X_TRACK" "$(awk -v t="$X_TRACK" -v b="$bare" 'BEGIN { print t / b }')" \
			"compressing and writing" "$X_COMP" "$(awk -v t="$X_COMP" -v b="$bare" 'BEGIN { print t / b }')"
		printf '  %-28s %7.2f s  %5.2f\n' \
			"least wall time on $cores cores" "$lb" "$(awk -v t="$lb" -v b="$bare" 'BEGIN { print t / b }')"
	fi

	local x bpp pct conns_ms ladder_ms wp_rate wp_wall wc_ms sg_ms sj_ms
	x=$(awk -v t="${WALL[extract]}" -v b="$bare" 'BEGIN { printf "%.3f", t / b }')
	bpp=$(awk -v c="$cache_size" -v p="$tcp_packets" 'BEGIN { printf "%.2f", c / p }')
	pct=$(awk -v c="$cache_size" -v p="$pcap_size" 'BEGIN { printf "%.3f", 100 * c / p }')
	conns_ms=$(awk -v t="${WALL[conns]}" 'BEGIN { printf "%.1f", t * 1000 }')
	ladder_ms=$(awk -v t="${WALL[ladder]}" 'BEGIN { printf "%.1f", t * 1000 }')
	# rows per second of one core: per CPU second (analyze is one thread);
	# the wall-time rate is printed beside it
	wp_rate=$(awk -v t="${CPU[where_pkts]}" -v n="$tcp_packets" 'BEGIN { printf "%.1f", n / t / 1e6 }')
	wp_wall=$(awk -v t="${WALL[where_pkts]}" -v n="$tcp_packets" 'BEGIN { printf "%.1f", n / t / 1e6 }')
	wc_ms=$(awk -v t="${WALL[where_conns]}" 'BEGIN { printf "%.1f", t * 1000 }')
	printf '\ntargets\n'
	printf '  %-90s %s\n' \
		"extract / bare pcap_next_ex loop = $x (target <= 1.0)" "$(verdict "$x <= 1.0")" \
		"cache size = $pct% of the capture (target <= 1%)" "$(verdict "$pct <= 1")" \
		"cache size = $bpp bytes per TCP packet (target <= 10)" "$(verdict "$bpp <= 10")" \
		"conns = $conns_ms ms (target < 100 ms)" "$(verdict "$conns_ms < 100")" \
		"ladder, largest connection ($big_pkts packets) = $ladder_ms ms (target < 50 ms)" \
		"$(verdict "$ladder_ms < 50")" \
		"packets --where, every record = $wp_rate M rows per CPU second (wall: $wp_wall) (target >= 20)" \
		"$(verdict "$wp_rate >= 20")" \
		"conns --where = $wc_ms ms (target < 50 ms)" "$(verdict "$wc_ms < 50")"
	if [[ $HAVE_SQL == 1 ]]; then
		sg_ms=$(awk -v t="${WALL[sql_group]}" 'BEGIN { printf "%.1f", t * 1000 }')
		sj_ms=$(awk -v t="${WALL[sql_join]}" 'BEGIN { printf "%.1f", t * 1000 }')
		printf '  %-90s %s\n' \
			"sql GROUP BY over conns = $sg_ms ms (target < 100 ms)" "$(verdict "$sg_ms < 100")" \
			"sql conns JOIN packets, one stream = $sj_ms ms (target < 100 ms)" "$(verdict "$sj_ms < 100")"
	fi
}

report | tee "$OUT/results.txt"
log "results written to $OUT/results.txt"
