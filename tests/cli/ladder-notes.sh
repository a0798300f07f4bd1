"$ANALYZE" ladder --stream 0 lossy.sift | grep -F "[TCP" | head -30
