"$ANALYZE" handshake --summary --sort -synack_med --columns server,sport,conns,synack_med handshake.sift
