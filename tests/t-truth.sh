#!/usr/bin/env bash
# t-truth.sh - end to end: the reports find what samples/record.sh planted.
#
# For each ground-truth capture (samples/NAME.pcap with samples/NAME.truth,
# see samples/README.md) this extracts a cache, runs the reports with
# --format csv and checks their answers against the .truth tables, one
# PASS/FAIL line per assertion:
#   handshake  --over 300ms lists exactly the connections whose SYN-ACK
#              came later than 300 ms (planted slow and syn_dropped ones),
#              in SYN order, with the same times; --first per server and
#              per address; --unanswered; --retransmitted
#   aborts     resets lists exactly the aborted connections, with the RST
#              frame and the planted concurrency counts; concurrency --at
#              --list at each RST lists the truth's busy streams
#   zerowin    window --below --after finds the planted packets;
#              window --episodes finds the planted zero-window spans
#   lossy      conns/health/packets count tshark's retransmissions,
#              duplicate ACKs and out-of-order segments; ladder notes the
#              resent segments as Wireshark does
# A sample that is not there is a SKIP.  Needs python3 (stdlib only).
source "$(dirname "$0")/lib.sh"

EXTRACT=$BIN/tcpsift-extract
ANALYZE=$BIN/tcpsift-analyze
command -v python3 >/dev/null || { skip truth "python3 not installed"; finish; }

cat >"$TMP/check.py" <<'EOF'
import csv, io, subprocess, sys

analyze, name, sift, truth = sys.argv[1:5]

def tables(path):
    """The truth file's tables: lists of dicts, '#' lines skipped."""
    out, cur, hdr = [], None, None
    for line in open(path):
        line = line.rstrip('\n')
        if line.startswith('#'):
            continue
        if not line.strip():
            hdr = None
            continue
        f = line.split('\t')
        if hdr is None:
            hdr = f
            cur = []
            out.append(cur)
        else:
            cur.append(dict(zip(hdr, f)))
    return out

def run(*args):
    p = subprocess.run([analyze, *args, '--format', 'csv', sift],
                       capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError('%s: exit %d: %s' % (' '.join(args), p.returncode, p.stderr.strip()))
    return list(csv.DictReader(io.StringIO(p.stdout)))

def check(label, got, want):
    if got == want:
        print('ok %s-%s' % (name, label))
    else:
        g, w = str(got), str(want)
        print('bad %s-%s: got %s, want %s' % (name, label, g[:300], w[:300]))

def ints(rows, col):
    return [int(r[col]) for r in rows]

def handshake(t):
    rows = t[0]
    ms = lambda r: float(r['synack_ms']) if r['synack_ms'] != '-' else None
    over = sorted((r for r in rows if ms(r) is not None and ms(r) > 300),
                  key=lambda r: float(r['syn_rel']))
    got = run('handshake', '--over', '300ms')
    check('over-300ms-streams', ints(got, 'stream'), [int(r['tcp_stream']) for r in over])
    check('over-300ms-is-planted', sorted({r['class'] for r in over}), ['slow', 'syn_dropped'])
    bad = [g['stream'] for g, r in zip(got, over)
           if abs(float(g['synack']) * 1000 - ms(r)) > 0.0015]
    check('over-300ms-synack-times', bad, [])
    check('over-300ms-syn-retrans', ints(got, 'syn_retrans'),
          [int(r['syns']) - 1 for r in over])
    check('first', ints(run('handshake', '--over', '300ms', '--first'), 'stream'),
          [int(over[0]['tcp_stream'])])
    for key, col in (('endpoint', 'first_slow_endpoint'), ('ip', 'first_slow_ip')):
        servers = sorted({r['server_ip'] + (':' + r['server_port'] if key == 'endpoint' else '')
                          for r in rows if r['class'] in ('slow', 'syn_dropped')})
        for srv in servers:
            mine = [r for r in over if (r['server_ip'] + (':' + r['server_port'] if key == 'endpoint' else '')) == srv]
            got = run('handshake', '--over', '300ms', '--server', srv)
            first = run('handshake', '--over', '300ms', '--server', srv, '--first')
            check('first-%s-%s' % (key, srv), ints(first, 'stream'), [int(mine[0]['tcp_stream'])])
            # the truth's first slow one counts planted slow SYN-ACKs only,
            # not SYNs that waited for their retransmission
            planted = [int(r['tcp_stream']) for r in rows if r[col] == '1' and r in mine]
            answered = [int(g['stream']) for g in got if g['syn_retrans'] == '0'][:1]
            check('first-slow-%s-%s' % (key, srv), answered, planted)
    check('unanswered', ints(run('handshake', '--unanswered'), 'stream'),
          [int(r['tcp_stream']) for r in rows if r['class'] == 'unanswered'])
    check('retransmitted', ints(run('handshake', '--retransmitted'), 'stream'),
          [int(r['tcp_stream']) for r in rows if r['class'] == 'syn_dropped'])

def aborts(t):
    rows = [r for r in t[0] if r['end'] == 'rst']
    got = run('resets')
    check('resets-streams', ints(got, 'stream'), [int(r['tcp_stream']) for r in rows])
    check('resets-frames', ints(got, 'rst_frame'), [int(r['rst_frame']) for r in rows])
    check('resets-by', [g['rst_by'] for g in got], ['client'] * len(rows))
    check('resets-concurrent', ints(got, 'concurrent'), [int(r['busy_other_servers']) for r in rows])
    check('resets-concurrent-any', ints(got, 'concurrent_any'), [int(r['busy_any_server']) for r in rows])
    check('resets-by-server-none', run('resets', '--by', 'server'), [])
    for g, r in zip(got, rows):
        lst = run('concurrency', '--at', g['rst_rel'], '--list')
        want = sorted(int(x) for x in r['busy_streams'].split(',')) if r['busy_streams'] not in ('', '-') else []
        check('concurrency-at-rst-%s' % g['stream'], sorted(ints(lst, 'stream')), want)

def zerowin(t):
    spans, q = t[0], t[1][0]
    got = run('window', '--stream', q['tcp_stream'], '--side', 'client',
              '--below', q['threshold'], '--after', q['after_rel'])
    check('below-after-count', len(got), int(q['packets']))
    check('below-after-frames', [got[0]['frame'], got[-1]['frame']] if got else [],
          [q['first_frame'], q['last_frame']])
    ep = run('window', '--stream', spans[0]['tcp_stream'], '--episodes')
    check('episodes', [(e['start_frame'], e['end_frame'], e['zero_pkts'], e['peer_pkts']) for e in ep],
          [(s['zero_start_frame'], s['zero_end_frame'], s['zero_frames'], s['server_probes']) for s in spans])

def lossy(t):
    p, drops = t[0][0], t[1]
    c = [r for r in run('conns') if r['stream'] == p['tcp_stream']][0]
    check('conns-retrans', int(c['retrans_c2s']) + int(c['retrans_s2c']), int(p['ts_retransmission']))
    check('conns-dupack', int(c['dupack_c2s']) + int(c['dupack_s2c']), int(p['ts_duplicate_ack']))
    h = run('health', '--top', '1')
    check('health-top', (h[0]['stream'], h[0]['retrans']), (p['tcp_stream'], p['ts_retransmission']))
    pk = run('packets', '--stream', p['tcp_stream'])
    n = lambda flag: sum(1 for r in pk if flag in r['analysis'].split('+'))
    check('packets-fast-retransmission', n('fast_retransmission'), int(p['ts_fast_retransmission']))
    check('packets-out-of-order', n('out_of_order'), int(p['ts_out_of_order']))
    check('packets-lost-segment', n('lost_segment'), int(p['ts_lost_segment']))
    kinds = {r['frame']: r['analysis'].split('+') for r in pk}
    bad = [d['resent_frame'] for d in drops
           if d['resent_kind'] not in ('-', 'not_flagged') and d['resent_kind'] not in kinds.get(d['resent_frame'], [])]
    check('resent-frames-flagged', bad, [])
    lad = subprocess.run([analyze, 'ladder', '--stream', p['tcp_stream'], sift],
                         capture_output=True, text=True).stdout
    note = {'fast_retransmission': '[TCP Fast Retransmission]',
            'retransmission': '[TCP Retransmission]', 'out_of_order': '[TCP Out-Of-Order]'}
    lines = {l.split('[', 1)[1].split(']', 1)[0]: l for l in lad.splitlines() if '--' in l[:12] and '[' in l}
    bad = [d['resent_frame'] for d in drops if d['resent_kind'] in note
           and note[d['resent_kind']] not in lines.get(d['resent_frame'], '')]
    check('ladder-notes', bad, [])

try:
    globals()[name](tables(truth))
except Exception as e:  # a crash of the checker is a failure, not a skip
    print('bad %s: %s' % (name, e))
EOF

for s in handshake aborts zerowin lossy; do
	if [ ! -f "$ROOT/samples/$s.pcap" ] || [ ! -f "$ROOT/samples/$s.truth" ]; then
		skip "truth-$s" "samples/$s.pcap or its .truth is missing"
		continue
	fi
	if ! "$EXTRACT" -q -o "$TMP/$s.sift" "$ROOT/samples/$s.pcap" 2>"$TMP/err"; then
		fail "truth-$s" "cannot extract: $(head -c 300 "$TMP/err")"
		continue
	fi
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "truth-${line#ok }" ;;
		"bad "*) rest=${line#bad }; fail "truth-${rest%%:*}" "${rest#*: }" ;;
		*) echo "  $line" ;;
		esac
	done < <(python3 "$TMP/check.py" "$ANALYZE" "$s" "$TMP/$s.sift" "$ROOT/samples/$s.truth" 2>&1)
done
finish
