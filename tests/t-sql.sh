#!/usr/bin/env bash
# t-sql.sh - the sql and export reports: SQL over the caches' virtual tables
# (analyze/sqlvt.c) and the SQLite database export writes.
#
# On caches of samples/demo.pcap, ipv6.pcap, demo.pcap filtered to port
# 8080 (streams with gaps) and the ground-truth samples when present:
#   tables      conns, packets, caches exist; row counts equal info's
#               connections and tcp_packets; caches holds info's items
#   catalog     PRAGMA table_info of conns and packets lists, in order, the
#               SQL fields of `fields --format csv` with the type mapping
#               (integer, port, boolean INTEGER; seconds, decimal REAL; the
#               rest TEXT), and `cache` is the one hidden column
#   values      SELECT * equals `conns/packets --columns all` cell by cell
#   index       a conns x packets join on one stream gives `packets
#               --stream N`'s frames, and EXPLAIN QUERY PLAN shows both
#               tables read through the stream index
#   output      the GROUP BY example; JSON lines parse with typed values;
#               CSV parses; an empty result prints the header
#   errors      bad SQL and unknown columns exit 2 with one line; a missing,
#               truncated or corrupt cache exits 1 with one line naming it
#   export      tables, types and rows equal the virtual tables'; an index
#               on packets(cache, stream); refuses an existing file without
#               --force; leaves no file (nor temporary) after a failure
#   where       --where EXPR and the same condition in SQL select the same
#               streams or frames
# Needs python3 (stdlib only: csv, json, sqlite3).  One result line per
# check, "sql-...".
source "$(dirname "$0")/lib.sh"

EXTRACT=$BIN/tcpsift-extract
ANALYZE=$BIN/tcpsift-analyze

export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86:print_stacktrace=1

if ! have_bin tcpsift-extract || ! have_bin tcpsift-analyze; then
	skip sql "no tcpsift-extract/tcpsift-analyze in $BIN (run make)"
	finish
fi
command -v python3 >/dev/null || { skip sql "python3 not installed"; finish; }

caches=()
(cd "$TMP" && "$EXTRACT" -q -o demo.sift "$ROOT/samples/demo.pcap" &&
	"$EXTRACT" -q -o ipv6.sift "$ROOT/samples/ipv6.pcap" &&
	"$EXTRACT" -q -f 'tcp port 8080' -o demo-8080.sift "$ROOT/samples/demo.pcap") 2>"$TMP/err" || {
	fail sql "cannot extract the samples: $(head -c 300 "$TMP/err")"
	finish
}
caches+=("$TMP/demo.sift" "$TMP/ipv6.sift" "$TMP/demo-8080.sift")
for s in handshake aborts zerowin lossy; do
	[ -f "$ROOT/samples/$s.pcap" ] || continue
	if "$EXTRACT" -q -o "$TMP/$s.sift" "$ROOT/samples/$s.pcap" 2>"$TMP/err"; then
		caches+=("$TMP/$s.sift")
	else
		fail "sql-extract-$s" "cannot extract: $(head -c 300 "$TMP/err")"
	fi
done

cat >"$TMP/check.py" <<'EOF'
import csv, io, json, os, subprocess, sys
from decimal import Decimal
try:
    import sqlite3      # a python3 built without it skips the export checks
except ImportError:
    sqlite3 = None

analyze, tmp = sys.argv[1:3]
caches = sys.argv[3:]
demo = caches[0]

def name(p):
    return os.path.basename(p).rsplit('.', 1)[0]

def run(*args):
    p = subprocess.run([analyze, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr

def rows(out):
    return list(csv.reader(io.StringIO(out)))

def sql(q, *cs, fmt='csv'):
    """Header and rows of a query; raises when it fails."""
    rc, out, err = run('sql', '--format', fmt, q, *(cs or [demo]))
    if rc:
        raise RuntimeError('sql %r: exit %d: %s' % (q, rc, err.strip()))
    return rows(out) if fmt == 'csv' else out

def report(*args):
    rc, out, err = run(*args)
    if rc:
        raise RuntimeError('%s: exit %d: %s' % (' '.join(args[:3]), rc, err.strip()))
    return rows(out)

def ok(label):
    print('ok %s' % label)

def bad(label, why):
    print('bad %s: %s' % (label, why))

def check(label, got, want):
    if got == want:
        ok(label)
    else:
        bad(label, 'got %s, want %s' % (str(got)[:300], str(want)[:300]))

def guard(fn):
    """Runs one group of checks: a crash of the checker is a failure."""
    try:
        fn()
    except Exception as e:
        bad(fn.__name__.replace('_', '-'), '%s: %s' % (type(e).__name__, e))
    return fn

def info(c):
    return dict(report('info', '--format', 'csv', c)[1:])

SQLTYPE = {'integer': 'INTEGER', 'port': 'INTEGER', 'boolean': 'INTEGER',
           'seconds': 'REAL', 'decimal': 'REAL', 'timestamp': 'TEXT',
           'address': 'TEXT', 'flags': 'TEXT', 'string': 'TEXT'}

def catalog(table):
    """(name, catalog type) of the table's SQL fields, in catalog order."""
    f = report('fields', '--format', 'csv')
    t, n, ty, s = (f[0].index(k) for k in ('table', 'name', 'type', 'sql'))
    return [(r[n], r[ty]) for r in f[1:] if r[t] == table and r[s] == '1']

@guard
def sql_tables():
    got = sql("SELECT name FROM sqlite_temp_master WHERE type = 'table' ORDER BY name")
    check('sql-tables', [r[0] for r in got[1:]], ['caches', 'conns', 'packets'])
    for c in caches:
        i = info(c)
        n = sql('SELECT (SELECT count(*) FROM conns), (SELECT count(*) FROM packets)', c)[1]
        check('sql-counts-' + name(c), n, [i['connections'], i['tcp_packets']])

@guard
def sql_caches_table():
    hdr, *rs = sql('SELECT * FROM caches', demo, caches[1])
    check('sql-caches-ids', [(r[0], r[1]) for r in rs], [('0', demo), ('1', caches[1])])
    got = dict(zip(hdr, rs[0]))
    bads = []
    for k, v in info(demo).items():
        s = got.get(k)
        if k == 'truncated':
            s = 'yes' if s == '1' else 'no'
        if k == 'duration' and s is not None:
            s, v = Decimal(s), Decimal(v)
        if s != v:
            bads.append('%s: sql %r, info %r' % (k, s, v))
    check('sql-caches-info', bads, [])
    types = sql("SELECT type FROM pragma_table_info('caches') WHERE name IN ('id', 'frames', 'duration', 'first')")
    check('sql-caches-types', sorted(r[0] for r in types[1:]), ['INTEGER', 'INTEGER', 'REAL', 'TEXT'])

@guard
def sql_catalog():
    for table in ('conns', 'packets'):
        want = [(n, SQLTYPE[t]) for n, t in catalog(table)]
        got = sql("SELECT name, type FROM pragma_table_info('%s')" % table)[1:]
        check('sql-catalog-' + table, [tuple(r) for r in got], want)
        hidden = sql("SELECT name FROM pragma_table_xinfo('%s') WHERE hidden" % table)[1:]
        check('sql-hidden-' + table, hidden, [['cache']])
        star = sql('SELECT * FROM %s LIMIT 1' % table)[0]
        check('sql-star-' + table, star, [n for n, _ in want])

def same_cells(table, a, b):
    """Differences between a report's CSV and the SQL CSV of one table."""
    types = dict(catalog(table))
    if a[0] != b[0]:
        return ['headers differ: %s / %s' % (a[0][:5], b[0][:5])]
    if len(a) != len(b):
        return ['%d rows, sql %d' % (len(a) - 1, len(b) - 1)]
    out = []
    for ra, rb in zip(a[1:], b[1:]):
        for col, x, y in zip(a[0], ra, rb):
            if types[col] in ('seconds', 'decimal') and x and y:
                x, y = Decimal(x), Decimal(y)
            if x != y:
                out.append('%s=%r, sql %r (row %s)' % (col, x, y, ra[0]))
    return out[:5]

@guard
def sql_values():
    for c in caches:
        for table, key in (('conns', 'stream'), ('packets', 'frame')):
            a = report(table, '--columns', 'all', '--format', 'csv', c)
            b = sql('SELECT * FROM %s ORDER BY %s' % (table, key), c)
            check('sql-values-%s-%s' % (table, name(c)), same_cells(table, a, b), [])

@guard
def sql_stream_index():
    for c in caches:
        streams = [r[0] for r in sql('SELECT stream FROM conns ORDER BY stream', c)[1:]]
        for n in sorted({streams[0], streams[len(streams) // 2], streams[-1]}):
            want = [r[0] for r in report('packets', '--stream', n, '--columns', 'frame',
                                         '--format', 'csv', c)[1:]]
            q = ('SELECT p.frame FROM conns c JOIN packets p ON p.stream = c.stream '
                 'WHERE c.stream = %s ORDER BY p.frame' % n)
            got = [r[0] for r in sql(q, c)[1:]]
            check('sql-stream-%s-%s' % (name(c), n), got, want)
    q = ('SELECT p.frame FROM conns c JOIN packets p ON p.stream = c.stream '
         'WHERE c.stream = 1')
    plan = [r[-1] for r in sql('EXPLAIN QUERY PLAN ' + q)[1:]]
    check('sql-stream-plan', sorted(plan), ['SCAN c VIRTUAL TABLE INDEX 2:stream',
                                            'SCAN p VIRTUAL TABLE INDEX 2:stream'])
    # no stream there: no row, no error
    check('sql-stream-absent', sql('SELECT count(*) FROM packets WHERE stream = 999999')[1:], [['0']])
    # a filtered cache: stream numbers with gaps still find their packets
    f = caches[2]
    got = sql('SELECT c.stream, count(p.frame), c.pkts FROM conns c JOIN packets p '
              'ON p.stream = c.stream GROUP BY c.stream', f)[1:]
    check('sql-stream-gaps', [r[1] == r[2] for r in got], [True] * len(got))

@guard
def sql_group_by():
    q = ('SELECT server, count(*), max(synack) FROM conns WHERE synack > 0.3 '
         'GROUP BY server ORDER BY server')
    want = {}
    conns = report('conns', '--columns', 'server,synack', '--format', 'csv', demo)[1:]
    for server, s in conns:
        if s and Decimal(s) > Decimal('0.3'):
            n, m = want.get(server, (0, Decimal(0)))
            want[server] = (n + 1, max(m, Decimal(s)))
    got = {r[0]: (int(r[1]), Decimal(r[2])) for r in sql(q)[1:]}
    check('sql-group-by', got, want)
    rc, out, err = run('sql', q, demo)
    check('sql-group-by-table', (rc, out.split('\n')[0].split()), (0, ['server', 'count(*)', 'max(synack)']))

@guard
def sql_formats():
    types = dict(catalog('packets'))
    out = sql('SELECT * FROM packets', fmt='json')
    lines = out.splitlines()
    pyt = {'INTEGER': (int,), 'REAL': (int, float), 'TEXT': (str,)}
    bads = []
    for l in lines:
        o = json.loads(l)
        for k, v in o.items():
            if v is not None and not isinstance(v, pyt[SQLTYPE[types[k]]]):
                bads.append('%s=%r' % (k, v))
    check('sql-json', (len(lines) > 0, bads[:5]), (True, []))
    r = sql('SELECT * FROM conns')
    check('sql-csv', {len(x) for x in r}, {len(r[0])})
    check('sql-empty-csv', run('sql', '--format', 'csv', 'SELECT stream, synack FROM conns WHERE 0', demo),
          (0, 'stream,synack\n', ''))
    rc, out, err = run('sql', 'SELECT stream, synack FROM conns WHERE 0', demo)
    check('sql-empty-table', (rc, out.split()), (0, ['stream', 'synack']))
    check('sql-empty-json', run('sql', '--format', 'json', 'SELECT stream FROM conns WHERE 0', demo),
          (0, '', ''))
    got = sql("SELECT 0.3, 12.0, 1.25, NULL, 'a,b'", fmt='json')
    check('sql-json-numbers', json.loads(got), {'0.3': 0.3, '12.0': 12, '1.25': 1.25, 'NULL': None, "'a,b'": 'a,b'})
    got = sql('SELECT cache, count(*) FROM conns GROUP BY cache ORDER BY cache', demo, caches[1])
    check('sql-several-caches', got[1:], [['0', info(demo)['connections']],
                                          ['1', info(caches[1])['connections']]])

def fails(label, args, code, *words):
    rc, out, err = run(*args)
    lines = err.splitlines()
    if rc != code:
        bad(label, 'exit %d, want %d: %s' % (rc, code, err.strip()[:200]))
    elif len(lines) != 1 or not lines[0].startswith('tcpsift-analyze: '):
        bad(label, 'stderr is not one "tcpsift-analyze: " line: %r' % err[:300])
    elif any(w not in lines[0] for w in words):
        bad(label, '%r lacks %s' % (lines[0], words))
    elif 'Sanitizer' in err or 'runtime error' in err:
        bad(label, 'sanitizer report')
    else:
        ok(label)

@guard
def sql_errors():
    fails('sql-err-syntax', ['sql', 'SELEC 1', demo], 2, 'sql: ', 'syntax error')
    fails('sql-err-column', ['sql', 'SELECT synak FROM conns', demo], 2,
          'tcpsift-analyze: sql: no such column: synak')
    fails('sql-err-no-cache', ['sql', 'SELECT 1'], 2, 'no cache')
    fails('sql-err-two', ['sql', 'SELECT 1; SELECT 2', demo], 2, 'one statement')
    fails('sql-err-write', ['sql', 'DELETE FROM conns', demo], 2, 'conns')
    missing = os.path.join(tmp, 'nosuch.sift')
    fails('sql-err-missing', ['sql', 'SELECT count(*) FROM conns', demo, missing], 1, missing)
    data = open(demo, 'rb').read()
    cut = os.path.join(tmp, 'cut.sift')
    open(cut, 'wb').write(data[:len(data) // 2])
    fails('sql-err-truncated', ['sql', 'SELECT count(*) FROM conns', cut], 1, cut)
    # a flipped byte inside a block: the table meets it while it reads
    b = bytearray(data)
    b[len(b) // 3] ^= 0xff
    bent = os.path.join(tmp, 'bent.sift')
    open(bent, 'wb').write(b)
    fails('sql-err-corrupt', ['sql', 'SELECT (SELECT count(*) FROM packets) + '
                              '(SELECT count(*) FROM conns)', bent], 1, bent)
    fails('sql-err-corrupt-stream', ['sql', 'SELECT count(*) FROM packets p JOIN conns c '
                                     'ON p.stream = c.stream', bent], 1, bent)

def table_info(db, t):
    return [(r[1], r[2]) for r in db.execute("PRAGMA table_info('%s')" % t)]

@guard
def sql_export():
    if sqlite3 is None:
        print('skip sql-export: python3 has no sqlite3 module to read the database')
        return
    out = os.path.join(tmp, 'out.db')
    two = [demo, caches[1]]
    rc, o, err = run('export', '--sqlite', out, *two)
    check('sql-export', (rc, len(err.splitlines())), (0, 1))
    db = sqlite3.connect(out)
    for t in ('conns', 'packets', 'caches'):
        want = [tuple(r) for r in sql("SELECT name, type FROM pragma_table_info('%s')" % t)[1:]]
        if t != 'caches':
            want = [('cache', 'INTEGER')] + want
        check('sql-export-columns-' + t, table_info(db, t), want)
        n = db.execute('SELECT count(*) FROM %s' % t).fetchone()[0]
        check('sql-export-rows-' + t, str(n), sql('SELECT count(*) FROM %s' % t, *two)[1][0])
    idx = [r[1] for r in db.execute("PRAGMA index_list('packets')")]
    cols = [[c[2] for c in db.execute("PRAGMA index_info('%s')" % i)] for i in idx]
    check('sql-export-index', ['cache', 'stream'] in cols, True)
    a = db.execute('SELECT cache, stream, synack, server, start FROM conns ORDER BY cache, stream').fetchall()
    b = [tuple(json.loads(l).values()) for l in
         sql('SELECT cache, stream, synack, server, start FROM conns ORDER BY cache, stream',
             *two, fmt='json').splitlines()]
    check('sql-export-values', a, b)
    db.close()
    st = os.stat(out)
    fails('sql-export-exists', ['export', '--sqlite', out, demo], 2, out, '--force')
    check('sql-export-kept', os.stat(out).st_mtime_ns, st.st_mtime_ns)
    rc, o, err = run('export', '--force', '--sqlite', out, demo)
    db = sqlite3.connect(out)
    check('sql-export-force', (rc, db.execute('SELECT count(*) FROM caches').fetchone()[0]), (0, 1))
    db.close()
    # a failure halfway (the second cache is corrupt) leaves nothing behind
    d = os.path.join(tmp, 'x')
    os.mkdir(d)
    fails('sql-export-fails', ['export', '--sqlite', os.path.join(d, 'new.db'), demo,
                               os.path.join(tmp, 'bent.sift')], 1, 'bent.sift')
    check('sql-export-no-partial', os.listdir(d), [])
    fails('sql-export-needs-out', ['export', demo], 2, '--sqlite')

# --where EXPR and SQL's WHERE: (table, where, sql condition)
AGREE = [
    ('conns', 'synack > 300ms', 'synack > 0.3'),
    ('conns', 'server == 203.0.113.0/24', "server LIKE '203.0.113.%'"),
    ('conns', 'sport in {80 8080}', 'sport IN (80, 8080)'),
    ('conns', 'state == "rst_client" || state == "rst_server"', "state LIKE 'rst_%'"),
    ('conns', 'retrans > 0 && !evicted', 'retrans > 0 AND evicted = 0'),
    ('conns', 'rtt_med', 'rtt_med IS NOT NULL'),
    ('conns', 'host 198.51.100.2', "client = '198.51.100.2' OR server = '198.51.100.2'"),
    ('conns', 'start >= START', "start >= 'START'"),
    ('packets', 'retransmission && !spurious_retransmission',
     'retransmission = 1 AND spurious_retransmission = 0'),
    ('packets', 'flags contains R', "flags LIKE '%R%'"),
    ('packets', 'ack_rtt > 1ms', 'ack_rtt > 0.001'),
    ('packets', 'win < 30000 && dir == "s2c"', "win < 30000 AND dir = 's2c'"),
    ('packets', 'conn.sport == PORT && zero_window', None),
    ('packets', 'conn.sport == PORT && len > 0', None),
]
JOIN = {
    'conn.sport == PORT && zero_window':
        'SELECT p.frame FROM packets p JOIN conns c ON c.stream = p.stream '
        'WHERE c.sport = PORT AND p.zero_window ORDER BY p.frame',
    'conn.sport == PORT && len > 0':
        'SELECT p.frame FROM packets p JOIN conns c ON c.stream = p.stream '
        'WHERE c.sport = PORT AND p.len > 0 ORDER BY p.frame',
}

@guard
def sql_where():
    seen = [0] * len(AGREE)
    for c in caches:
        mid = sql('SELECT start FROM conns ORDER BY start LIMIT 1 OFFSET '
                  '(SELECT count(*) / 2 FROM conns)', c)[1][0]
        port = sql('SELECT sport FROM conns GROUP BY sport ORDER BY count(*) DESC LIMIT 1', c)[1][0]
        for i, (table, expr, cond) in enumerate(AGREE):
            key = 'stream' if table == 'conns' else 'frame'
            q = JOIN[expr] if cond is None else \
                'SELECT %s FROM %s WHERE %s ORDER BY %s' % (key, table, cond, key)
            expr = expr.replace('START', mid).replace('PORT', port)
            q = q.replace('START', mid).replace('PORT', port)
            want = report(table, '--where', expr, '--columns', key, '--format', 'csv', c)[1:]
            got = sql(q, c)[1:]
            seen[i] += len(got)
            check('sql-where-%s-%d' % (name(c), i), sorted(got, key=lambda r: int(r[0])),
                  sorted(want, key=lambda r: int(r[0])))
    # each condition selects something somewhere, or the agreement is empty
    check('sql-where-nonempty', [AGREE[i][1] for i, n in enumerate(seen) if n == 0], [])

EOF

while IFS= read -r line; do
	case $line in
	"ok "*) pass "${line#ok }" ;;
	"bad "*) rest=${line#bad }; fail "${rest%%:*}" "${rest#*: }" ;;
	"skip "*) rest=${line#skip }; skip "${rest%%:*}" "${rest#*: }" ;;
	*) echo "  $line" ;;
	esac
done < <(cd "$TMP" && python3 "$TMP/check.py" "$ANALYZE" "$TMP" "${caches[@]}" 2>&1)
finish
