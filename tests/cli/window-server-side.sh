"$ANALYZE" window --stream 1 --side server demo.sift
