"$ANALYZE" handshake --unanswered --format json handshake.sift demo.sift
