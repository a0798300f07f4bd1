"$ANALYZE" nosuchreport demo.sift
