#!/usr/bin/env bash
# tests/fuzz/make-corpus.sh: regenerate the fuzzers' seed corpora.
#
#   corpus-decode/  frames taken from samples/demo.pcap and samples/ipv6.pcap
#                   (each cut to 128 bytes), re-wrapped in the other link
#                   layers decode.c knows; file format as fuzz-decode.c reads
#                   it: link-type selector byte, wire-length byte, frame.
#   corpus-cache/   caches written by build/tcpsift-extract from the first
#                   frames of samples/ipv6.pcap and samples/demo.pcap, read
#                   from standard input with SOURCE_DATE_EPOCH=0, so the
#                   same build writes the same bytes; and each of them
#                   "unpacked" (u-NAME: 'U', then the payloads decompressed
#                   and unshuffled, see fuzz-cache.c; needs zstd(1)); and
#                   the golden format 1.1 cache as it is (demo-1.1), so the
#                   older packet blocks stay fuzzed.
#                   Rerun after a cache format change.
# Both are deterministic; nothing comes from ../shared.
# Usage: tests/fuzz/make-corpus.sh   (after make; TCPSIFT_BIN as for tests)

set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
BIN=${TCPSIFT_BIN:-build}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
FUZZ=$ROOT/tests/fuzz

rm -rf "$FUZZ/corpus-decode" "$FUZZ/corpus-cache" "$FUZZ/corpus-pcapng"
mkdir -p "$FUZZ/corpus-decode" "$FUZZ/corpus-cache" "$FUZZ/corpus-pcapng"

python3 - "$ROOT/samples" "$FUZZ/corpus-decode" <<'EOF'
import os, struct, sys

samples, out = sys.argv[1], sys.argv[2]
# fuzz-decode.c's linktypes[] order: selector byte = index.
SEL = {0: 0, 1: 1, 9: 2, 12: 3, 14: 4, 101: 5, 108: 6, 113: 7, 228: 8,
       229: 9, 239: 10, 276: 11, 147: 12}
CUT = 128

def frames(path):
    d = open(path, 'rb').read()
    off, res = 24, []
    while off + 16 <= len(d):
        caplen, = struct.unpack_from('<I', d, off + 8)
        res.append(d[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return res

def save(name, dlt, frame):
    cut = frame[:CUT]
    extra = (len(frame) - len(cut) + 63) // 64
    with open(os.path.join(out, name), 'wb') as f:
        f.write(bytes([SEL[dlt], 0x80 | min(extra, 0x7f)]) + cut)

demo = frames(os.path.join(samples, 'demo.pcap'))
v6 = frames(os.path.join(samples, 'ipv6.pcap'))

# Ethernet, as captured.
save('eth-arp', 1, demo[0])
save('eth-ipv4-syn-wscale', 1, demo[2])
save('eth-ipv4-synack', 1, demo[3])
save('eth-ipv4-data', 1, demo[10])
save('eth-ipv4-fin', 1, demo[37])
save('eth-ipv4-rst', 1, demo[188])
save('eth-ipv6-icmp', 1, v6[0])
save('eth-ipv6-syn', 1, v6[2])
save('eth-ipv6-data', 1, v6[9])
save('eth-ipv6-hopbyhop', 1, v6[18])

# Other link layers around the same IP packets.
ip4, ip6 = demo[5][14:], v6[5][14:]
vlan = demo[5][:12] + b'\x81\x00\x00\x05' + demo[5][12:]
save('vlan-ipv4', 1, vlan)
save('pppoe-ipv4', 1, demo[5][:12] + b'\x88\x64\x11\x00\x00\x01' +
     struct.pack('>H', len(ip4) + 2) + b'\x00\x21' + ip4)
save('raw-ipv6', 12, ip6)
save('ipv4-linktype', 228, ip4)
save('null-ipv4', 0, struct.pack('<I', 2) + ip4)
save('loop-ipv6', 108, struct.pack('>I', 30) + ip6)
save('ppp-ipv4', 9, b'\xff\x03\x00\x21' + ip4)
save('sll-ipv4', 113, b'\x00\x00\x00\x01\x00\x06' + demo[5][6:12] +
     b'\x00\x00\x08\x00' + ip4)
save('sll2-ipv6', 276, b'\x86\xdd\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06' +
     v6[5][6:12] + b'\x00\x00' + ip6)
# NFLOG: header (family, version, resource id), then TLVs; type 9 = payload.
tlv = struct.pack('<HH', 4 + len(ip4), 9) + ip4
save('nflog-ipv4', 239, b'\x02\x00\x00\x00' + tlv)
EOF

# corpus-pcapng: small pcapng files written here around frames of
# samples/demo.pcap and samples/ipv6.pcap: several interfaces of different
# link types and snaplens (what libpcap refuses), both byte orders, several
# sections, EPB/SPB/obsolete PB, options (if_tsresol, if_tsoffset,
# comments), and blocks the reader skips (NRB, ISB, a custom block).
python3 - "$ROOT/samples" "$FUZZ/corpus-pcapng" <<'EOF'
import os, struct, sys

samples, out = sys.argv[1], sys.argv[2]

def frames(path, n):
    d = open(path, 'rb').read()
    off, res = 24, []
    while off + 16 <= len(d) and len(res) < n:
        ts, us, caplen = struct.unpack_from('<III', d, off)
        res.append((ts * 10**6 + us, d[off + 16:off + 16 + caplen][:96]))
        off += 16 + caplen
    return res

demo = frames(os.path.join(samples, 'demo.pcap'), 4)
v6 = frames(os.path.join(samples, 'ipv6.pcap'), 4)

def pad(b):
    return b + b'\0' * (-len(b) % 4)

def opt(e, code, val):
    return struct.pack(e + 'HH', code, len(val)) + pad(val)

def opts(e, *o):
    return b''.join(o) + struct.pack(e + 'HH', 0, 0) if o else b''

def block(e, btype, body):
    body = pad(body)
    n = 12 + len(body)
    return struct.pack(e + 'II', btype, n) + body + struct.pack(e + 'I', n)

def shb(e, major=1, minor=0, o=b''):
    return block(e, 0x0a0d0d0a, struct.pack(e + 'IHHq', 0x1a2b3c4d, major, minor, -1) + o)

def idb(e, linktype, snaplen, o=b''):
    return block(e, 1, struct.pack(e + 'HHI', linktype, 0, snaplen) + o)

def epb(e, iface, ts, data, wire=None, o=b''):
    return block(e, 6, struct.pack(e + 'IIIII', iface, ts >> 32, ts & 0xffffffff,
                                   len(data), wire or len(data)) + pad(data) + o)

def spb(e, data, wire=None):
    return block(e, 3, struct.pack(e + 'I', wire or len(data)) + pad(data))

def pb(e, iface, ts, data):
    return block(e, 2, struct.pack(e + 'HHIIII', iface, 0, ts >> 32, ts & 0xffffffff,
                                   len(data), len(data)) + pad(data))

def save(name, data):
    open(os.path.join(out, name), 'wb').write(data)

L = '<'
ip4 = [(t, f[14:]) for t, f in demo]
ip6 = [(t, f[14:]) for t, f in v6]
# Two interfaces, Ethernet and raw IP (LINKTYPE_RAW 101), interleaved.
save('le-eth-raw', shb(L) + idb(L, 1, 262144) + idb(L, 101, 65535) +
     b''.join(epb(L, i % 2, t, (demo if i % 2 == 0 else ip4)[i][1])
              for i, (t, _) in enumerate(demo)))
# Big-endian; nanosecond resolution and an offset on the second interface.
B = '>'
save('be-tsresol', shb(B) + idb(B, 1, 0) +
     idb(B, 228, 128, opts(B, opt(B, 9, b'\x09'), opt(B, 14, struct.pack(B + 'q', 3)))) +
     epb(B, 0, demo[0][0], demo[0][1]) + epb(B, 1, demo[1][0] * 1000, ip4[1][1]) +
     epb(B, 1, demo[2][0] * 1000, ip4[2][1], 1500))
# Two sections of different byte order, each with its own interfaces.
save('two-sections', shb(L) + idb(L, 1, 0) + epb(L, 0, v6[0][0], v6[0][1]) +
     shb(B) + idb(B, 229, 0) + idb(B, 113, 0) + epb(B, 0, v6[1][0], ip6[1][1]) +
     epb(B, 1, v6[2][0], b'\0\0\0\1\0\6' + v6[2][1][6:12] + b'\0\0\x86\xdd' + ip6[2][1]))
# Simple and obsolete Packet Blocks, a comment, skipped block types.
save('spb-pb-skip', shb(L, o=opts(L, opt(L, 1, b'made by make-corpus.sh'))) +
     idb(L, 1, 96) + spb(L, demo[0][1]) +
     block(L, 4, struct.pack(L + 'HH', 1, 4) + b'\x0a\0\0\x01' + b'x\0\0\0' + struct.pack(L + 'HH', 0, 0)) +
     pb(L, 0, demo[1][0], demo[1][1]) +
     block(L, 5, struct.pack(L + 'III', 0, 0, 0)) +
     block(L, 0x00000bad, struct.pack(L + 'I', 32473) + b'custom') +
     epb(L, 0, demo[2][0], demo[2][1], o=opts(L, opt(L, 1, b'a comment'))))
# Cut inside the last block (a truncated copy).
save('cut-short', (shb(L) + idb(L, 1, 0) + idb(L, 12, 0) +
                   epb(L, 0, demo[0][0], demo[0][1]) + epb(L, 1, demo[1][0], ip4[1][1]))[:-20])
EOF

pcapcut() {	# FILE NFRAMES: the first NFRAMES frames of a classic pcap
	python3 - "$1" "$2" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off = 24
for _ in range(int(sys.argv[2])):
    off += 16 + struct.unpack_from('<I', d, off + 8)[0]
sys.stdout.buffer.write(d[:off])
EOF
}
cache() {	# NAME CAPTURE NFRAMES
	pcapcut "$ROOT/samples/$2" "$3" |
		SOURCE_DATE_EPOCH=0 "$BIN/tcpsift-extract" -q -o "$FUZZ/corpus-cache/$1" -
}
cache ipv6-40 ipv6.pcap 40
cache ipv6-8 ipv6.pcap 8
cache demo-60 demo.pcap 60
pcapcut "$ROOT/samples/ipv6.pcap" 0 |
	SOURCE_DATE_EPOCH=0 "$BIN/tcpsift-extract" -q -o "$FUZZ/corpus-cache/empty" -
# A format 1.1 cache (filter 3 packet blocks), so older caches stay fuzzed.
cp "$ROOT/tests/golden/demo-1.1.sift" "$FUZZ/corpus-cache/demo-1.1"
# Unpack: decompress each block's payload with zstd(1), undo its filter
# (shuffle; deltas and frame references of the packet fields cache_block.c
# lists; filter 4 keeps its column directory in front), and
# put the unpacked offsets and lengths in the block headers, index and footer.
for f in "$FUZZ"/corpus-cache/*; do
	[ "$(basename "$f")" = demo-1.1 ] && continue	# 466 kB unpacked: too big a seed
	python3 - "$f" "$(dirname "$f")/u-$(basename "$f")" "$ROOT/common/pkt_fields.def" <<'EOF'
import re, struct, subprocess, sys

# Offsets of the delta-coded packet fields, from the X-macro list.
SIZE = {'u8': 1, 'i8': 1, 'u16': 2, 'u32': 4, 'u64': 8, 'i64': 8, 'addr': 16}
fields, o = {}, 0
for m in re.finditer(r'^PKT_FIELD\((\w+),\s*(\w+)', open(sys.argv[3]).read(), re.M):
    fields[m.group(2)] = (o, SIZE[m.group(1)])
    o += SIZE[m.group(1)]
DELTA = [fields[f] for f in ('frame', 'ts', 'seq', 'ack', 'tsval', 'tsecr', 'ip_id')]
REFS = [fields[f] for f in ('acked_frame', 'dupack_frame')]

d = open(sys.argv[1], 'rb').read()
blocks, off = [], 64
while off < len(d) - 32:
    comp, = struct.unpack_from('<I', d, off + 20)
    blocks.append((off, bytearray(d[off:off + 40]), d[off + 40:off + 40 + comp]))
    off += 40 + comp
raw, where, pos = [], {}, 64
for off, h, payload in blocks:
    coldir = b''
    if h[6] == 4:	# columns: the directory stays, its frames concatenate
        ncols, = struct.unpack_from('<I', payload, 0)
        coldir, payload = payload[:4 + 8 * ncols], payload[4 + 8 * ncols:]
    r = subprocess.run(['zstd', '-d', '-c', '-q'], input=payload,
                       stdout=subprocess.PIPE, check=True).stdout
    rec, n = struct.unpack_from('<II', h, 8)
    if h[6] in (1, 2, 3, 4) and rec > 1:	# shuffled: planes back to records
        r = bytes(r[j * n + i] for i in range(n) for j in range(rec))
    if h[6] in (2, 3, 4):	# deltas (cache_block.c delta_fields) back to values
        r = bytearray(r)
        get = lambda i, o, w: int.from_bytes(r[i * rec + o:i * rec + o + w], 'little')
        for i in range(1, n):
            if h[6] != 2 and i % 256 == 0:
                continue	# a restart: stored as is
            for o, w in DELTA:
                v = (get(i, o, w) + get(i - 1, o, w)) % (1 << 8 * w)
                r[i * rec + o:i * rec + o + w] = v.to_bytes(w, 'little')
        if rec >= 96:	# frame references: distances back to frames
            fo, fw = fields['frame']
            for i in range(n):
                for o, w in REFS:
                    v = get(i, o, w)
                    if v:
                        v = (get(i, fo, fw) - v) % (1 << 64)
                        r[i * rec + o:i * rec + o + w] = v.to_bytes(w, 'little')
    r = coldir + r
    struct.pack_into('<I', h, 20, len(r))
    where[off] = (pos, len(r))
    raw.append((h, bytearray(r)))
    pos += 40 + len(r)
for h, r in raw:
    if h[4] == 6:	# index entries: offset u64 at 0, comp_size u32 at 16
        for k in range(0, len(r) - 31, 32):
            o, = struct.unpack_from('<Q', r, k)
            if o in where:
                struct.pack_into('<Q', r, k, where[o][0])
                struct.pack_into('<I', r, k + 16, where[o][1])
footer = bytearray(d[-32:])
struct.pack_into('<Q', footer, 0, where[struct.unpack_from('<Q', footer, 0)[0]][0])
with open(sys.argv[2], 'wb') as f:
    f.write(b'U' + d[:64] + b''.join(bytes(h) + bytes(r) for h, r in raw) + bytes(footer))
EOF
done

# u-split: u-demo-60 with every record type spread over several small
# blocks (one packet block per run of packets, chunk records moved to
# match), so the seeds reach the multi-block paths the small captures do
# not: the frame-order merge over blocks and record lookups across blocks.
python3 - "$FUZZ/corpus-cache/u-demo-60" "$FUZZ/corpus-cache/u-split" <<'EOF'
import struct, sys

d = open(sys.argv[1], 'rb').read()[1:]
hdr, body = d[:64], d[64:-32]
blocks, off = {}, 0
while off < len(body):
    h = body[off:off + 40]
    n, = struct.unpack_from('<I', h, 20)
    blocks.setdefault(h[4], []).append((bytearray(h), body[off + 40:off + 40 + n]))
    off += 40 + n
PKT, CONN, CHUNK, DIR, META = 2, 3, 4, 5, 1

def recs(t):
    h, raw = blocks[t][0]
    size, = struct.unpack_from('<I', h, 8)
    if h[6] == 4:	# the column directory goes: these blocks are filter 1
        raw = raw[4 + 8 * struct.unpack_from('<I', raw, 0)[0]:]
    return size, [raw[i:i + size] for i in range(0, len(raw), size)]

psize, pkts = recs(PKT)
csize, chunks = recs(CHUNK)
chunks = [bytearray(c) for c in chunks]
out = []	# (type, rec_size, records, min_frame, filter)
for c in chunks:	# one packet block per run
    block, row, count = struct.unpack_from('<III', c, 4)
    first, = struct.unpack_from('<Q', c, 16)
    struct.pack_into('<II', c, 4, len(out), 0)
    out.append((PKT, psize, pkts[row:row + count], first, 1))
for t, per in ((CHUNK, 3), (CONN, 2), (DIR, 4)):
    size, rs = recs(t) if t != CHUNK else (csize, chunks)
    for i in range(0, len(rs), per):
        out.append((t, size, rs[i:i + per], 0, 1))
mh, mraw = blocks[META][0]
parts, entries, pos = [], [], 64
def add(t, size, raw, nrecs, min_frame, filt):
    global pos
    h = bytearray(40)
    h[0:4] = b'SBLK'
    h[4], h[5], h[6] = t, 1, filt
    struct.pack_into('<IIII', h, 8, size, nrecs, len(raw), len(raw))
    struct.pack_into('<Q', h, 24, min_frame)
    entries.append(struct.pack('<QB3xIIIQ', pos, t, nrecs, len(raw), len(raw), min_frame))
    parts.append(bytes(h) + bytes(raw))
    pos += 40 + len(raw)
for t, size, rs, mf, filt in out:
    add(t, size, b''.join(rs), len(rs), mf, filt)
add(META, struct.unpack_from('<I', mh, 8)[0], mraw, struct.unpack_from('<I', mh, 12)[0], 0, 0)
index_off = pos
idx = b''.join(entries)
add(6, 32, idx, len(entries), 0, 0)
footer = bytearray(d[-32:])
struct.pack_into('<Q', footer, 0, index_off)
open(sys.argv[2], 'wb').write(b'U' + hdr + b''.join(parts) + bytes(footer))
EOF
echo "$(cat "$FUZZ"/corpus-*/* | wc -c) bytes of seeds"

# corpus-extract/: the first records of each sample, payload cut to 96
# bytes (headers only), as small pcap files for fuzz-extract.
rm -rf "$FUZZ/corpus-extract"
mkdir -p "$FUZZ/corpus-extract"
python3 - "$ROOT/samples" "$FUZZ/corpus-extract" <<'PY'
import os, struct, sys
samples, out_dir = sys.argv[1], sys.argv[2]
for name, n in [("demo", 40), ("ipv6", 40), ("lossy", 120), ("zerowin", 60),
                ("aborts", 40), ("handshake", 40)]:
    path = os.path.join(samples, name + ".pcap")
    if not os.path.exists(path):
        continue
    data = open(path, "rb").read()
    fmt = "<I" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">I"
    out, off = bytearray(data[:24]), 24
    for _ in range(n):
        if off + 16 > len(data):
            break
        caplen = struct.unpack(fmt, data[off + 8:off + 12])[0]
        keep = min(caplen, 96)
        hdr = bytearray(data[off:off + 16])
        hdr[8:12] = struct.pack(fmt, keep)
        out += hdr + data[off + 16:off + 16 + keep]
        off += 16 + caplen
    open(os.path.join(out_dir, name), "wb").write(out)
PY
