"$ANALYZE" handshake demo.sift
