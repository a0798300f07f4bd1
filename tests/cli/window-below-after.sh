"$ANALYZE" window --stream 0 --below 10000 --after 2.5 zerowin.sift
