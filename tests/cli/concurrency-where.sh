"$ANALYZE" concurrency --bucket 500ms --where 'max_open >= 3' --limit 4 demo.sift
