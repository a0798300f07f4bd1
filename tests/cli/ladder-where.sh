"$ANALYZE" ladder --stream 1 --where 'len > 0 || flags contains F' demo.sift
