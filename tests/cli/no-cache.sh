"$ANALYZE" conns
