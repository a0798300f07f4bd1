"$ANALYZE" handshake --summary handshake.sift
