"$ANALYZE" packets --stream 4 --format csv "$ROOT_DIR/tests/golden/demo-1.1.sift"; "$ANALYZE" info --format csv "$ROOT_DIR/tests/golden/demo-1.1.sift" | head -3
