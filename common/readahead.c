/*
 * readahead.c - see readahead.h.
 *
 * A ring of NBATCHES batches.  The reader fills the one after the last
 * full one, alone, then counts it full under the mutex; the caller takes
 * frames from the oldest full one, alone, and gives it back under the
 * mutex.  The reader stops after the batch that carries the end (last),
 * or when the caller is gone (stop, checked before every frame, so a
 * caller that gives up waits for at most one more frame, even on a slow
 * pipe).  A batch is large enough that the
 * two meet at the mutex a few thousand times per million frames.
 *
 * The ring is deep (65536 frames, about 7 MB): with the cache writer's
 * compression thread also running, three threads share two cores, and a
 * shallow ring left a core idle whenever the reader had filled it while
 * the compressor waited for a block (measured: 0.61 s wall with 8
 * batches, 0.56 s with 128, on a 1.47 M-frame capture).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "readahead.h"

enum { BATCH_FRAMES = 512, NBATCHES = 128 };

struct batch {
	uint32_t n;			/* frames in f */
	bool last;			/* the reader stopped after them */
	int rc;				/* with last: 0 the end, < 0 an error */
	struct err err;			/* with last and rc < 0: its message */
	struct readahead_frame f[BATCH_FRAMES];
};

struct readahead {
	struct capture *cap;
	bool offsets;			/* fill readahead_frame.offset */
	bool threaded;			/* else readahead_next reads itself */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t nonempty, nonfull;
	unsigned head;			/* oldest full batch; the caller's */
	unsigned len;			/* full batches, under mu */
	atomic_bool stop;		/* the caller is gone */
	bool taken;			/* the caller holds batch head */
	uint32_t pos;			/* its next frame */
	struct readahead_frame one;	/* the frame, without a thread */
	int end_rc;			/* without a thread: the end, once seen */
	bool ended;
	int64_t cpu_ns;			/* the reader's CPU time, set with the
					   last batch; -1 until then */
	struct batch b[NBATCHES];
};

/* The next frame into *f: capture_next()'s 1, 0 or error. */
static int read_one(struct readahead *r, struct readahead_frame *f,
		    struct err *e)
{
	struct capture_frame fr;
	int rc = capture_next(r->cap, &fr, e);

	if (rc != 1)
		return rc;
	f->ts = fr.ts;
	f->wire_len = fr.wire_len;
	f->matched = fr.matched;
	f->res = decode_frame(fr.linktype, fr.data, fr.caplen, fr.wire_len,
			      &f->d);
	f->offset = r->offsets ? capture_offset(r->cap) : 0;
	return 1;
}

static void *reader(void *arg)
{
	struct readahead *r = arg;

	for (;;) {
		struct batch *b;
		int rc = 1;

		pthread_mutex_lock(&r->mu);
		while (r->len == NBATCHES && !r->stop)
			pthread_cond_wait(&r->nonfull, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		b = &r->b[(r->head + r->len) % NBATCHES];
		pthread_mutex_unlock(&r->mu);

		b->n = 0;
		while (b->n < BATCH_FRAMES &&
		       !atomic_load_explicit(&r->stop, memory_order_relaxed) &&
		       (rc = read_one(r, &b->f[b->n], &b->err)) == 1)
			b->n++;
		b->last = rc != 1;
		b->rc = rc;
		if (b->last) {		/* published with the batch, below */
			struct timespec t;

			if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0)
				r->cpu_ns = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
		}

		pthread_mutex_lock(&r->mu);
		r->len++;
		pthread_cond_signal(&r->nonempty);
		pthread_mutex_unlock(&r->mu);
		if (b->last)
			return NULL;
	}
}

/* Starts the reader thread; false (nothing left to undo) when it cannot. */
static bool start(struct readahead *r)
{
	if (pthread_mutex_init(&r->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&r->nonempty, NULL) != 0)
		goto out_mu;
	if (pthread_cond_init(&r->nonfull, NULL) != 0)
		goto out_nonempty;
	if (pthread_create(&r->thread, NULL, reader, r) == 0)
		return true;
	pthread_cond_destroy(&r->nonfull);
out_nonempty:
	pthread_cond_destroy(&r->nonempty);
out_mu:
	pthread_mutex_destroy(&r->mu);
	return false;
}

int readahead_new(struct readahead **out, struct capture *cap, bool offsets,
		  struct err *e)
{
	struct readahead *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	r->cap = cap;
	r->offsets = offsets;
	r->cpu_ns = -1;
	atomic_init(&r->stop, false);
	r->threaded = start(r);		/* else (a limit on threads) read inline */
	*out = r;
	return 0;
}

int readahead_next(struct readahead *r, const struct readahead_frame **f,
		   struct err *e)
{
	if (!r->threaded) {
		int rc;

		if (r->ended)
			return r->end_rc;
		rc = read_one(r, &r->one, e);
		if (rc == 1) {
			*f = &r->one;
			return 1;
		}
		r->ended = true;
		r->end_rc = rc;
		return rc;
	}
	for (;;) {
		struct batch *b = &r->b[r->head];

		if (r->taken) {
			if (r->pos < b->n) {
				*f = &b->f[r->pos++];
				return 1;
			}
			if (b->last) {
				if (b->rc < 0)
					*e = b->err;
				return b->rc;
			}
			pthread_mutex_lock(&r->mu);
			r->head = (r->head + 1) % NBATCHES;
			/* wake a reader that found the ring full only once
			 * half of it is free: it then reads several batches
			 * in one go instead of one batch per wake-up */
			if (r->len-- == NBATCHES / 2 + 1)
				pthread_cond_signal(&r->nonfull);
			pthread_mutex_unlock(&r->mu);
			r->taken = false;
			continue;
		}
		pthread_mutex_lock(&r->mu);
		while (r->len == 0)
			pthread_cond_wait(&r->nonempty, &r->mu);
		pthread_mutex_unlock(&r->mu);
		r->taken = true;
		r->pos = 0;
	}
}

int64_t readahead_cpu_ns(const struct readahead *r)
{
	/* r->cpu_ns was written before the last batch was counted full
	 * under the mutex, and the caller has taken that batch since */
	if (!r->threaded || !r->taken || !r->b[r->head].last)
		return -1;
	return r->cpu_ns;
}

void readahead_free(struct readahead *r)
{
	if (!r)
		return;
	if (r->threaded) {
		pthread_mutex_lock(&r->mu);
		atomic_store(&r->stop, true);
		pthread_cond_signal(&r->nonfull);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
		pthread_cond_destroy(&r->nonfull);
		pthread_cond_destroy(&r->nonempty);
		pthread_mutex_destroy(&r->mu);
	}
	free(r);
}
