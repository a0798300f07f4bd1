"$ANALYZE" packets --stream 0 demo-8080.sift
