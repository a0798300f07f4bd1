"$ANALYZE" conns demo-8080.sift   # stream numbers of the whole capture: 1, 2, 8
