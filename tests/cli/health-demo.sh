"$ANALYZE" health demo.sift lossy.sift
