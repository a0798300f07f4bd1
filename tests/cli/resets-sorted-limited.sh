"$ANALYZE" resets --where 'rst_by == client' --columns stream,server,sport,rst_frame,concurrent,concurrent_any --sort -concurrent,stream --limit 5 aborts.sift
