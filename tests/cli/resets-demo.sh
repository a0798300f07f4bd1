"$ANALYZE" resets demo.sift
