"$ANALYZE" ladder --stream 45 --format csv handshake.sift
