"$ANALYZE" packets --server 203.0.113.10:8080 --format csv demo.sift | head -8
