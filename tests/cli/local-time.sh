TZ=IST-5:30 "$ANALYZE" conns --local demo.sift | head -2 | cut -c1-80
