"$ANALYZE" sql --where 'x' 'SELECT 1' demo.sift
