#!/usr/bin/env bash
# record.sh - record the sample pcaps in samples/ from REAL kernel TCP traffic.
#
# Each recording builds its own throw-away network namespaces joined by veth
# pairs, runs small C traffic generators (tools/tcpgen.c) in them, delays
# packets where wanted with an NFQUEUE holder (tools/nfq-delay.c; this kernel
# has no netem) and captures with tcpdump on the client's veth.  Only
# documentation addresses are used (198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32) and nothing is routed out of the namespaces.
#
#   sudo samples/record.sh [all]            demo + ipv6 (the committed pcaps)
#   sudo samples/record.sh demo [OUT]       samples/demo.pcap
#   sudo samples/record.sh ipv6 [OUT]       samples/ipv6.pcap
#   sudo samples/record.sh bench OUT [MB]   >= MB MiB (default 1100) of mixed
#                                           traffic, for benchmarks; not committed
#
# Adding a recording: write a record_NAME function (see record_demo) that
# uses the helpers below, and add NAME to the case at the bottom.
set -euo pipefail

SAMPLES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PFX="tsift$$"          # namespace name prefix, unique per run
WORK=""                # temp dir: binaries, ready files, logs
BG_PIDS=()             # every background process we start
NETNS_LIST=()          # every namespace we create
CAP_PID=""             # running tcpdump
CAP_ERR=""             # its stderr (holds the drop counters at exit)

log() { printf '[record] %s\n' "$*" >&2; }
die() { printf '[record] error: %s\n' "$*" >&2; exit 1; }

usage() {
	sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# ---------------------------------------------------------------- setup

need_root() {
	if [[ $(id -u) -ne 0 ]]; then
		die "must run as root (it creates network namespaces, veth pairs and iptables rules): sudo $0 $*"
	fi
}

# Check the Debian packages we rely on; print the exact install line.
check_deps() {
	local missing=()
	command -v ip >/dev/null || missing+=(iproute2)
	{ command -v iptables && command -v ip6tables; } >/dev/null || missing+=(iptables)
	command -v tcpdump >/dev/null || missing+=(tcpdump)
	command -v cc >/dev/null || missing+=(gcc)
	[[ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ]] || missing+=(libnetfilter-queue-dev)
	if ((${#missing[@]})); then
		die "missing packages; install with: apt-get install -y ${missing[*]}"
	fi
	if ! command -v ethtool >/dev/null; then
		log "note: ethtool not found (apt-get install -y ethtool); falling back to" \
		    "'ip link set gso_max_segs 1' to keep segments MTU-sized"
	fi
}

# Compile the tools into the temp dir (binaries are never committed).
build_tools() {
	cc -O2 -Wall -o "$WORK/nfq-delay" "$SAMPLES_DIR/tools/nfq-delay.c" \
		-lnetfilter_queue -lnfnetlink
	cc -O2 -Wall -pthread -o "$WORK/tcpgen" "$SAMPLES_DIR/tools/tcpgen.c"
}

# Kill what we started, delete our namespaces, remove the temp dir.  Runs on
# every exit (normal, error, Ctrl-C) via the EXIT trap.
cleanup() {
	local rc=$? pid i
	set +e
	if [[ -n $CAP_PID ]]; then kill -INT "$CAP_PID" 2>/dev/null; fi
	for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for i in $(seq 30); do            # up to 3 s for them to go
		local alive=0
		for pid in "${BG_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
		((alive)) || break
		sleep 0.1
	done
	for pid in "${BG_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "${NETNS_LIST[@]}"; do ip netns del "$ns" 2>/dev/null; done
	[[ -n $WORK ]] && rm -rf "$WORK"
	exit $rc
}

# ---------------------------------------------------------------- helpers

# Start a command in the background and remember its pid for cleanup.
# `ip netns exec` execs the command, so $! is the command itself.
bg() {
	"$@" &
	BG_PIDS+=($!)
	LAST_PID=$!
}

# Wait (bounded) until FILE exists.
wait_file() {
	local file=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		[[ -e $file ]] && return 0
		sleep 0.05
	done
	die "timed out waiting for $file"
}

# Wait for a background pid, at most SECS seconds; returns its exit status.
wait_pid() {
	local pid=$1 secs=${2:-60} i
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		log "pid $pid did not finish within ${secs}s; killed"
	fi
	wait "$pid"
}

# New namespace with loopback up.  v6=0 disables IPv6 in it so an IPv4-only
# capture is not sprinkled with router solicitations and MLD reports.
ns_add() {
	local ns=$1 v6=${2:-1}
	ip netns add "$ns"
	NETNS_LIST+=("$ns")
	if ((v6 == 0)); then
		ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6;
		                           echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
	else
		# Static setup: no router solicitations, and no duplicate address
		# detection (it keeps link-local addresses tentative for ~1-2 s, and
		# neighbour discovery stalls the first connections meanwhile).
		ip netns exec "$ns" sh -c 'cd /proc/sys/net/ipv6/conf/default;
		                           echo 0 > router_solicitations;
		                           echo 0 > accept_dad; echo 0 > dad_transmits'
	fi
	ip -n "$ns" link set lo up
}

# Make a device send and receive MTU-sized frames, as on a real wire: no
# TSO/GSO super-packets handed to tcpdump, no GRO merging, and checksums
# computed in software so the captured ones are correct.
no_offload() {
	local ns=$1 dev=$2
	if command -v ethtool >/dev/null; then
		ip netns exec "$ns" ethtool -K "$dev" tx off rx off tso off gso off gro off \
			>/dev/null 2>&1 || ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off
	else
		ip -n "$ns" link set dev "$dev" gso_max_segs 1
	fi
}

# veth pair DEV1 (in NS1) <-> DEV2 (in NS2), both up, offloads off.
veth() {
	local ns1=$1 dev1=$2 ns2=$3 dev2=$4
	ip link add "$dev1" netns "$ns1" type veth peer name "$dev2" netns "$ns2"
	no_offload "$ns1" "$dev1"
	no_offload "$ns2" "$dev2"
	ip -n "$ns1" link set "$dev1" up
	ip -n "$ns2" link set "$dev2" up
}

# Write a sysctl inside a namespace (no dependency on procps).
ns_sysctl() {
	local ns=$1 key=$2 val=$3
	ip netns exec "$ns" sh -c "echo $val > /proc/sys/${key//.//}"
}

# nfq_start NS QUEUE DELAY_MS MAX_SEC [nfq-delay options...]
# Run the packet holder in NS; the caller adds the iptables NFQUEUE rule
# that selects which packets go to QUEUE.
nfq_start() {
	local ns=$1 q=$2 delay=$3 secs=$4
	shift 4
	rm -f "$WORK/nfq$q.ready"
	bg ip netns exec "$ns" "$WORK/nfq-delay" -q "$q" -d "$delay" -t "$secs" \
		-r "$WORK/nfq$q.ready" -v "$@"
	wait_file "$WORK/nfq$q.ready" 10
}

# server NS MAX_SEC -l ADDR:PORT ... : start tcpgen server, wait until ready.
server() {
	local ns=$1 secs=$2
	shift 2
	local ready="$WORK/srv.$RANDOM.ready"
	bg ip netns exec "$ns" "$WORK/tcpgen" server -T "$secs" -r "$ready" "$@"
	wait_file "$ready" 10
}

# client NS tcpgen-client-options... : start one client in the background;
# its pid is appended to CLIENTS (checked by wait_clients).
CLIENTS=()
client() {
	local ns=$1
	shift
	bg ip netns exec "$ns" "$WORK/tcpgen" client "$@"
	CLIENTS+=("$LAST_PID")
}

# Wait for all CLIENTS (each has its own hard time limit); fail if any failed.
wait_clients() {
	local secs=${1:-60} pid failed=0
	for pid in "${CLIENTS[@]}"; do
		wait_pid "$pid" "$secs" || failed=1
	done
	CLIENTS=()
	((failed == 0)) || die "a traffic client failed (see its message above)"
}

# capture_start NS DEV FILE [tcpdump options...]: tcpdump on DEV in NS.
# -U writes each packet as it comes, -Z root keeps it able to write FILE.
capture_start() {
	local ns=$1 dev=$2 file=$3 i
	shift 3
	CAP_ERR="$WORK/tcpdump.err"
	: >"$CAP_ERR"
	ip netns exec "$ns" tcpdump -i "$dev" -n -Z root -w "$file" "$@" 2>"$CAP_ERR" &
	CAP_PID=$!
	BG_PIDS+=("$CAP_PID")
	for ((i = 0; i < 100; i++)); do    # up to 5 s for "listening on"
		grep -q 'listening on' "$CAP_ERR" && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$CAP_ERR" >&2
	die "tcpdump did not start"
}

# Stop tcpdump with SIGINT (it flushes and writes its counters), wait for it,
# and fail if packets were lost.  The pause first matters: libpcap hands
# packets over from the kernel ring in blocks that are released when full or
# after its 1 s timeout, and SIGINT discards a block not yet released (then
# "captured" < "received by filter").  --immediate-mode avoids that too, but
# costs too much for the bench capture.
capture_stop() {
	local pid=$CAP_PID dropped captured received
	sleep 1.2
	CAP_PID=""
	kill -INT "$pid"
	wait_pid "$pid" 20 || true
	grep -E 'packets (captured|received|dropped)' "$CAP_ERR" | sed 's/^/[tcpdump] /' >&2
	captured=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$CAP_ERR")
	received=$(sed -n 's/^\([0-9]*\) packets received by filter.*/\1/p' "$CAP_ERR")
	dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$CAP_ERR")
	[[ ${dropped:-0} -eq 0 ]] || die "tcpdump: $dropped packets dropped by kernel"
	[[ ${captured:-0} -eq ${received:-0} ]] ||
		die "tcpdump wrote $captured of $received packets"
}

# Fail if the capture holds frames longer than a 1500-byte MTU Ethernet frame
# (would mean GSO/GRO super-packets, which a real wire never carries).
check_frames() {
	local file=$1 big
	big=$(tcpdump -r "$file" --count 'greater 1515' 2>/dev/null | awk '{print $1}')
	[[ ${big:-0} -eq 0 ]] || die "$file has $big frames longer than 1514 bytes"
	log "$file: $(stat -c %s "$file") bytes, no frame longer than 1514 bytes"
}

# Summary of a capture (if tshark is available).
summarize() {
	local file=$1
	command -v tshark >/dev/null || return 0
	tshark -r "$file" -q -z conv,tcp 2>/dev/null | sed -n '/<->/p' | sed 's/^/[conv] /' >&2 || true
}

# ---------------------------------------------------------------- recordings

# demo.pcap: client -- router -- server, 150 ms held each way at the router
# (RTT ~300 ms).  A 3.5 MB download plus 8 short connections beside it.
record_demo() {
	local out=${1:-$SAMPLES_DIR/demo.pcap}
	local cli=$PFX-cli rtr=$PFX-rtr srv=$PFX-srv
	local S1=203.0.113.10 S2=203.0.113.20 pcap="$WORK/demo.pcap"
	log "recording demo -> $out"

	ns_add "$cli" 0; ns_add "$rtr" 0; ns_add "$srv" 0
	veth "$cli" c0 "$rtr" r0
	veth "$rtr" r1 "$srv" s0
	ip -n "$cli" addr add 198.51.100.2/24 dev c0
	ip -n "$rtr" addr add 198.51.100.1/24 dev r0
	ip -n "$rtr" addr add 203.0.113.1/24 dev r1
	ip -n "$srv" addr add $S1/24 dev s0
	ip -n "$srv" addr add $S2/24 dev s0
	ip -n "$cli" route add default via 198.51.100.1
	ip -n "$srv" route add default via 203.0.113.1
	ns_sysctl "$rtr" net.ipv4.ip_forward 1

	# Every forwarded packet, either direction, is held 150 ms.
	ip netns exec "$rtr" iptables -A FORWARD -j NFQUEUE --queue-num 0
	nfq_start "$rtr" 0 150 60

	server "$srv" 60 -l $S1:80 -l $S1:8080 -l $S2:8000

	capture_start "$cli" c0 "$pcap" -U --immediate-mode
	sleep 0.3
	# The big download first (it becomes tcp.stream 0), then the short
	# connections one every 0.3 s while it runs.
	client "$cli" -c $S1 -p 80 -g 3500000 -T 40
	local shorts=(
		"-c $S1 -p 8080 -g 1200"            # small GET
		"-c $S1 -p 8080 -g 18000"           # medium GET
		"-c $S2 -p 8000 -u 40000"           # upload (PUT)
		"-c $S1 -p 81 -x"                   # closed port: SYN -> RST,ACK
		"-c $S2 -p 8000 -g 250000 -A 20000" # client aborts (SO_LINGER 0 -> RST)
		"-c $S2 -p 8000 -g 600 -q delay=400" # 400 ms server think time
		"-c $S2 -p 8000 -u 3000"            # small upload
		"-c $S1 -p 8080 -g 350"             # tiny GET
	)
	local s
	for s in "${shorts[@]}"; do
		sleep 0.3
		# shellcheck disable=SC2086  # word splitting of the option string is wanted
		client "$cli" $s -T 30
	done
	wait_clients 60
	sleep 0.4                               # last ACKs still sit in the router queue
	capture_stop
	check_frames "$pcap"
	summarize "$pcap"
	mv "$pcap" "$out"
}

# ipv6.pcap: the same three-namespace layout over IPv6, 10 ms each way,
# five connections with data both ways, all closed with FINs.
record_ipv6() {
	local out=${1:-$SAMPLES_DIR/ipv6.pcap}
	local cli=$PFX-cli rtr=$PFX-rtr srv=$PFX-srv
	local S1=2001:db8:2::10 S2=2001:db8:2::20 pcap="$WORK/ipv6.pcap"
	log "recording ipv6 -> $out"

	ns_add "$cli"; ns_add "$rtr"; ns_add "$srv"
	veth "$cli" c0 "$rtr" r0
	veth "$rtr" r1 "$srv" s0
	# nodad: usable at once (no 1-2 s duplicate address detection)
	ip -n "$cli" addr add 2001:db8:1::2/64 dev c0 nodad
	ip -n "$rtr" addr add 2001:db8:1::1/64 dev r0 nodad
	ip -n "$rtr" addr add 2001:db8:2::1/64 dev r1 nodad
	ip -n "$srv" addr add $S1/64 dev s0 nodad
	ip -n "$srv" addr add $S2/64 dev s0 nodad
	ip -n "$cli" -6 route add default via 2001:db8:1::1
	ip -n "$srv" -6 route add default via 2001:db8:2::1
	ns_sysctl "$rtr" net.ipv6.conf.all.forwarding 1

	ip netns exec "$rtr" ip6tables -A FORWARD -j NFQUEUE --queue-num 0
	nfq_start "$rtr" 0 10 60

	server "$srv" 60 -l "[$S1]:80" -l "[$S2]:8080"
	sleep 0.5                               # let link-local setup chatter pass
	capture_start "$cli" c0 "$pcap" -U --immediate-mode
	sleep 0.2
	local conns=(
		"-c $S1 -p 80 -g 5000"
		"-c $S1 -p 80 -u 30000"
		"-c $S2 -p 8080 -g 120000"
		"-c $S2 -p 8080 -u 8000 -q delay=50"
		"-c $S1 -p 80 -g 700"
	)
	local s
	for s in "${conns[@]}"; do
		# shellcheck disable=SC2086
		client "$cli" $s -T 20
		sleep 0.2
	done
	wait_clients 40
	capture_stop
	check_frames "$pcap"
	summarize "$pcap"
	mv "$pcap" "$out"
}

# bench OUT [MB]: client and server namespaces on one veth, no delay.  Bulk
# downloads of 20-60 MB (4 at a time) alongside thousands of short
# request/response connections, until OUT holds at least MB MiB or the time
# limit passes.  Written straight to OUT; not committed.
#
# Unpaced, veth moves far more than tcpdump can write and the kernel drops
# capture packets, so the bulk senders are paced (SO_MAX_PACING_RATE) and the
# short-connection workers pause between connections.  Knobs (environment):
#   BENCH_PACE   bytes/s per bulk connection     (default 12000000)
#   BENCH_GAP    ms between one worker's shorts  (default 4; 16 workers)
record_bench() {
	local out=$1 mb=${2:-1100} limit=600
	[[ -n $out ]] || usage
	[[ $mb =~ ^[0-9]+$ && $mb -gt 0 ]] || die "bad size: $mb"
	local pace=${BENCH_PACE:-12000000} gap=${BENCH_GAP:-4}
	local cli=$PFX-cli srv=$PFX-srv S1=198.51.100.10 S2=198.51.100.11
	local want=$((mb * 1024 * 1024)) t0=$SECONDS size=0
	mkdir -p "$(dirname "$out")"
	out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
	log "recording bench -> $out (>= $mb MiB, at most ${limit}s)"

	ns_add "$cli" 0; ns_add "$srv" 0
	veth "$cli" c0 "$srv" s0
	ip -n "$cli" addr add 198.51.100.2/24 dev c0
	ip -n "$srv" addr add $S1/24 dev s0
	ip -n "$srv" addr add $S2/24 dev s0

	server "$srv" $((limit + 30)) -l $S1:80 -L "$pace"
	server "$srv" $((limit + 30)) -l $S1:8080 -l $S1:8081 -l $S2:8080 -l $S2:8081
	# A 64 MiB capture buffer so tcpdump rides out bursts.
	capture_start "$cli" c0 "$out" -B 65536
	client "$cli" -c $S1 -p 80 -g 20M-60M -n 0 -P 4 -T $limit -S 1
	client "$cli" -c $S1,$S2 -p 8080,8081 -g 100-30000 -n 0 -P 12 -i "$gap" -T $limit -S 2
	client "$cli" -c $S1,$S2 -p 8080,8081 -u 200-20000 -n 0 -P 4 -i "$gap" -T $limit -S 3
	local i
	for ((i = 0; i < limit * 5; i++)); do     # poll the size every 0.2 s
		size=$(stat -c %s "$out" 2>/dev/null || echo 0)
		((size >= want)) && break
		sleep 0.2
	done
	local pid
	for pid in "${CLIENTS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${CLIENTS[@]}"; do wait_pid "$pid" 10 || true; done
	CLIENTS=()
	capture_stop
	size=$(stat -c %s "$out")
	((size >= want)) || log "warning: time limit reached at $size bytes (< $want)"
	check_frames "$out"
	log "bench: $size bytes in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------- main

main() {
	local what=${1:-all}
	case $what in
	-h | --help | help) usage ;;
	all | demo | ipv6 | bench) ;;
	*) usage ;;
	esac
	need_root "$@"
	check_deps
	WORK=$(mktemp -d /tmp/tcpsift-record.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	build_tools

	case $what in
	all)
		record_demo
		run_reset
		record_ipv6
		;;
	demo) record_demo "${2:-}" ;;
	ipv6) record_ipv6 "${2:-}" ;;
	bench) record_bench "${2:-}" "${3:-1100}" ;;
	esac
	log "done"
}

# Between recordings in one run: stop everything and drop the namespaces so
# the next recording starts from a clean slate (same names are reused).
run_reset() {
	local pid ns
	for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${BG_PIDS[@]}"; do wait_pid "$pid" 5 2>/dev/null || true; done
	BG_PIDS=()
	for ns in "${NETNS_LIST[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	NETNS_LIST=()
}

# Run main unless sourced (sourcing gives the helpers to ad-hoc experiments).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
