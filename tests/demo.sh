#!/bin/sh
# demo.sh - what `make demo` runs: extract samples/demo.pcap once, then ask
# it a few questions from the cache, saying what to look at.
set -eu
cd "$(dirname "$0")/.."
bin=${TCPSIFT_BIN:-build}
out=build/demo.sift

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. Parse the capture once (tcpsift-extract samples/demo.pcap)"
"$bin/tcpsift-extract" -o "$out" samples/demo.pcap

say "2. Every connection (tcpsift-analyze conns $out)"
echo "   Look at synack: every SYN-ACK took about 300 ms (the path's round trip);"
echo "   stream 4 was refused (rst_server), stream 5 aborted by the client."
"$bin/tcpsift-analyze" conns "$out"

say "3. Which SYN-ACKs took over 300 ms (all of them here), as CSV for a script"
"$bin/tcpsift-analyze" handshake --over 300ms --format csv "$out"

say "3b. Who aborted with a RST, and what else was open at that moment"
"$bin/tcpsift-analyze" resets "$out"

say "4. How the refused connection went (tcpsift-analyze ladder --stream 4 $out)"
"$bin/tcpsift-analyze" ladder --stream 4 "$out"

say "5. The first packets of the download (packets --stream 0), straight from the index"
"$bin/tcpsift-analyze" packets --stream 0 "$out" | head -12

say "5b. Trouble ranking: retransmissions, duplicate ACKs, zero windows, RTT"
"$bin/tcpsift-analyze" health --top 3 "$out"

say "5c. The next question on the command line: --where, --sort, --columns on any report"
"$bin/tcpsift-analyze" conns --where 'sport == 8080 && synack > 300ms' --sort -synack \
	--columns stream,client,cport,server,sport,synack,state "$out"

say "5d. Or in SQL, straight from the cache"
"$bin/tcpsift-analyze" sql 'SELECT server, sport, count(*) AS conns, round(avg(synack), 6) AS avg_synack, sum(s2c_bytes) AS bytes_down FROM conns GROUP BY server, sport' "$out"

say "6. Where the cache came from (tcpsift-analyze info $out)"
"$bin/tcpsift-analyze" info "$out"

echo
echo "Next: tcpsift-analyze help, tcpsift-analyze REPORT --help for each report,"
echo "and tcpsift-analyze fields for every field --where, --columns and sql know."
