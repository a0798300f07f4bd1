"$ANALYZE" ladder --stream 4 demo.sift
