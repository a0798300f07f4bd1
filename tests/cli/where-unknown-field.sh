"$ANALYZE" conns --where 'synak > 300ms' demo.sift
