"$ANALYZE" conns demo.sift
