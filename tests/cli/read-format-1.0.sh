"$ANALYZE" packets --stream 4 --format csv "$ROOT_DIR/tests/golden/demo-1.0.sift"; "$ANALYZE" info --format csv "$ROOT_DIR/tests/golden/demo-1.0.sift" | head -3
