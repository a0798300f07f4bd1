"$ANALYZE" conns --format json --client 2001:db8:1::2 --server [2001:db8:2::20]:8080 ipv6.sift
