"$ANALYZE" handshake --where 'sport == 80 && synack > 300ms' --first handshake.sift
