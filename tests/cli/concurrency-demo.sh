"$ANALYZE" concurrency --bucket 500ms demo.sift
