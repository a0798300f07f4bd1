/*
 * cpuof.c - run a command and record what it cost: the CPU time it used
 * (user + system, microseconds) and its peak resident set (KiB), from
 * wait4()'s rusage.
 *
 *   cpuof OUTFILE COMMAND [ARG...]
 *
 * Writes "CPU_US MAXRSS_KIB" to OUTFILE; exits with COMMAND's status (128
 * + the signal when a signal ended it; 127 when it could not be run).
 * bench/run.sh reads the CPU time beside the wall time because the
 * machine is shared: wall time also counts waiting for a core or for the
 * disk, CPU time only the work.  GNU time's %U and %S print hundredths,
 * too coarse for a 50 ms command.
 *
 * Not part of tcpsift: it is built only by bench/run.sh, into build/bench/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;
	long long us;

	if (argc < 3) {
		fprintf(stderr, "usage: cpuof OUTFILE COMMAND [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("cpuof: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("cpuof: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("cpuof: wait4");
		return 127;
	}
	us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	     ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%lld %ld\n", us, ru.ru_maxrss) < 0 || fclose(f) != 0) {
		perror(argv[1]);
		return 127;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
