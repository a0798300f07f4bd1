/*
 * export.c - the `export` report: the caches' conns, packets and caches
 * tables (sqlvt.h) written into an SQLite database of the user's.
 *
 * The rows come from the virtual tables, attached to the new database's
 * temp schema, by INSERT ... SELECT; the real tables are created from the
 * same column lists, so their declared types are the virtual tables'
 * (CREATE TABLE AS would declare "INT" and "NUM" instead).  Key invariant:
 * the database is written in one transaction into a temporary file beside
 * OUT and renamed into place only when complete, so OUT is never partial;
 * an existing OUT is replaced only with --force.  Not here: appending to a
 * database, or choosing columns (do that in SQL afterwards).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "sqlvt.h"

struct export {
	const char *path;	/* --sqlite OUT.db */
	bool force;		/* replace an existing OUT */
};

enum { OPT_SQLITE = 1, OPT_FORCE };

static const struct option options[] = {
	{ "sqlite", required_argument, NULL, OPT_SQLITE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 },
};

static void *export_create(void)
{
	return calloc(1, sizeof(struct export));
}

static void export_destroy(void *state)
{
	free(state);
}

static int export_option(void *state, int code, const char *arg, struct err *e)
{
	struct export *x = state;

	switch (code) {
	case OPT_SQLITE:
		x->path = arg;
		return 0;
	case OPT_FORCE:
		x->force = true;
		return 0;
	}
	return err_set(e, ERR_USAGE, NULL, "export: unknown option");
}

static int export_check(void *state, struct err *e)
{
	struct export *x = state;

	if (!x->path || !x->path[0])
		return err_set(e, ERR_USAGE, NULL, "export: --sqlite OUT.db is required");
	return 0;
}

/* Runs sql on db; a table's cache error or SQLite's (naming path) on failure. */
static int exec(sqlite3 *db, struct sqlvt *v, const char *path,
		const char *sql, struct err *e)
{
	int rc;

	if (!sql)
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if ((rc = sqlvt_error(v, e)))
		return rc;
	return err_set(e, ERR_IO, path, "sqlite: %s", sqlite3_errmsg(db));
}

/* Creates table t in main and fills it from temp.vNAME; *rows written. */
static int copy_table(sqlite3 *db, struct sqlvt *v, const char *path,
		      enum sqlvt_table t, const char *name, long long *rows,
		      struct err *e)
{
	char *cols = sqlvt_columns(t, false), *sql;
	int rc;

	sql = cols ? sqlite3_mprintf("CREATE TABLE main.%s (%s)", name, cols) : NULL;
	rc = exec(db, v, path, sql, e);
	sqlite3_free(sql);
	sqlite3_free(cols);
	if (rc)
		return rc;
	/* SELECT * leaves the hidden cache column out: name it first */
	sql = sqlite3_mprintf("INSERT INTO main.%s SELECT %s* FROM temp.v%s", name,
			      t == SQLVT_CACHES ? "" : "cache, ", name);
	rc = exec(db, v, path, sql, e);
	sqlite3_free(sql);
	*rows = sqlite3_changes(db);
	return rc;
}

/* The temporary database and its journal, for the signal handler, and
 * the signals it handles. */
static char tmp_db[4096], tmp_journal[4096 + 16];
static const int cleanup_sigs[] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig);
static void catch_signals(void (*fn)(int));
static void block_signals(sigset_t *old);

/* Writes the database into tmp (an empty file). */
static int write_db(const char *tmp, const char *path, struct sqlvt *v,
		    long long rows[SQLVT_NTABLES], struct err *e)
{
	static const char *const names[SQLVT_NTABLES] = {
		[SQLVT_CONNS] = "conns", [SQLVT_PACKETS] = "packets",
		[SQLVT_CACHES] = "caches",
	};
	sqlite3 *db = NULL;
	int rc;

	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = err_set(e, ERR_IO, tmp, "sqlite: %s",
			     db ? sqlite3_errmsg(db) : "out of memory");
		goto out_close;
	}
	/* no journal: a failure discards the whole file anyway */
	if ((rc = exec(db, v, path, "PRAGMA journal_mode = OFF; "
		       "PRAGMA synchronous = OFF; BEGIN", e)) ||
	    (rc = sqlvt_attach(v, db, "v", e)))
		goto out_close;
	for (int t = 0; t < SQLVT_NTABLES; t++)
		if ((rc = copy_table(db, v, path, (enum sqlvt_table)t, names[t],
				     &rows[t], e)))
			goto out_close;
	rc = exec(db, v, path,
		  "CREATE INDEX main.conns_stream ON conns (cache, stream); "
		  "CREATE INDEX main.packets_stream ON packets (cache, stream); "
		  "COMMIT", e);
out_close:
	if (sqlite3_close(db) != SQLITE_OK && !rc)
		rc = err_set(e, ERR_IO, path, "sqlite: %s", sqlite3_errmsg(db));
	return rc;
}

/* Flushes the file at path to the disk before it is renamed into place. */
static int sync_file(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY), rc = 0;

	if (fd < 0 || fsync(fd) != 0)
		rc = err_set(e, ERR_IO, path, "cannot sync: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int export_all(void *state, struct out *o, char *const *paths,
		      int npaths, struct err *e)
{
	struct export *x = state;
	const char *slash = strrchr(x->path, '/');
	int dirlen = slash ? (int)(slash - x->path + 1) : 0, fd, rc;
	long long rows[SQLVT_NTABLES] = { 0 };
	struct sqlvt *v;
	struct stat st;
	sigset_t oldmask;
	char tmp[4096];

	(void)o;
	if (npaths < 1)
		return err_set(e, ERR_USAGE, NULL, "export: no cache given");
	if (!x->force && lstat(x->path, &st) == 0)
		return err_set(e, ERR_USAGE, x->path, "exists; --force replaces it");
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp-XXXXXX", dirlen, x->path,
		     x->path + dirlen) >= (int)sizeof(tmp))
		return err_set(e, ERR_USAGE, x->path, "path too long");
	if ((rc = sqlvt_open(&v, paths, npaths, e)))
		return rc;
	/*
	 * An interrupted export leaves neither OUT.db nor a temporary file:
	 * the signals wait from before the file exists until the handler
	 * knows its name.
	 */
	block_signals(&oldmask);
	fd = mkstemp(tmp);
	if (fd < 0) {
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		rc = err_set(e, ERR_IO, x->path, "cannot create %s: %s", tmp,
			     strerror(errno));
		goto out_close;
	}
	fchmod(fd, 0644);
	close(fd);
	snprintf(tmp_db, sizeof(tmp_db), "%s", tmp);
	snprintf(tmp_journal, sizeof(tmp_journal), "%s-journal", tmp);
	catch_signals(on_signal);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	if ((rc = write_db(tmp, x->path, v, rows, e)) || (rc = sync_file(tmp, e)))
		goto out_unlink;
	if (rename(tmp, x->path) != 0) {
		rc = err_set(e, ERR_IO, x->path, "cannot rename %s into place: %s",
			     tmp, strerror(errno));
		goto out_unlink;
	}
	fprintf(stderr, "tcpsift-analyze: export: wrote %s: %lld connections, %lld packets from %lld cache%s\n",
		x->path, rows[SQLVT_CONNS], rows[SQLVT_PACKETS], rows[SQLVT_CACHES],
		rows[SQLVT_CACHES] == 1 ? "" : "s");
	goto out_close;
out_unlink:
	unlink(tmp);
out_close:
	catch_signals(SIG_DFL);
	tmp_db[0] = '\0';
	sqlvt_close(v);
	return rc;
}

static void on_signal(int sig)
{
	if (tmp_db[0]) {
		unlink(tmp_db);
		unlink(tmp_journal);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(void (*fn)(int))
{
	for (size_t i = 0; i < sizeof(cleanup_sigs) / sizeof(cleanup_sigs[0]); i++)
		signal(cleanup_sigs[i], fn);
}

/* Holds the signals catch_signals() handles; *old: the mask before. */
static void block_signals(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	for (size_t i = 0; i < sizeof(cleanup_sigs) / sizeof(cleanup_sigs[0]); i++)
		sigaddset(&s, cleanup_sigs[i]);
	sigprocmask(SIG_BLOCK, &s, old);
}

const struct report report_export = {
	.name = "export",
	.summary = "write the caches' connections and packets into an SQLite database",
	.help =
"Arguments: --sqlite OUT.db CACHE...\n"
"\n"
"Writes the tables the sql report reads (conns, packets, caches: see\n"
"`tcpsift-analyze sql --help`) into a new SQLite database, with the same\n"
"columns and types; in conns and packets, `cache` (the caches.id of the\n"
"row's cache) is an ordinary first column.  Indexes on conns(cache, stream)\n"
"and packets(cache, stream) make joins on a connection fast.\n"
"\n"
"The database is written into a temporary file beside OUT.db and renamed\n"
"into place when complete: after a failure there is no OUT.db.  A one-line\n"
"summary (rows written) goes to stderr.\n"
"\n"
"Options:\n"
"  --sqlite OUT.db   the database to write (required)\n"
"  --force           replace OUT.db when it exists (else: exit 2)\n"
"\n"
"Example:\n"
"  tcpsift-analyze export --sqlite run.db run1.sift run2.sift\n"
"  sqlite3 run.db 'SELECT count(*) FROM packets WHERE zero_window'\n",
	.options = options,
	.create = export_create,
	.option = export_option,
	.check = export_check,
	.all = export_all,
	.destroy = export_destroy,
};
