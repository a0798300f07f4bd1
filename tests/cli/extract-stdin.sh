cat demo.pcap | "$EXTRACT" -q -o stdin.sift - && "$ANALYZE" conns --format csv stdin.sift | wc -l
