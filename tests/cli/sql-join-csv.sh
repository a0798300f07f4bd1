"$ANALYZE" sql 'SELECT c.stream, count(*) AS resent FROM conns c JOIN packets p ON p.stream = c.stream WHERE p.retransmission GROUP BY c.stream' --format csv lossy.sift
