"$ANALYZE" conns --limit x demo.sift
