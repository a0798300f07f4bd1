"$ANALYZE" handshake --over soon demo.sift
