/*
 * tcpgen: a tiny HTTP/1.0-like TCP traffic generator for recording sample
 * captures of real kernel TCP between network namespaces.
 *
 * Server:  tcpgen server -l ADDR:PORT [-l ADDR:PORT ...] -T MAX_SEC
 *                 [-L PACING_BYTES_PER_SEC] [-r READY_FILE]
 *   IPv6 listen addresses are written [2001:db8::10]:80.
 *   One thread per connection.  Requests:
 *     GET /N[?opts] HTTP/1.0   -> "200 OK" header + N bytes, then FIN
 *     PUT /N[?opts] HTTP/1.0   -> reads N body bytes, then "201 Created"
 *   opts (joined with &):
 *     delay=MS    think time before the response is sent
 *     rpause=MS   (PUT) wait MS before reading the body: a slow reader,
 *                 which with a large body drives the window to zero
 *   The server closes first (shutdown), waits for the client's FIN, closes.
 *
 * Client:  tcpgen client -c ADDR[,ADDR...] -p PORT[,PORT...]
 *                 (-g SIZE | -u SIZE) [-q OPTS] [-n CONNS] [-P WORKERS]
 *                 [-i INTERVAL_MS] [-A ABORT_AFTER] [-x | -X] [-b SRC_ADDR]
 *                 [-R RCVBUF] [-z AT:MS[,AT:MS...]] [-v]
 *                 [-w IO_TIMEOUT_SEC] [-T MAX_SEC] [-S SEED] [-r READY_FILE]
 *   -g SIZE    GET SIZE bytes; SIZE is N, N[kKmM] or MIN-MAX (random)
 *   -u SIZE    PUT (upload) SIZE bytes
 *   -q OPTS    query string added to the request path (e.g. delay=500)
 *   -n CONNS   connections per worker, one after another (0 = until -T)
 *   -P N       parallel workers (threads), default 1
 *   -i MS      pause between a worker's connections
 *   -A BYTES   abort: after BYTES of response body (0 = right after the
 *              request is sent) close with SO_LINGER 0, i.e. send an RST
 *   -x         expect the connection to be refused (closed port -> RST);
 *              a refusal then counts as success
 *   -X         expect no answer at all (SYNs silently dropped): connect()
 *              giving up after the -w timeout counts as success
 *   -b ADDR    bind this source address; ADDR:PORT (or [ADDR6]:PORT) also
 *              binds the source port, so a script knows it in advance
 *   -R BYTES   SO_RCVBUF before connecting (fixes the receive buffer and
 *              turns off its autotuning)
 *   -z AT:MS   slow reader: once AT bytes of response body are in, stop
 *              reading for MS ms; up to 8 pauses, comma-separated, AT rising
 *   -v         one line per connection on stdout, tab-separated, times in
 *              CLOCK_REALTIME seconds (the clock tcpdump stamps with):
 *                conn  LPORT  DST  T_CONNECT  T_CLOSE  OUTCOME
 *                pause LPORT  DST  T_START    T_END    AT_BYTES
 *              T_CLOSE is taken just before close(), so for an abort it is
 *              when the RST is sent; OUTCOME is ok, abort, refused, silent
 *              or fail
 *   -w SEC     per-call socket timeout (connect/send/recv), default 20;
 *              may be fractional (-w 1.5)
 *   -T SEC     stop starting connections after SEC seconds, and hard-exit
 *              at SEC + io timeout; default 60
 *   Targets are used round-robin over all ADDR x PORT pairs.
 *   Exit status 0 if every connection did what was asked.
 *
 * Build: cc -O2 -pthread -o tcpgen tcpgen.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 64
#define MAX_LISTEN 16

static char payload[65536];	/* data pattern sent by both sides */
static double io_timeout = 20;	/* seconds, may be fractional */

static void die(const char *msg)
{
	perror(msg);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { (time_t)io_timeout,
			      (suseconds_t)((io_timeout - (time_t)io_timeout) * 1e6) };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* "198.51.100.1:80" or "[2001:db8::1]:80" (port optional if defport >= 0) */
static int parse_addr(const char *s, int defport, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	char host[128];
	int port = defport;
	const char *p;
	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		p = strchr(s, ']');
		if (!p || (size_t)(p - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, p - s - 1);
		host[p - s - 1] = 0;
		if (p[1] == ':')
			port = atoi(p + 2);
	} else if ((p = strrchr(s, ':')) && strchr(s, ':') == p) {
		if ((size_t)(p - s) >= sizeof(host))
			return -1;
		memcpy(host, s, p - s);
		host[p - s] = 0;
		port = atoi(p + 1);
	} else {
		snprintf(host, sizeof(host), "%s", s);
	}
	if (port < 0 || port > 65535)
		return -1;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

/* Size spec: N, Nk, NM, or MIN-MAX of those. */
struct size_spec {
	unsigned long long lo, hi;
};

static unsigned long long parse_one_size(const char *s, char **end)
{
	unsigned long long v = strtoull(s, end, 10);
	if (**end == 'k' || **end == 'K')
		v *= 1000, (*end)++;
	else if (**end == 'm' || **end == 'M')
		v *= 1000000, (*end)++;
	return v;
}

static int parse_size(const char *s, struct size_spec *sp)
{
	char *end;
	sp->lo = sp->hi = parse_one_size(s, &end);
	if (*end == '-')
		sp->hi = parse_one_size(end + 1, &end);
	return (*end || sp->hi < sp->lo) ? -1 : 0;
}

static unsigned long long pick_size(const struct size_spec *sp,
				    unsigned int *seed)
{
	if (sp->hi == sp->lo)
		return sp->lo;
	unsigned long long r = ((unsigned long long)rand_r(seed) << 31) ^
			       (unsigned long long)rand_r(seed);
	return sp->lo + r % (sp->hi - sp->lo + 1);
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_bytes(int fd, unsigned long long n)
{
	while (n) {
		size_t chunk = n > sizeof(payload) ? sizeof(payload) : (size_t)n;
		if (write_all(fd, payload, chunk) < 0)
			return -1;
		n -= chunk;
	}
	return 0;
}

/* Read and discard until EOF; -1 on error/timeout.  Bounded by io_timeout
 * per recv call. */
static int drain_to_eof(int fd)
{
	char buf[16384];
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
	}
}

static void touch(const char *path)
{
	if (!path)
		return;
	FILE *f = fopen(path, "w");
	if (f)
		fclose(f);
}

/* ------------------------------------------------------------ server */

static unsigned long pacing_rate;

static long opt_value(const char *query, const char *key)
{
	size_t kl = strlen(key);
	const char *p = query;
	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=')
			return atol(p + kl + 1);
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return 0;
}

static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[4096 + 1];
	size_t have = 0;
	char *hdr_end = NULL;

	set_timeouts(fd);
	if (pacing_rate)
		setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &pacing_rate,
			   sizeof(pacing_rate));
	/* Read the request header (bounded by buffer size and timeouts). */
	while (have < sizeof(req) - 1) {
		ssize_t r = recv(fd, req + have, sizeof(req) - 1 - have, 0);
		if (r <= 0)
			goto out;
		have += (size_t)r;
		req[have] = 0;
		if ((hdr_end = strstr(req, "\r\n\r\n")))
			break;
	}
	if (!hdr_end)
		goto out;
	hdr_end += 4;

	char method[8], path[1024];
	if (sscanf(req, "%7s %1023s", method, path) != 2 || path[0] != '/')
		goto out;
	unsigned long long n = strtoull(path + 1, NULL, 10);
	char *query = strchr(path, '?');
	long delay = query ? opt_value(query + 1, "delay") : 0;
	long rpause = query ? opt_value(query + 1, "rpause") : 0;
	char hdr[256];

	if (strcmp(method, "PUT") == 0) {
		if (rpause > 0)
			msleep(rpause);
		unsigned long long got = (unsigned long long)(req + have - hdr_end);
		char buf[16384];
		while (got < n) {
			ssize_t r = recv(fd, buf, sizeof(buf), 0);
			if (r <= 0)
				goto out;
			got += (unsigned long long)r;
		}
		if (delay > 0)
			msleep(delay);
		int hl = snprintf(hdr, sizeof(hdr), "HTTP/1.0 201 Created\r\n"
				  "Server: tcpgen\r\nContent-Length: 0\r\n\r\n");
		if (write_all(fd, hdr, (size_t)hl) < 0)
			goto out;
	} else {
		if (delay > 0)
			msleep(delay);
		int hl = snprintf(hdr, sizeof(hdr), "HTTP/1.0 200 OK\r\n"
				  "Server: tcpgen\r\nContent-Type: application/"
				  "octet-stream\r\nContent-Length: %llu\r\n\r\n", n);
		if (write_all(fd, hdr, (size_t)hl) < 0 || send_bytes(fd, n) < 0)
			goto out;
	}
	/* HTTP/1.0 style: the server ends the connection (FIN), then waits
	 * for the client's FIN so that close() does not turn into an RST. */
	shutdown(fd, SHUT_WR);
	drain_to_eof(fd);
out:
	close(fd);
	return NULL;
}

static int run_server(int argc, char **argv)
{
	int lfd[MAX_LISTEN], nl = 0, c, max_sec = 60;
	const char *ready = NULL;

	while ((c = getopt(argc, argv, "l:T:L:r:w:")) != -1) {
		switch (c) {
		case 'l': {
			struct sockaddr_storage ss;
			socklen_t len;
			if (nl == MAX_LISTEN || parse_addr(optarg, -1, &ss, &len) < 0) {
				fprintf(stderr, "tcpgen: bad listen address %s\n", optarg);
				return 2;
			}
			int fd = socket(ss.ss_family, SOCK_STREAM, 0);
			int one = 1;
			if (fd < 0)
				die("socket");
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (ss.ss_family == AF_INET6)
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
			if (bind(fd, (struct sockaddr *)&ss, len) < 0)
				die(optarg);
			if (listen(fd, 4096) < 0)
				die("listen");
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
			lfd[nl++] = fd;
			break;
		}
		case 'T': max_sec = atoi(optarg); break;
		case 'L': pacing_rate = strtoul(optarg, NULL, 10); break;
		case 'r': ready = optarg; break;
		case 'w': io_timeout = atof(optarg); break;
		default: return 2;
		}
	}
	if (!nl || max_sec <= 0) {
		fprintf(stderr, "tcpgen server: need -l ADDR:PORT and -T SEC\n");
		return 2;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	touch(ready);

	double deadline = now_s() + max_sec;
	struct pollfd pfd[MAX_LISTEN];
	for (int i = 0; i < nl; i++)
		pfd[i] = (struct pollfd){ lfd[i], POLLIN, 0 };
	while (now_s() < deadline) {
		if (poll(pfd, (nfds_t)nl, 200) <= 0)
			continue;
		for (int i = 0; i < nl; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			for (int k = 0; k < 256; k++) {	/* bounded accept burst */
				int fd = accept4(lfd[i], NULL, NULL, SOCK_CLOEXEC);
				if (fd < 0)
					break;
				pthread_t t;
				if (pthread_create(&t, &attr, serve_conn,
						   (void *)(intptr_t)fd) != 0)
					close(fd);
			}
		}
	}
	return 0;	/* exit() ends the remaining connection threads */
}

/* ------------------------------------------------------------ client */

static struct sockaddr_storage targets[MAX_TARGETS];
static socklen_t target_len[MAX_TARGETS];
static char target_host[MAX_TARGETS][64];
static int ntargets;
static struct sockaddr_storage src_addr;
static socklen_t src_len;
static struct size_spec get_size, put_size;
static int is_put, expect_refused;
static long abort_after = -1;
static const char *query = "";
static int expect_silence, log_conns, rcvbuf;
static struct { unsigned long long at; long ms; } pauses[8];
static int npauses;
static long conns_per_worker = 1, interval_ms;
static double stop_at;
static atomic_long n_ok, n_fail, next_target;
static atomic_ullong bytes_in, bytes_out;

static double real_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* -v: one line per event; a single printf, so threads do not interleave. */
static void log_event(const char *what, int lport, long t, double t0,
		      double t1, const char *extra)
{
	if (!log_conns)
		return;
	const struct sockaddr_storage *ss = &targets[t];
	int port = ss->ss_family == AF_INET6 ?
		   ntohs(((const struct sockaddr_in6 *)ss)->sin6_port) :
		   ntohs(((const struct sockaddr_in *)ss)->sin_port);
	printf("%s\t%d\t%s:%d\t%.6f\t%.6f\t%s\n", what, lport,
	       target_host[t], port, t0, t1, extra);
}

/* One connection; returns 0 if it went as asked. */
static int one_conn(unsigned int *seed)
{
	long t = atomic_fetch_add(&next_target, 1) % ntargets;
	int fd = socket(targets[t].ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	set_timeouts(fd);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (src_len && bind(fd, (struct sockaddr *)&src_addr, src_len) < 0) {
		close(fd);
		return -1;
	}
	double t_conn = real_s();
	if (connect(fd, (struct sockaddr *)&targets[t], target_len[t]) < 0) {
		int e = errno, lport = local_port(fd);
		int silent = e == EINPROGRESS || e == ETIMEDOUT || e == EAGAIN;
		double t_end = real_s();
		close(fd);
		if (expect_refused && e == ECONNREFUSED) {
			log_event("conn", lport, t, t_conn, t_end, "refused");
			return 0;
		}
		if (expect_silence && silent) {
			log_event("conn", lport, t, t_conn, t_end, "silent");
			return 0;
		}
		log_event("conn", lport, t, t_conn, t_end, "fail");
		return -1;
	}
	int lport = local_port(fd);
	if (expect_refused || expect_silence) {
		log_event("conn", lport, t, t_conn, real_s(), "fail");
		close(fd);
		return -1;
	}

	char req[1024];
	unsigned long long n = pick_size(is_put ? &put_size : &get_size, seed);
	int rl = snprintf(req, sizeof(req),
			  "%s /%llu%s%s HTTP/1.0\r\nHost: %s\r\n"
			  "User-Agent: tcpgen/1\r\n",
			  is_put ? "PUT" : "GET", n, *query ? "?" : "", query,
			  target_host[t]);
	if (is_put)
		rl += snprintf(req + rl, sizeof(req) - rl,
			       "Content-Length: %llu\r\n", n);
	rl += snprintf(req + rl, sizeof(req) - rl, "\r\n");

	int rc = -1;
	if (write_all(fd, req, (size_t)rl) < 0)
		goto out;
	if (is_put) {
		if (send_bytes(fd, n) < 0)
			goto out;
		bytes_out += n;
	}

	/* Read the response; the body is whatever follows the header. */
	char buf[16384];
	unsigned long long body = 0;
	int in_body = 0;
	char tail[4] = { 0 };
	int pause_i = 0;
	for (;;) {
		if (abort_after >= 0 && in_body && body >= (unsigned long long)abort_after)
			break;
		if (abort_after == 0)
			break;
		if (pause_i < npauses && in_body && body >= pauses[pause_i].at) {
			char at[32];
			double p0 = real_s();
			msleep(pauses[pause_i].ms);
			snprintf(at, sizeof(at), "%llu", body);
			log_event("pause", lport, t, p0, real_s(), at);
			pause_i++;
			continue;
		}
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0) {
			rc = 0;
			break;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		bytes_in += (unsigned long long)r;
		for (ssize_t i = 0; i < r; i++) {
			if (in_body) {
				body += (unsigned long long)(r - i);
				break;
			}
			memmove(tail, tail + 1, 3);
			tail[3] = buf[i];
			if (memcmp(tail, "\r\n\r\n", 4) == 0)
				in_body = 1;
		}
	}
	if (abort_after >= 0) {
		/* SO_LINGER {1, 0}: close() discards everything and sends RST */
		struct linger lg = { 1, 0 };
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		rc = 0;
	} else if (rc == 0 && !is_put && body != n) {
		rc = -1;	/* short body */
	}
out:;
	double t_close = real_s();
	close(fd);
	log_event("conn", lport, t, t_conn, t_close,
		  rc < 0 ? "fail" : abort_after >= 0 ? "abort" : "ok");
	return rc;
}

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	for (long i = 0; conns_per_worker == 0 || i < conns_per_worker; i++) {
		if (now_s() >= stop_at)
			break;
		if (i && interval_ms)
			msleep(interval_ms);
		if (one_conn(&seed) == 0)
			n_ok++;
		else
			n_fail++;
	}
	return NULL;
}

static double client_start;

static void print_stats(void)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "tcpgen client: %ld ok, %ld failed, "
			 "%llu bytes in, %llu bytes out, %.2f s\n", (long)n_ok,
			 (long)n_fail, (unsigned long long)bytes_in,
			 (unsigned long long)bytes_out, now_s() - client_start);
	if (n > 0)
		(void)!write(2, line, (size_t)n);
}

/* SIGTERM (how the bench recording stops its endless clients): report the
 * counters and leave; open connections are reset by the kernel. */
static void on_term(int sig)
{
	(void)sig;
	print_stats();
	_exit(0);
}

static void *watchdog(void *arg)
{
	double hard = *(double *)arg;
	while (now_s() < hard)
		msleep(200);
	fprintf(stderr, "tcpgen client: hard time limit reached\n");
	_exit(3);
}

static int add_targets(const char *addrs, const char *ports)
{
	char *a = strdup(addrs), *save_a = NULL;
	for (char *h = strtok_r(a, ",", &save_a); h; h = strtok_r(NULL, ",", &save_a)) {
		char *p = strdup(ports), *save_p = NULL;
		for (char *pt = strtok_r(p, ",", &save_p); pt; pt = strtok_r(NULL, ",", &save_p)) {
			if (ntargets == MAX_TARGETS)
				return -1;
			char spec[160];
			if (strchr(h, ':'))
				snprintf(spec, sizeof(spec), "[%s]:%s", h, pt);
			else
				snprintf(spec, sizeof(spec), "%s:%s", h, pt);
			if (parse_addr(spec, -1, &targets[ntargets],
				       &target_len[ntargets]) < 0)
				return -1;
			snprintf(target_host[ntargets], sizeof(target_host[0]), "%s", h);
			ntargets++;
		}
		free(p);
	}
	free(a);
	return ntargets ? 0 : -1;
}

/* "AT:MS[,AT:MS...]" -> pauses[]; AT may carry k/M like a size. */
static int parse_pauses(const char *s)
{
	char *end;
	for (;;) {
		if (npauses == (int)(sizeof(pauses) / sizeof(pauses[0])))
			return -1;
		pauses[npauses].at = parse_one_size(s, &end);
		if (*end != ':')
			return -1;
		pauses[npauses].ms = strtol(end + 1, &end, 10);
		if (pauses[npauses].ms <= 0 ||
		    (npauses && pauses[npauses].at < pauses[npauses - 1].at))
			return -1;
		npauses++;
		if (*end == 0)
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static int run_client(int argc, char **argv)
{
	const char *addrs = NULL, *ports = NULL, *ready = NULL;
	int c, workers = 1, max_sec = 60;
	unsigned int seed = 1;
	int have_size = 0;

	while ((c = getopt(argc, argv, "c:p:g:u:q:n:P:i:A:xXb:R:z:vw:T:S:r:")) != -1) {
		switch (c) {
		case 'c': addrs = optarg; break;
		case 'p': ports = optarg; break;
		case 'g':
			if (parse_size(optarg, &get_size) < 0)
				return 2;
			have_size = 1;
			break;
		case 'u':
			if (parse_size(optarg, &put_size) < 0)
				return 2;
			is_put = have_size = 1;
			break;
		case 'q': query = optarg; break;
		case 'n': conns_per_worker = atol(optarg); break;
		case 'P': workers = atoi(optarg); break;
		case 'i': interval_ms = atol(optarg); break;
		case 'A': abort_after = atol(optarg); break;
		case 'x': expect_refused = 1; break;
		case 'X': expect_silence = 1; break;
		case 'R': rcvbuf = atoi(optarg); break;
		case 'v': log_conns = 1; break;
		case 'z':
			if (parse_pauses(optarg) < 0) {
				fprintf(stderr, "tcpgen client: bad -z %s\n", optarg);
				return 2;
			}
			break;
		case 'b':
			if (parse_addr(optarg, 0, &src_addr, &src_len) < 0)
				return 2;
			break;
		case 'w': io_timeout = atof(optarg); break;
		case 'T': max_sec = atoi(optarg); break;
		case 'S': seed = (unsigned int)atoi(optarg); break;
		case 'r': ready = optarg; break;
		default: return 2;
		}
	}
	if (!addrs || !ports || (!have_size && !expect_refused && !expect_silence) ||
	    workers < 1 ||
	    workers > 4096 || max_sec <= 0 || add_targets(addrs, ports) < 0) {
		fprintf(stderr, "tcpgen client: need -c ADDRS -p PORTS -g|-u SIZE\n");
		return 2;
	}
	if (!have_size)
		get_size = (struct size_spec){ 0, 0 };

	client_start = now_s();
	stop_at = client_start + max_sec;
	signal(SIGTERM, on_term);
	static double hard;
	hard = stop_at + io_timeout + 2;
	pthread_t wd;
	pthread_create(&wd, NULL, watchdog, &hard);
	touch(ready);

	pthread_t *th = calloc((size_t)workers, sizeof(*th));
	for (int i = 0; i < workers; i++)
		if (pthread_create(&th[i], NULL, worker,
				   (void *)(uintptr_t)(seed * 7919u + (unsigned)i)) != 0)
			die("pthread_create");
	for (int i = 0; i < workers; i++)
		pthread_join(th[i], NULL);
	print_stats();
	return n_fail ? 1 : 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = "tcpsift sample data\n"[i % 20];
	if (argc >= 2 && strcmp(argv[1], "server") == 0)
		return run_server(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "client") == 0)
		return run_client(argc - 1, argv + 1);
	fprintf(stderr, "usage: tcpgen server|client [options] "
		"(see the comment at the top of tcpgen.c)\n");
	return 2;
}
