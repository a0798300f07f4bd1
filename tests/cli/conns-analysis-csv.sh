"$ANALYZE" conns --format csv lossy.sift aborts.sift
