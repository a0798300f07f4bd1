"$ANALYZE" info --format csv demo.sift
