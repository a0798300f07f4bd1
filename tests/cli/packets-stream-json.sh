"$ANALYZE" packets --stream 4 --format json demo.sift
