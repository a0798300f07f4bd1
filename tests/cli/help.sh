"$ANALYZE" help
