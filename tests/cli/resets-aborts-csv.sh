"$ANALYZE" resets --by client --format csv aborts.sift
