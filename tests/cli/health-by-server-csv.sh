"$ANALYZE" health --by-server --format csv handshake.sift
