"$ANALYZE" ladder --client 198.51.100.2 --server 203.0.113.20:8000 --format csv demo.sift | head -5
