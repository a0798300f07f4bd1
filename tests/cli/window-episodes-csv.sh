"$ANALYZE" window --stream 0 --episodes --format csv zerowin.sift
