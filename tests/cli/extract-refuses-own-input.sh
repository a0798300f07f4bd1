"$EXTRACT" -q -o demo.pcap demo.pcap; echo "status $?"; ls demo.pcap
