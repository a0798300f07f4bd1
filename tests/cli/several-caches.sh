"$ANALYZE" conns --format csv demo.sift ipv6.sift | cut -d, -f1-6
