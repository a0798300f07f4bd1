"$ANALYZE" ladder demo.sift
