"$ANALYZE" conns --from 1.5 --to 2s demo.sift
