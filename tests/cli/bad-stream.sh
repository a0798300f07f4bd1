"$ANALYZE" conns --stream x demo.sift
