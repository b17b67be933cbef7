/*
 * bench-time: run a command and write what it cost, for `make bench`
 * (tests/bench/bench.sh).  /usr/bin/time gives CPU seconds to 10 ms; a
 * query that should take 20 ms needs better, and timeline's first line
 * needs a reader on a pipe.
 *
 * usage: bench-time [-l K] [-t SECONDS] OUT COMMAND [ARG...]
 *
 * Runs COMMAND with its standard output to /dev/null (or, with -l, to a
 * pipe this program reads as fast as it can, counting lines), standard
 * input and error inherited.  Writes one line to OUT:
 *
 *	cpu_us wall_us maxrss_kib first_line_us lines
 *
 * cpu_us is user + system time of COMMAND and every process it waited
 * for (getrusage through wait4: every thread counts), wall_us the time
 * from fork to exit, maxrss_kib its peak resident memory; first_line_us
 * (when the K-th line had come: 2 skips a CSV header) and lines are 0
 * without -l.  With -t,
 * COMMAND is killed after SECONDS of wall time.  Exits with COMMAND's
 * status (124 when it was killed by -t, 125 on a usage or system error).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench-time: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* Read fd to its end; count newlines and note when the k-th came. */
static void
drain(int fd, int64_t t0, int64_t k, int64_t *first, int64_t *lines)
{
	char buf[1 << 16];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n')
				continue;
			if (++*lines == k)
				*first = now_us() - t0;
		}
	}
}

/* Start argv with its output on out_fd (a pipe's write end, or -1 for
 * /dev/null); returns its pid. */
static pid_t
start(char **argv, int out_fd, int read_fd)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid > 0)
		return pid;
	if (out_fd < 0 && (out_fd = open("/dev/null", O_WRONLY)) < 0)
		die("/dev/null");
	if (dup2(out_fd, STDOUT_FILENO) < 0)
		die("dup2");
	if (out_fd != STDOUT_FILENO)
		close(out_fd);
	if (read_fd >= 0)
		close(read_fd);
	execvp(argv[0], argv);
	fprintf(stderr, "bench-time: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
main(int argc, char **argv)
{
	int opt, status, p[2] = { -1, -1 };
	long limit = 0, k = 0;
	int64_t t0, wall, first = 0, lines = 0;
	struct rusage ru;
	FILE *out;
	pid_t pid, dog = -1;

	while ((opt = getopt(argc, argv, "+l:t:")) != -1) {
		if (opt == 'l')
			k = strtol(optarg, NULL, 10);
		else if (opt == 't')
			limit = strtol(optarg, NULL, 10);
		else
			return 125;
	}
	if (argc - optind < 2) {
		fputs("usage: bench-time [-l K] [-t SECONDS] OUT COMMAND "
		    "[ARG...]\n",
		    stderr);
		return 125;
	}
	if (k > 0 && pipe(p) < 0)
		die("pipe");
	t0 = now_us();
	pid = start(argv + optind + 1, p[1], p[0]);
	if (limit > 0 && (dog = fork()) == 0) {
		/* A watchdog: kills the command after limit seconds.  It
		 * must not hold the pipe open, or the reader never ends. */
		if (k > 0) {
			close(p[0]);
			close(p[1]);
		}
		sleep((unsigned)limit);
		kill(pid, SIGKILL);
		_exit(0);
	}
	if (k > 0) {
		close(p[1]);
		drain(p[0], t0, k, &first, &lines);
		close(p[0]);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	wall = now_us() - t0;
	if (dog > 0) {
		kill(dog, SIGKILL);
		waitpid(dog, NULL, 0);
	}
	out = fopen(argv[optind], "w");
	if (!out)
		die(argv[optind]);
	fprintf(out, "%lld %lld %ld %lld %lld\n",
	    (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec, (long long)wall,
	    ru.ru_maxrss, (long long)first, (long long)lines);
	if (fclose(out) != 0)
		die(argv[optind]);
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGKILL && limit > 0 ? 124 :
		    128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
