/*
 * nfq-delay: hold packets from an iptables/ip6tables NFQUEUE in user space
 * and accept them only after a fixed delay.  A stand-in for netem on kernels
 * without sch_netem: it gives a real path delay to kernel TCP traffic
 * between network namespaces.
 *
 *   nfq-delay -q QUEUE -d DELAY_MS -t MAX_SECONDS [options]
 *
 * Which packets are delayed is chosen by the iptables rule that sends them
 * to the queue (e.g. only SYN-ACKs from one server port); everything the rule
 * does not match is untouched.  Packets leave in the order they arrived: the
 * pending ones sit in a FIFO of (packet id, release time), and with one fixed
 * delay the release times are monotonic.
 *
 * Options:
 *   -q NUM    queue number (default 0)
 *   -d MS     delay each packet by MS milliseconds (default 0)
 *   -n N      drop every Nth queued packet (0 = never; default 0)
 *   -p PCT    drop each packet with probability PCT percent (0..100; a
 *             fixed-seed PRNG, so runs are repeatable; default 0)
 *   -s SEED   seed for -p (default 1)
 *   -k K      only the first K queued packets are delayed or dropped; the
 *             ones after are accepted at once (0 = no limit; default 0)
 *   -m LEN    kernel queue maxlen (default 8192); a full queue drops packets
 *   -t SEC    exit after SEC seconds (default 60); pending packets are
 *             accepted before exiting, so nothing is left hanging
 *   -r FILE   create FILE once the queue is bound (for scripts to wait on)
 *   -l FILE   log every dropped packet to FILE, one tab-separated line:
 *               CLOCK_REALTIME seconds, src, sport, dst, dport, TCP seq
 *               (raw), TCP payload bytes, TCP flags (hex)
 *             (fields after dst are "-" for a non-TCP packet)
 *   -v        print counters to stderr at exit
 *
 * SIGINT/SIGTERM end it early, also flushing pending packets.
 * Build: cc -O2 -o nfq-delay nfq-delay.c -lnetfilter_queue -lnfnetlink
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

struct pending {
	uint32_t id;
	int64_t release_ns;
};

static struct pending *fifo;
static size_t fifo_cap, fifo_head, fifo_len;

static int64_t delay_ns;
static unsigned long drop_every, drop_pct, only_first;
static unsigned long long seen, dropped, delayed, passed, overflow;
static uint64_t rng_state = 1;
static volatile sig_atomic_t stop;
static FILE *drop_log;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* -l: one line per dropped packet, from the copied header bytes (the queue
 * copies the first 128 bytes when -l is given). */
static void log_drop(struct nfq_data *nfa)
{
	unsigned char *pkt;
	int len = nfq_get_payload(nfa, &pkt);
	char src[INET6_ADDRSTRLEN] = "-", dst[INET6_ADDRSTRLEN] = "-";
	int proto = -1, iphl = 0, iplen = 0;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (len >= 20 && pkt[0] >> 4 == 4) {
		inet_ntop(AF_INET, pkt + 12, src, sizeof(src));
		inet_ntop(AF_INET, pkt + 16, dst, sizeof(dst));
		proto = pkt[9];
		iphl = (pkt[0] & 15) * 4;
		iplen = pkt[2] << 8 | pkt[3];
	} else if (len >= 40 && pkt[0] >> 4 == 6) {
		inet_ntop(AF_INET6, pkt + 8, src, sizeof(src));
		inet_ntop(AF_INET6, pkt + 24, dst, sizeof(dst));
		proto = pkt[6];	/* extension headers are not followed */
		iphl = 40;
		iplen = 40 + (pkt[4] << 8 | pkt[5]);
	}
	fprintf(drop_log, "%lld.%06ld\t%s\t", (long long)ts.tv_sec,
		ts.tv_nsec / 1000, src);
	if (proto == 6 && len >= iphl + 20) {
		const unsigned char *tcp = pkt + iphl;
		int thl = (tcp[12] >> 4) * 4;
		fprintf(drop_log, "%d\t%s\t%d\t%u\t%d\t0x%03x\n",
			tcp[0] << 8 | tcp[1], dst, tcp[2] << 8 | tcp[3],
			be32(tcp + 4), iplen - iphl - thl,
			(tcp[12] & 1) << 8 | tcp[13]);
	} else {
		fprintf(drop_log, "-\t%s\t-\t-\t-\t-\n", dst);
	}
	fflush(drop_log);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* xorshift64*: small, repeatable, good enough for a drop decision */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cb(struct nfq_q_handle *qh, struct nfgenmsg *nfmsg,
	      struct nfq_data *nfa, void *data)
{
	(void)nfmsg;
	(void)data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	seen++;

	if (only_first && seen > only_first) {
		passed++;
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	if ((drop_every && seen % drop_every == 0) ||
	    (drop_pct && rng_next() % 10000 < drop_pct * 100)) {
		dropped++;
		if (drop_log)
			log_drop(nfa);
		return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	}
	if (delay_ns == 0 || fifo_len == fifo_cap) {
		/* no delay asked, or (should not happen) our FIFO is full */
		if (delay_ns)
			overflow++;
		passed++;
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	size_t tail = (fifo_head + fifo_len) % fifo_cap;
	fifo[tail].id = id;
	fifo[tail].release_ns = now_ns() + delay_ns;
	fifo_len++;
	delayed++;
	return 0;
}

/* Accept every pending packet whose time has come (all of them if force). */
static void release_due(struct nfq_q_handle *qh, int force)
{
	int64_t t = now_ns();
	while (fifo_len && (force || fifo[fifo_head].release_ns <= t)) {
		nfq_set_verdict(qh, fifo[fifo_head].id, NF_ACCEPT, 0, NULL);
		fifo_head = (fifo_head + 1) % fifo_cap;
		fifo_len--;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: nfq-delay -q QUEUE -d DELAY_MS -t MAX_SEC "
		"[-n DROP_EVERY] [-p DROP_PCT] [-s SEED] [-k FIRST_K] "
		"[-m MAXLEN] [-r READY_FILE] [-l DROP_LOG] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long qnum = 0, maxlen = 8192, max_sec = 60;
	const char *ready_file = NULL;
	int verbose = 0, c;

	while ((c = getopt(argc, argv, "q:d:n:p:s:k:m:t:r:l:v")) != -1) {
		switch (c) {
		case 'q': qnum = strtoul(optarg, NULL, 10); break;
		case 'd': delay_ns = (int64_t)strtoul(optarg, NULL, 10) * 1000000LL; break;
		case 'n': drop_every = strtoul(optarg, NULL, 10); break;
		case 'p': drop_pct = strtoul(optarg, NULL, 10); break;
		case 's': rng_state = strtoull(optarg, NULL, 10) | 1; break;
		case 'k': only_first = strtoul(optarg, NULL, 10); break;
		case 'm': maxlen = strtoul(optarg, NULL, 10); break;
		case 't': max_sec = strtoul(optarg, NULL, 10); break;
		case 'r': ready_file = optarg; break;
		case 'l':
			drop_log = fopen(optarg, "w");
			if (!drop_log) {
				perror(optarg);
				return 1;
			}
			break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc || maxlen == 0 || max_sec == 0 || drop_pct > 100)
		usage();

	fifo_cap = maxlen + 1024;
	fifo = calloc(fifo_cap, sizeof(*fifo));
	if (!fifo) {
		perror("calloc");
		return 1;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct nfq_handle *h = nfq_open();
	if (!h) {
		perror("nfq_open");
		return 1;
	}
	struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)qnum, cb, NULL);
	if (!qh) {
		fprintf(stderr, "nfq-delay: cannot bind queue %lu (in use? "
			"nfnetlink_queue missing?)\n", qnum);
		nfq_close(h);
		return 1;
	}
	/* Only the packet id is needed: no payload copy to user space, except
	 * the headers when dropped packets are logged. */
	if ((drop_log ? nfq_set_mode(qh, NFQNL_COPY_PACKET, 128) :
			nfq_set_mode(qh, NFQNL_COPY_META, 0)) < 0 ||
	    nfq_set_queue_maxlen(qh, (uint32_t)maxlen) < 0) {
		fprintf(stderr, "nfq-delay: cannot configure queue\n");
		return 1;
	}
	/* A big socket buffer so bursts do not overflow netlink (ENOBUFS). */
	nfnl_rcvbufsiz(nfq_nfnlh(h), 64u << 20);
	int fd = nfq_fd(h);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

	if (ready_file) {
		int rfd = open(ready_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (rfd >= 0)
			close(rfd);
	}

	static char buf[1 << 17];
	unsigned long long enobufs = 0;
	int64_t deadline = now_ns() + (int64_t)max_sec * 1000000000LL;

	while (!stop) {
		release_due(qh, 0);
		int64_t t = now_ns();
		if (t >= deadline)
			break;
		/* Sleep until the next release, the deadline, or at most 1 s. */
		int64_t wait = deadline - t;
		if (wait > 1000000000LL)
			wait = 1000000000LL;
		if (fifo_len && fifo[fifo_head].release_ns - t < wait)
			wait = fifo[fifo_head].release_ns - t;
		if (wait < 0)
			wait = 0;
		struct timespec ts = { wait / 1000000000LL, wait % 1000000000LL };
		struct pollfd pfd = { fd, POLLIN, 0 };
		int r = ppoll(&pfd, 1, &ts, NULL);
		if (r < 0 && errno != EINTR) {
			perror("ppoll");
			break;
		}
		if (r <= 0)
			continue;
		for (int i = 0; i < 4096; i++) {	/* bounded drain */
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0) {
				if (errno == ENOBUFS) {
					enobufs++;
					continue;
				}
				break;	/* EAGAIN or a real error */
			}
			nfq_handle_packet(h, buf, (int)n);
		}
	}

	release_due(qh, 1);
	if (verbose)
		fprintf(stderr, "nfq-delay q%lu: seen %llu delayed %llu "
			"dropped %llu passed %llu overflow %llu enobufs %llu\n",
			qnum, seen, delayed, dropped, passed, overflow, enobufs);
	nfq_destroy_queue(qh);
	nfq_close(h);
	if (drop_log)
		fclose(drop_log);
	return 0;
}
