"$EXTRACT" -q - </dev/null
