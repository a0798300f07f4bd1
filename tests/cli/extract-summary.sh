# extract's summary: counts, skipped packets by reason, time span, cache
# size, and where the CPU went by thread.  Times vary and the cache's
# size follows the zstd release: those numbers are shown as N.
"$EXTRACT" -o summary.sift demo.pcap 2>&1 >/dev/null |
	sed -E -e 's/[0-9]+\.[0-9]+ s\b/N s/g' \
	    -e 's/cache [0-9.]+ KiB \([0-9.]+% of the capture, [0-9.]+ bytes/cache N KiB (N% of the capture, N bytes/'
