#!/usr/bin/env bash
# t-query.sh - the row options and the field catalog, end to end.
#
#   every report     accepts --where, --sort, --limit, --first and --columns
#                    (run once each on a sample cache, exit 0, sane rows)
#   catalog          every conns and packets field of `fields` is a column
#                    of `conns --columns all` / `packets --columns all`, in
#                    the same order, and each JSON value has its type's shape
#                    (numbers for integer, port, boolean, decimal, seconds;
#                    strings for the rest; ISO times for timestamps);
#                    every default column of every report is in `fields`
#   --where          on conns and packets, for a set of expressions, the
#                    rows equal those the same test picks in Python from the
#                    unfiltered output (so the filter, the getters and the
#                    printing agree)
#   --sort/--limit   order and count as asked, absent values last
# The grammar itself (precedence, literals, errors and carets) is
# tests/unit/unit-filter.c; --where against SQL is t-sql.sh.
source "$(dirname "$0")/lib.sh"

ANALYZE=$BIN/tcpsift-analyze
command -v python3 >/dev/null || { skip query "python3 not installed"; finish; }
for s in demo ipv6 lossy aborts zerowin; do
	[ -f "$ROOT/samples/$s.pcap" ] || continue
	"$BIN/tcpsift-extract" -q -o "$TMP/$s.sift" "$ROOT/samples/$s.pcap" ||
		{ fail query "cannot extract samples/$s.pcap"; finish; }
done

python3 - "$ANALYZE" "$TMP" <<'EOF'
import csv, io, ipaddress, json, re, subprocess, sys

analyze, tmp = sys.argv[1:3]
demo, ipv6 = tmp + '/demo.sift', tmp + '/ipv6.sift'
lossy, zerowin = tmp + '/lossy.sift', tmp + '/zerowin.sift'

def run(*args, ok=True):
    p = subprocess.run([analyze, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise RuntimeError('%s: exit %d: %s' % (' '.join(args), p.returncode, p.stderr.strip()))
    return p

def rows(*args):
    return list(csv.DictReader(io.StringIO(run(*args, '--format', 'csv').stdout)))

def jrows(*args):
    return [json.loads(l) for l in run(*args, '--format', 'json').stdout.splitlines() if l]

def check(name, ok, why=''):
    print(('PASS query-%s' % name) if ok else ('FAIL query-%s: %s' % (name, why)))

# ---- every report takes every row option ----
reports = {
    'conns': [demo], 'packets': [demo], 'handshake': [demo],
    'handshake --summary': [demo], 'resets': [demo], 'health': [demo],
    'health --by-server': [demo], 'concurrency': [demo],
    'concurrency --at 1 --list': [demo], 'window --stream 0': [demo],
    'window --stream 0 --episodes': [zerowin], 'ladder --stream 1': [demo],
    'info': [demo], 'fields': [],
}
for rep, caches in reports.items():
    base = rep.split()
    try:
        allrows = rows(*base, *caches)
        if not allrows:	# nothing to filter, sort or cut: the sample is wrong
            check('options-' + '-'.join(base), False, 'no rows on %s' % caches)
            continue
        first = list(allrows[0].keys())[0]
        got = rows(*base, '--columns', first, '--sort', '-' + first, '--limit', '2', *caches)
        okc = len(got) == min(2, len(allrows)) and list(got[0].keys()) == [first]
        okf = len(rows(*base, '--first', *caches)) == 1
        # FIRST == v and its negation split the rows
        tf = rows('fields', '--where', 'name == "%s"' % first)
        typ = tf[0]['type'] if tf else 'string'
        v = allrows[0][first]
        lit = '"%s"' % v.replace('\\', '\\\\').replace('"', '\\"') if typ == 'string' else v
        yes = rows(*base, '--where', '%s == %s' % (first, lit), *caches)
        no = rows(*base, '--where', '!(%s == %s)' % (first, lit), *caches)
        okw = len(yes) >= 1 and len(yes) + len(no) == len(allrows)
        check('options-' + '-'.join(base), okc and okf and okw,
              'columns/sort/limit gave %r, --where split %d+%d of %d' % (got, len(yes), len(no), len(allrows)))
    except RuntimeError as e:
        check('options-' + '-'.join(base), False, str(e))

# ---- the catalog ----
cat = rows('fields')
for table, rep in (('conns', 'conns'), ('packets', 'packets')):
    want = [f['name'] for f in cat if f['table'] == table and f['sql'] == '1']
    hdr = run(rep, '--columns', 'all', '--format', 'csv', demo).stdout.splitlines()[0].split(',')
    check('catalog-%s-columns' % table, hdr == want,
          'missing %s, extra %s' % (sorted(set(want) - set(hdr)), sorted(set(hdr) - set(want))))
    types = {f['name']: f['type'] for f in cat if f['table'] == table}
    bad = []
    for r in jrows(rep, '--columns', 'all', demo)[:400]:
        for k, v in r.items():
            if v is None:
                continue
            t = types[k]
            num = t in ('integer', 'port', 'boolean', 'decimal', 'seconds')
            if num != isinstance(v, (int, float)) or (t == 'boolean' and v not in (0, 1)):
                bad.append((k, t, v))
            elif t == 'timestamp' and not re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$', v):
                bad.append((k, t, v))
            elif t == 'address':
                try:
                    ipaddress.ip_address(v)
                except ValueError:
                    bad.append((k, t, v))
            elif t == 'flags' and not re.match(r'^[FSRPAUECN]*$', v):
                bad.append((k, t, v))
    check('catalog-%s-types' % table, not bad, 'values not of their type: %s' % bad[:5])
known = {(f['table'], f['name']) for f in cat}
tables = {'conns': 'conns', 'packets': 'packets', 'handshake --summary': 'servers',
          'health --by-server': 'servers', 'concurrency': 'buckets',
          'concurrency --at 1': 'buckets', 'window --stream 0 --episodes': 'episodes',
          'info': 'info', 'fields': 'fields', 'handshake': 'conns', 'resets': 'conns',
          'health': 'conns', 'concurrency --at 1 --list': 'conns',
          'window --stream 0': 'packets', 'ladder --stream 1': 'packets'}
missing = []
for rep, table in tables.items():
    args = rep.split() + ([] if rep == 'fields' else [demo])
    hdr = run(*args, '--format', 'csv').stdout.splitlines()
    for name in (hdr[0].split(',') if hdr else []):
        if (table, name) not in known:
            missing.append((rep, name))
check('catalog-default-columns', not missing, 'columns not in `fields`: %s' % missing)

# ---- --where against the same test in Python ----
def f(x):
    return float(x) if x != '' else None

conns_all = {c: rows('conns', '--columns', 'all', c) for c in (demo, lossy)}
conn_cases = [
    (demo, 'synack > 300ms', lambda r: f(r['synack']) is not None and f(r['synack']) > 0.3),
    (demo, 'sport == 80 || sport == 8080', lambda r: r['sport'] in ('80', '8080')),
    (demo, 'port in {80 8000..8080}', lambda r: int(r['sport']) in (80,) or 8000 <= int(r['sport']) <= 8080
                                           or int(r['cport']) == 80 or 8000 <= int(r['cport']) <= 8080),
    (demo, '!(state == "fin") && rst_frame', lambda r: r['state'] != 'fin' and r['rst_frame'] != ''),
    (demo, 'server == 203.0.113.0/28 && duration >= 1s', lambda r:
        ipaddress.ip_address(r['server']) in ipaddress.ip_network('203.0.113.0/28') and f(r['duration']) >= 1),
    (demo, 'history contains "R"', lambda r: 'R' in r['history']),
    (demo, 'rtt_max > 100ms && c2s_bytes < 1000', lambda r: r['rtt_max'] != '' and f(r['rtt_max']) > 0.1 and int(r['c2s_bytes']) < 1000),
    (lossy, 'retrans_pct >= 0.5 || score > 20', lambda r: f(r['retrans_pct']) >= 0.5 or f(r['score']) > 20),
]
for cache, expr, pred in conn_cases:
    got = [r['stream'] for r in rows('conns', '--where', expr, '--columns', 'stream', cache)]
    want = [r['stream'] for r in conns_all[cache] if pred(r)]
    check('where-conns %s' % expr, got == want and want,
          'got %s, want %s (the sample must have matches)' % (got, want))

pk = {}
for cache in (demo, ipv6, lossy):
    pk[cache] = rows('packets', '--columns', 'frame,stream,src,srcport,dst,dstport,flags,len,win,analysis,ack_rtt,retransmission,duplicate_ack', cache)
conn_sport = {r['stream']: r['sport'] for r in conns_all[demo]}
pkt_cases = [
    (demo, 'flags contains R', lambda r: 'R' in r['flags']),
    (demo, 'flags == SA', lambda r: r['flags'] == 'SA'),
    (demo, 'len > 1000 && win < 70000', lambda r: int(r['len']) > 1000 and int(r['win']) < 70000),
    (demo, 'ack_rtt > 300ms', lambda r: r['ack_rtt'] != '' and f(r['ack_rtt']) > 0.3),
    (demo, 'conn.sport == 8080 && len > 0', lambda r: conn_sport[r['stream']] == '8080' and int(r['len']) > 0),
    (demo, 'port 8000 && dst == 198.51.100.2', lambda r: '8000' in (r['srcport'], r['dstport']) and r['dst'] == '198.51.100.2'),
    (lossy, 'duplicate_ack || retransmission', lambda r: r['duplicate_ack'] == '1' or r['retransmission'] == '1'),
    (ipv6, 'host 2001:db8:2::20 && !(len == 0)', lambda r: '2001:db8:2::20' in (r['src'], r['dst']) and r['len'] != '0'),
    (ipv6, 'src == 2001:db8:1::/48', lambda r: ipaddress.ip_address(r['src']) in ipaddress.ip_network('2001:db8:1::/48')),
]
for cache, expr, pred in pkt_cases:
    got = [r['frame'] for r in rows('packets', '--where', expr, '--columns', 'frame', cache)]
    want = [r['frame'] for r in pk[cache] if pred(r)]
    check('where-packets %s' % expr, got == want and want,
          'got %d rows, want %d (first %s vs %s; the sample must have matches)'
          % (len(got), len(want), got[:3], want[:3]))

# ---- --sort / --limit ----
got = rows('conns', '--sort', '-synack,stream', '--columns', 'stream,synack', demo)
vals = [f(r['synack']) for r in got]
present = [v for v in vals if v is not None]
check('sort-desc-absent-last', present == sorted(present, reverse=True) and
      vals[:len(present)] == present, 'order %s' % vals)
got = rows('packets', '--sort', '-len,frame', '--limit', '3', '--columns', 'frame,len', demo)
lens = sorted((int(r['len']), -int(r['frame'])) for r in pk[demo])[::-1][:3]
check('sort-limit-packets', [(int(r['len']), -int(r['frame'])) for r in got] == lens,
      '%s vs %s' % (got, lens))
p = run('conns', '--where', 'sport ==', demo, ok=False)
check('where-error-exit-2', p.returncode == 2 and p.stderr.count('\n') == 3 and p.stderr.rstrip().endswith('^'),
      'exit %d, stderr %r' % (p.returncode, p.stderr))
EOF
finish
