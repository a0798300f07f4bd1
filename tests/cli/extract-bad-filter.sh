"$EXTRACT" -f "tcp port" -o x.sift demo.pcap
