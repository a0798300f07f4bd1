"$ANALYZE" sql 'SELECT server, sport, count(*) AS n, max(synack) AS slowest FROM conns WHERE synack > 0.3 GROUP BY server, sport ORDER BY server, sport' handshake.sift
