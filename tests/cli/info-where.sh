"$ANALYZE" info --where 'field in {frames connections}' --format json demo.sift
