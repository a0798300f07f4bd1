"$ANALYZE" conns --where 'server == 2001:db8:2::/64 && synack < 30ms' --columns stream,server,sport,synack --format csv ipv6.sift
