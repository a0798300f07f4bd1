"$ANALYZE" handshake --over 300ms handshake.sift
