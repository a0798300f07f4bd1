"$ANALYZE" conns --sort stream --columns strem demo.sift
