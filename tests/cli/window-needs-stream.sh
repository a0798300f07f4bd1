"$ANALYZE" window demo.sift
