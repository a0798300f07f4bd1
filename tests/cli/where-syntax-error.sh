"$ANALYZE" conns --where 'sport == 80 &&' demo.sift
