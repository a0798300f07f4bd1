"$ANALYZE" concurrency --at 1.327486 --list aborts.sift; "$ANALYZE" concurrency --at 1.327486 --format csv aborts.sift
