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
#   sudo samples/record.sh truth            handshake + aborts + zerowin + lossy
#   sudo samples/record.sh NAME [OUT]       one of those four: OUT (default
#                                           samples/NAME.pcap) and the .truth
#                                           file beside it
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
NEED_TSHARK=0          # 1 when a recording writes a .truth file

log() { printf '[record] %s\n' "$*" >&2; }
die() { printf '[record] error: %s\n' "$*" >&2; exit 1; }

usage() {
	sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
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
	if ((NEED_TSHARK)) && ! command -v tshark >/dev/null; then
		die "the .truth files are computed with tshark; install with: apt-get install -y tshark"
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

# ---------------------------------------------------------------- truth files
#
# The four recordings below plant known facts and write a .truth file beside
# the capture: tab-separated tables, each one header line and its rows,
# tables separated by one empty line, '#' lines are comments (see README).
# Planted columns come from the plan the script made before recording;
# measured columns come from the capture, read back with tshark, and each
# recording dies when the two disagree.

# lab_v4 SERVER_ADDR...: client -- router -- server over IPv4, namespace
# names in NS_CLI, NS_RTR, NS_SRV; the client is 198.51.100.2 on c0, the
# router forwards (r0 towards the client, r1 towards the server) but holds
# nothing until the caller adds NFQUEUE rules.
lab_v4() {
	local a
	NS_CLI=$PFX-cli NS_RTR=$PFX-rtr NS_SRV=$PFX-srv
	ns_add "$NS_CLI" 0; ns_add "$NS_RTR" 0; ns_add "$NS_SRV" 0
	veth "$NS_CLI" c0 "$NS_RTR" r0
	veth "$NS_RTR" r1 "$NS_SRV" s0
	ip -n "$NS_CLI" addr add 198.51.100.2/24 dev c0
	ip -n "$NS_RTR" addr add 198.51.100.1/24 dev r0
	ip -n "$NS_RTR" addr add 203.0.113.1/24 dev r1
	for a in "$@"; do ip -n "$NS_SRV" addr add "$a/24" dev s0; done
	ip -n "$NS_CLI" route add default via 198.51.100.1
	ip -n "$NS_SRV" route add default via 203.0.113.1
	ns_sysctl "$NS_RTR" net.ipv4.ip_forward 1
}

# tsh PCAP [tshark options...]: tshark quietly, tab-separated fields.
tsh() {
	local pcap=$1
	shift
	tshark -r "$pcap" -E separator=/t "$@" 2>/dev/null
}

# Epoch time (s) of the first frame: the zero of every *_rel column.
first_epoch() {
	tsh "$1" -c 1 -T fields -e frame.time_epoch
}

# handshake.pcap: 300 short GETs, one every 25 ms, from fixed client ports
# 41000-41299 to four server endpoints in turn.  No path delay; on the
# server host an NFQUEUE holds the SYN-ACKs of a fixed pseudo-random ~10%
# (chosen by client port) for 350-590 ms.  Three connections lose their
# first SYN (dropped on the server host, so the capture shows the
# retransmission 1 s later), and two SYNs go to 203.0.113.20:9999, where
# they are dropped without an answer.
record_handshake() {
	local out=${1:-$SAMPLES_DIR/handshake.pcap}
	local truth=${out%.pcap}.truth pcap=$WORK/handshake.pcap
	local C=198.51.100.2 S1=203.0.113.10 S2=203.0.113.20
	local targets=("$S1 80" "$S1 8080" "$S2 8000" "$S2 443")
	local holds=(350 410 470 530 590)       # ms; queue 10 + index
	local syndrop=(45 150 255) silent=(100 200) n=300
	local plan=$WORK/handshake.plan clog=$WORK/handshake.clients
	local i x=12345 cls hold port sip sport k
	log "recording handshake -> $out"
	lab_v4 "$S1" "$S2"

	# The plan: conn i uses client port 41000+i and targets[i % 4]; a
	# linear congruential generator with a fixed seed picks the slow ones
	# and their hold.
	printf 'conn\tclient_ip\tclient_port\tserver_ip\tserver_port\tclass\thold_ms\n' >"$plan"
	for ((i = 0; i < n; i++)); do
		x=$(((x * 1103515245 + 12345) & 0x7fffffff))
		read -r sip sport <<<"${targets[i % 4]}"
		cls=fast hold=0
		if [[ " ${syndrop[*]} " == *" $i "* ]]; then
			cls=syn_dropped
		elif [[ " ${silent[*]} " == *" $i "* ]]; then
			cls=unanswered sip=$S2 sport=9999
		elif (((x >> 16) % 10 == 0)); then
			cls=slow hold=${holds[(x >> 8) % ${#holds[@]}]}
		fi
		printf '%d\t%s\t%d\t%s\t%d\t%s\t%d\n' "$i" $C $((41000 + i)) \
			"$sip" "$sport" "$cls" "$hold" >>"$plan"
	done

	# Server host rules, from the plan.
	k=0
	while IFS=$'\t' read -r i _ port sip sport cls hold; do
		case $cls in
		slow)
			ip netns exec "$NS_SRV" iptables -A OUTPUT -p tcp -d $C --dport "$port" \
				--tcp-flags SYN,ACK SYN,ACK \
				-j NFQUEUE --queue-num $((10 + (hold - 350) / 60))
			;;
		syn_dropped)   # its own queue drops exactly one packet: the first SYN
			ip netns exec "$NS_SRV" iptables -A INPUT -p tcp -s $C --sport "$port" \
				--syn -j NFQUEUE --queue-num $((20 + k))
			nfq_start "$NS_SRV" $((20 + k)) 0 60 -n 1 -k 1 -l "$WORK/syndrop$k.log"
			k=$((k + 1))
			;;
		esac
	done < <(tail -n +2 "$plan")
	ip netns exec "$NS_SRV" iptables -A INPUT -p tcp -d $S2 --dport 9999 -j DROP
	for k in "${!holds[@]}"; do
		nfq_start "$NS_SRV" $((10 + k)) "${holds[k]}" 60
	done
	server "$NS_SRV" 60 -l $S1:80 -l $S1:8080 -l $S2:8000 -l $S2:443

	capture_start "$NS_CLI" c0 "$pcap" -U --immediate-mode
	sleep 0.3
	: >"$clog"
	while IFS=$'\t' read -r i _ port sip sport cls hold; do
		if [[ $cls == unanswered ]]; then
			client "$NS_CLI" -c "$sip" -p "$sport" -b $C:"$port" -X -w 1.5 -T 10 -v >>"$clog"
		else
			client "$NS_CLI" -c "$sip" -p "$sport" -b $C:"$port" \
				-g $((100 + i * 37 % 1900)) -w 5 -T 10 -v >>"$clog"
		fi
		sleep 0.025
	done < <(tail -n +2 "$plan")
	wait_clients 30
	sleep 0.3
	capture_stop
	check_frames "$pcap"

	# Measured: per client port, the first SYN's time and stream, the number
	# of SYNs, the first SYN-ACK's time.  Then the first slow connection
	# (by first SYN) of each server endpoint and of each server address.
	{
		echo "# samples/handshake.truth: written by samples/record.sh handshake; see samples/README.md"
		tsh "$pcap" -Y 'tcp.flags.syn==1' -T fields -e frame.time_relative \
			-e tcp.stream -e tcp.flags.ack -e tcp.srcport -e tcp.dstport |
		awk -F'\t' -v OFS='\t' '
		NR == FNR {
			if ($3 == 0 || $3 == "False") {
				p = $4; nsyn[p]++
				if (!(p in syn)) { syn[p] = $1; stream[p] = $2 }
			} else if (!($5 in sa)) {
				sa[$5] = $1
			}
			next
		}
		FNR == 1 { hdr = $0; next }
		{
			n++; line[n] = $0; port[n] = $3; ip[n] = $4; ep[n] = $4 ":" $5
			cls[n] = $6; hold[n] = $7
			if (cls[n] == "slow") {
				if (!(ep[n] in fse) || syn[$3] + 0 < syn[port[fse[ep[n]]]] + 0) fse[ep[n]] = n
				if (!(ip[n] in fsi) || syn[$3] + 0 < syn[port[fsi[ip[n]]]] + 0) fsi[ip[n]] = n
			}
		}
		END {
			print hdr, "tcp_stream", "syn_rel", "syns", "synack_ms", "first_slow_endpoint", "first_slow_ip"
			for (i = 1; i <= n; i++) {
				p = port[i]
				if (!(p in syn)) { print "no SYN from port " p > "/dev/stderr"; bad = 1; continue }
				ms = (p in sa) ? (sa[p] - syn[p]) * 1000 : -1
				c = cls[i]
				if ((c == "slow" && (ms < hold[i] || ms > hold[i] + 50)) ||
				    (c == "fast" && (ms < 0 || ms > 50)) ||
				    (c == "syn_dropped" && (nsyn[p] != 2 || ms < 1000 || ms > 1100)) ||
				    (c == "unanswered" && (ms >= 0 || nsyn[p] != 2)) ||
				    (c != "syn_dropped" && c != "unanswered" && nsyn[p] != 1)) {
					printf "port %s: planted %s %s ms, measured %.3f ms, %d SYNs\n", p, c, hold[i], ms, nsyn[p] > "/dev/stderr"
					bad = 1
				}
				print line[i], stream[p], sprintf("%.6f", syn[p]), nsyn[p],
				      ms < 0 ? "-" : sprintf("%.3f", ms),
				      fse[ep[i]] == i ? 1 : 0, fsi[ip[i]] == i ? 1 : 0
			}
			exit bad
		}' - "$plan"
	} >"$WORK/handshake.truth" || die "handshake: the capture does not show what was planted"
	for k in 0 1 2; do
		[[ $(wc -l <"$WORK/syndrop$k.log") -eq 1 ]] || die "handshake: queue $((20 + k)) did not drop exactly one SYN"
	done
	summarize_truth "$WORK/handshake.truth" 6
	mv "$pcap" "$out"
	mv "$WORK/handshake.truth" "$truth"
}

# Count the rows of a truth table by the value of column COL (log only).
summarize_truth() {
	local file=$1 col=$2
	awk -F'\t' -v c="$col" '!/^#/ && NF > 1 && !h++ { next } !/^#/ && NF > 1 { n[$c]++ }
		END { for (k in n) printf "[truth] %s: %d\n", k, n[k] }' "$file" >&2
}

# aborts.pcap: 40 GETs, one every 125 ms, from client ports 42000-42039 to
# four servers in turn (each its own address and port), 10 ms each way at
# the router, the servers paced to 40 kB/s so that several transfers are
# open at once.  Connections 2, 7, 12, ... (i % 5 == 2) abort after 2/3
# of the body with SO_LINGER 0 (an RST); the rest end with FINs.
record_aborts() {
	local out=${1:-$SAMPLES_DIR/aborts.pcap}
	local truth=${out%.pcap}.truth pcap=$WORK/aborts.pcap
	local C=198.51.100.2 n=40
	local servers=("203.0.113.10 80" "203.0.113.20 8080" "203.0.113.30 8000" "203.0.113.40 443")
	local plan=$WORK/aborts.plan clog=$WORK/aborts.clients
	local i sip sport size think after end
	log "recording aborts -> $out"
	lab_v4 203.0.113.10 203.0.113.20 203.0.113.30 203.0.113.40
	ip netns exec "$NS_RTR" iptables -A FORWARD -j NFQUEUE --queue-num 0
	nfq_start "$NS_RTR" 0 10 60
	server "$NS_SRV" 60 -L 40000 -l 203.0.113.10:80 -l 203.0.113.20:8080 \
		-l 203.0.113.30:8000 -l 203.0.113.40:443

	printf 'conn\tclient_ip\tclient_port\tserver_ip\tserver_port\tget_bytes\tthink_ms\tend\tabort_after\n' >"$plan"
	for ((i = 0; i < n; i++)); do
		read -r sip sport <<<"${servers[i % 4]}"
		size=$((12000 + i * 7919 % 32000)) think=$((i * 3 % 5 * 100))
		end=fin after=-
		if ((i % 5 == 2)); then end=rst after=$((size * 2 / 3)); fi
		printf '%d\t%s\t%d\t%s\t%d\t%d\t%d\t%s\t%s\n' "$i" $C $((42000 + i)) \
			"$sip" "$sport" $size $think $end $after >>"$plan"
	done

	capture_start "$NS_CLI" c0 "$pcap" -U --immediate-mode
	sleep 0.3
	: >"$clog"
	while IFS=$'\t' read -r i _ port sip sport size think end after; do
		local abort=()
		[[ $end == rst ]] && abort=(-A "$after")
		client "$NS_CLI" -c "$sip" -p "$sport" -b $C:"$port" -g "$size" \
			-q "delay=$think" "${abort[@]}" -w 10 -T 20 -v >>"$clog"
		sleep 0.125
	done < <(tail -n +2 "$plan")
	wait_clients 40
	sleep 0.5
	capture_stop
	check_frames "$pcap"

	# Per stream: first and last frame time, client port, server, first RST
	# from the client.  For each abort, the streams in progress at its RST:
	# first_rel <= t < last_rel, the aborted stream itself excluded.
	local t0
	t0=$(first_epoch "$pcap")
	{
		echo "# samples/aborts.truth: written by samples/record.sh aborts; see samples/README.md"
		echo "# busy_*: streams with first_rel <= rst_rel < last_rel, the aborted one excluded; server = address and port"
		tsh "$pcap" -Y tcp -T fields -e frame.number -e frame.time_relative \
			-e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
			-e tcp.flags.reset |
		awk -F'\t' -v OFS='\t' -v C=$C -v t0="$t0" '
		FILENAME == "-" {
			s = $3
			if (!(s in first)) { first[s] = $2; ns++ }
			last[s] = $2
			if ($4 == C) { cp = $5; srv[s] = $6 ":" $7 } else { cp = $7; srv[s] = $4 ":" $5 }
			port2s[cp] = s
			if ($8 == 1 || $8 == "True") {
				nrst[s]++
				if ($4 == C && !(s in rstf)) { rstf[s] = $1; rstt[s] = $2 }
			}
			next
		}
		FILENAME ~ /clients$/ { if ($1 == "conn") close_t[$2] = $5; next }
		FNR == 1 { print $0, "tcp_stream", "first_rel", "last_rel", "rst_frame", "rst_rel", "client_close_rel", "clock_diff_ms", "busy_other_servers", "busy_any_server", "busy_streams"; next }
		{
			p = $3; ep = $4 ":" $5
			if (!(p in port2s)) { print "no stream for port " p > "/dev/stderr"; bad = 1; next }
			s = port2s[p]
			if ($8 == "fin") {
				if (nrst[s]) { print "port " p ": planted FIN, capture has an RST" > "/dev/stderr"; bad = 1 }
				print $0, s, sprintf("%.6f", first[s]), sprintf("%.6f", last[s]), "-", "-", "-", "-", "-", "-", "-"
				next
			}
			if (!(s in rstf)) { print "port " p ": planted RST not in the capture" > "/dev/stderr"; bad = 1; next }
			t = rstt[s]; other = any = 0; list = ""
			for (o = 0; o < ns; o++) {
				if (o == s || !(first[o] <= t && t < last[o])) continue
				any++; list = list (list == "" ? "" : ",") o
				if (srv[o] != ep) other++
			}
			d = (close_t[p] - t0 - t) * 1000
			if (d > 5 || d < -5) { printf "port %s: client clock %.3f ms off the RST\n", p, d > "/dev/stderr"; bad = 1 }
			print $0, s, sprintf("%.6f", first[s]), sprintf("%.6f", last[s]), rstf[s], sprintf("%.6f", t),
			      sprintf("%.6f", close_t[p] - t0), sprintf("%.3f", d), other, any, list
		}
		END { exit bad }' - "$clog" "$plan"
	} >"$WORK/aborts.truth" || die "aborts: the capture does not show what was planted"
	summarize_truth "$WORK/aborts.truth" 8
	mv "$pcap" "$out"
	mv "$WORK/aborts.truth" "$truth"
}

# zerowin.pcap: one 800 kB download, 10 ms each way, the server paced to
# 250 kB/s; the client has a fixed 64 KiB receive buffer and stops reading
# twice for 1 s (after 120 kB and after 500 kB of body), so its window
# falls to zero twice.
ZW_THRESHOLD=10000     # bytes: the window question's threshold
ZW_AFTER=2.5           # s after the first frame: the window question's time
record_zerowin() {
	local out=${1:-$SAMPLES_DIR/zerowin.pcap}
	local truth=${out%.pcap}.truth pcap=$WORK/zerowin.pcap
	local C=198.51.100.2 S1=203.0.113.10 port=43000 clog=$WORK/zerowin.clients
	log "recording zerowin -> $out"
	lab_v4 $S1
	ip netns exec "$NS_RTR" iptables -A FORWARD -j NFQUEUE --queue-num 0
	nfq_start "$NS_RTR" 0 10 60
	server "$NS_SRV" 60 -L 250000 -l $S1:80

	capture_start "$NS_CLI" c0 "$pcap" -U --immediate-mode
	sleep 0.3
	client "$NS_CLI" -c $S1 -p 80 -b $C:$port -g 800000 -R 32768 \
		-z 120000:1200,500000:1200 -w 10 -T 20 -v >"$clog"
	wait_clients 40
	sleep 0.3
	capture_stop
	check_frames "$pcap"

	# Spans: from the first client packet advertising window 0 to the next
	# client packet advertising more (the window update), matched in order
	# with the pauses the client logged.
	local t0
	t0=$(first_epoch "$pcap")
	{
		echo "# samples/zerowin.truth: written by samples/record.sh zerowin; see samples/README.md"
		echo "# table 1: planted read pauses (client clock) and the zero-window spans seen in the capture"
		tsh "$pcap" -Y tcp -T fields -e frame.number \
			-e frame.time_relative -e tcp.window_size -e tcp.stream -e ip.src |
		awk -F'\t' -v OFS='\t' -v t0="$t0" -v C=$C -v port=$port -v S=$S1:80 \
			-v thr=$ZW_THRESHOLD -v after=$ZW_AFTER '
		FILENAME == "-" && $5 != C {
			if (inzero) probes[nz]++
			next
		}
		FILENAME == "-" {
			stream = $4
			if ($3 == 0 && !inzero) { nz++; zs[nz] = $2; zsf[nz] = $1; inzero = 1 }
			if ($3 == 0) zn[nz]++
			if ($3 > 0 && inzero) { ze[nz] = $2; zef[nz] = $1; inzero = 0 }
			if ($2 > after + 0 && $3 < thr + 0) { q++; if (!qf) qf = $1; ql = $1 }
			if ($2 > after - 0.2 && $2 < after + 0.2 && $3 < thr + 0) near = 1
			next
		}
		$1 == "pause" { np++; ps[np] = $4 - t0; pe[np] = $5 - t0; pat[np] = $6 }
		END {
			split(S, sv, ":")
			print "span", "client_ip", "client_port", "server_ip", "server_port", "tcp_stream", "pause_after_bytes", "pause_start_rel", "pause_end_rel", "zero_start_rel", "zero_end_rel", "zero_start_frame", "zero_end_frame", "zero_frames", "server_probes"
			if (np != 2 || nz != 2) { printf "%d pauses planted, %d zero-window spans seen\n", np, nz > "/dev/stderr"; bad = 1 }
			for (i = 1; i <= nz && i <= np; i++) {
				if (zs[i] < ps[i] || zs[i] > pe[i] || ze[i] < pe[i] || ze[i] > pe[i] + 0.1) {
					printf "span %d: zero window %.3f-%.3f outside pause %.3f-%.3f\n", i, zs[i], ze[i], ps[i], pe[i] > "/dev/stderr"; bad = 1
				}
				print i, C, port, sv[1], sv[2], stream, pat[i], sprintf("%.6f", ps[i]), sprintf("%.6f", pe[i]),
				      sprintf("%.6f", zs[i]), sprintf("%.6f", ze[i]), zsf[i], zef[i], zn[i], probes[i] + 0
			}
			if (near) { print "window question not clean: a low window within 0.2 s of " after > "/dev/stderr"; bad = 1 }
			print ""
			print "# table 2: client-to-server packets after after_rel whose window (tcp.window_size, scaled) is below threshold"
			print "after_rel", "threshold", "client_ip", "client_port", "server_ip", "server_port", "tcp_stream", "packets", "first_frame", "last_frame"
			print after, thr, C, port, sv[1], sv[2], stream, q + 0, qf, ql
			exit bad
		}' - "$clog"
	} >"$WORK/zerowin.truth" || die "zerowin: the capture does not show what was planted"
	sed 's/^/[truth] /' "$WORK/zerowin.truth" >&2
	mv "$pcap" "$out"
	mv "$WORK/zerowin.truth" "$truth"
}

# lossy.pcap: one 1 MB download, 10 ms each way at the router; the queue
# for the server-to-client direction also drops every 50th packet it sees.
LOSSY_DELAY=10         # ms, each way
LOSSY_EVERY=50         # drop every Nth server-to-client packet
record_lossy() {
	local out=${1:-$SAMPLES_DIR/lossy.pcap}
	local truth=${out%.pcap}.truth pcap=$WORK/lossy.pcap
	local C=198.51.100.2 S1=203.0.113.10 port=44000 clog=$WORK/lossy.clients
	local drops=$WORK/lossy.drops nfq_pid
	log "recording lossy -> $out"
	lab_v4 $S1
	ip netns exec "$NS_RTR" iptables -A FORWARD -i r0 -j NFQUEUE --queue-num 0
	ip netns exec "$NS_RTR" iptables -A FORWARD -i r1 -j NFQUEUE --queue-num 1
	nfq_start "$NS_RTR" 0 $LOSSY_DELAY 60
	nfq_start "$NS_RTR" 1 $LOSSY_DELAY 60 -n $LOSSY_EVERY -l "$drops" 2>"$WORK/nfq1.err"
	nfq_pid=$LAST_PID
	server "$NS_SRV" 60 -l $S1:80

	capture_start "$NS_CLI" c0 "$pcap" -U --immediate-mode
	sleep 0.3
	client "$NS_CLI" -c $S1 -p 80 -b $C:$port -g 1000000 -w 10 -T 20 -v >"$clog"
	wait_clients 40
	sleep 0.3
	capture_stop
	check_frames "$pcap"
	kill -TERM "$nfq_pid"
	wait_pid "$nfq_pid" 5 || true
	local seen dropped
	seen=$(sed -n 's/.* seen \([0-9]*\) .*/\1/p' "$WORK/nfq1.err")
	dropped=$(sed -n 's/.* dropped \([0-9]*\) .*/\1/p' "$WORK/nfq1.err")
	[[ -n $dropped && $dropped -gt 0 && $dropped -eq $(wc -l <"$drops") ]] ||
		die "lossy: queue counters ($dropped) and drop log ($(wc -l <"$drops") lines) disagree"

	# tshark's view: frames it flags as retransmission (fast ones are
	# flagged both ways), fast retransmission, out-of-order; the count of
	# "previous segment not captured" (one per hole) and of duplicate ACKs.
	local t0 rx fx ox lost dup
	t0=$(first_epoch "$pcap")
	rx=$(tsh "$pcap" -Y tcp.analysis.retransmission -T fields -e frame.number | paste -sd,)
	fx=$(tsh "$pcap" -Y tcp.analysis.fast_retransmission -T fields -e frame.number | paste -sd,)
	ox=$(tsh "$pcap" -Y tcp.analysis.out_of_order -T fields -e frame.number | paste -sd,)
	lost=$(tsh "$pcap" -Y tcp.analysis.lost_segment -T fields -e frame.number | wc -l)
	dup=$(tsh "$pcap" -Y tcp.analysis.duplicate_ack -T fields -e frame.number | wc -l)
	{
		echo "# samples/lossy.truth: written by samples/record.sh lossy; see samples/README.md"
		echo "# table 1: the path as planted, and tshark's retransmission counts"
		tsh "$pcap" -Y "ip.src==$S1 && tcp" -T fields -e frame.number \
			-e frame.time_relative -e tcp.seq_raw -e tcp.len -e tcp.stream |
		awk -F'\t' -v OFS='\t' -v t0="$t0" -v C=$C -v port=$port -v S=$S1 \
			-v delay=$LOSSY_DELAY -v every=$LOSSY_EVERY -v seen="$seen" \
			-v dropped="$dropped" -v rx="$rx" -v fx="$fx" -v ox="$ox" \
			-v lost="$lost" -v dup="$dup" '
		FILENAME == "-" {
			stream = $5
			if (!($3 in sf)) { sf[$3] = $1; st[$3] = $2 }
			next
		}
		{ nd++; d[nd] = $0 }
		END {
			nr = split(rx, r, ","); nf = split(fx, f, ","); no = split(ox, o, ",")
			for (i = 1; i <= nr; i++) isr[r[i]] = 1
			for (i = 1; i <= nf; i++) isf[f[i]] = 1
			for (i = 1; i <= no; i++) iso[o[i]] = 1
			print "client_ip", "client_port", "server_ip", "server_port", "tcp_stream", "delay_ms_each_way", "rtt_ms", "drop_every", "queued_server_to_client", "dropped", "ts_retransmission", "ts_fast_retransmission", "ts_out_of_order", "ts_lost_segment", "ts_duplicate_ack"
			print C, port, S, 80, stream, delay, 2 * delay, every, seen, dropped, nr, nf, no, lost, dup
			print ""
			print "# table 2: each packet the queue dropped (router clock), and the first frame with its sequence number in the capture"
			print "drop", "drop_rel", "seq_raw", "len", "tcp_flags", "resent_frame", "resent_rel", "resent_kind"
			for (i = 1; i <= nd; i++) {
				split(d[i], x, "\t")
				fr = (x[6] in sf) ? sf[x[6]] : "-"
				kind = fr == "-" ? "-" : (fr in isf) ? "fast_retransmission" : (fr in isr) ? "retransmission" : (fr in iso) ? "out_of_order" : "not_flagged"
				if (fr == "-" && x[7] > 0) { print "dropped seq " x[6] " never arrived" > "/dev/stderr"; bad = 1 }
				print i, sprintf("%.6f", x[1] - t0), x[6], x[7], x[8], fr,
				      fr == "-" ? "-" : sprintf("%.6f", st[x[6]]), kind
			}
			exit bad
		}' - "$drops"
	} >"$WORK/lossy.truth" || die "lossy: the capture does not show what was planted"
	sed 's/^/[truth] /' "$WORK/lossy.truth" >&2
	mv "$pcap" "$out"
	mv "$WORK/lossy.truth" "$truth"
}

# ---------------------------------------------------------------- main

main() {
	local what=${1:-all}
	case $what in
	-h | --help | help) usage ;;
	all | demo | ipv6 | bench) ;;
	truth | handshake | aborts | zerowin | lossy) NEED_TSHARK=1 ;;
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
	truth)
		record_handshake ""
		run_reset
		record_aborts ""
		run_reset
		record_zerowin ""
		run_reset
		record_lossy ""
		;;
	handshake) record_handshake "${2:-}" ;;
	aborts) record_aborts "${2:-}" ;;
	zerowin) record_zerowin "${2:-}" ;;
	lossy) record_lossy "${2:-}" ;;
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
