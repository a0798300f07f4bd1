"$ANALYZE" conns --format csv --port 8080 demo.sift
