"$ANALYZE" window --stream 0 --where 'rel > 3 && win < 5000' --columns frame,rel,win,analysis zerowin.sift
