"$ANALYZE" health --by-server --where 'retrans_pct > 0.5' lossy.sift
