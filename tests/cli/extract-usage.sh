"$EXTRACT" 2>&1 | head -1; "$EXTRACT" -o a.sift demo.pcap ipv6.pcap
