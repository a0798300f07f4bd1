"$ANALYZE" conns --help
