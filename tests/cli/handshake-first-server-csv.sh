"$ANALYZE" handshake --over 300ms --server 203.0.113.20:8000 --first --format csv handshake.sift
