"$ANALYZE" conns --format xml demo.sift
