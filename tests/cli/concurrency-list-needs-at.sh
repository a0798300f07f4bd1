"$ANALYZE" concurrency --list demo.sift
