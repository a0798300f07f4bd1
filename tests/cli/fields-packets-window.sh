"$ANALYZE" fields --where 'table == "packets" && name contains "window"' --format csv
