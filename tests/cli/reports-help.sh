for r in concurrency handshake health resets window; do "$ANALYZE" $r --help; done
