/*
 * The progress line (progress.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/progress.h"

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
ks_progress_wanted(int quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

void
ks_progress_init(struct ks_progress *p, int on)
{
	const char *e = getenv("KUBESIFT_PROGRESS_INTERVAL_MS");

	memset(p, 0, sizeof(*p));
	p->on = on;
	p->interval_us = (e != NULL && *e != '\0' ? atoll(e) :
	    KS_PROGRESS_INTERVAL_MS) * 1000;
	/* "working" after a second; at once when tests ask for redraws. */
	p->after_us = e != NULL && *e != '\0' ? p->interval_us : 1000000;
	p->start_us = mono_us();
	p->last_us = p->start_us;
	pthread_mutex_init(&p->mu, NULL);
}

/* Erase the line if one is drawn; under p->mu. */
static void
erase(struct ks_progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->drawn = 0;
	}
}

void
ks_progress_fini(struct ks_progress *p)
{
	pthread_mutex_lock(&p->mu);
	erase(p);
	pthread_mutex_unlock(&p->mu);
	pthread_mutex_destroy(&p->mu);
}

/* Draw line in place, cut to the terminal's width; under p->mu. */
static void
draw(struct ks_progress *p, const char *line)
{
	struct winsize ws;
	int width = 80;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	fprintf(stderr, "\r\033[K%.*s", width - 1, line);
	fflush(stderr);
	p->drawn = 1;
}

/* Whether it is time to redraw at now; under p->mu. */
static int
due(struct ks_progress *p, int64_t now)
{
	if (!p->on || now - p->last_us < p->interval_us)
		return 0;
	p->last_us = now;
	return 1;
}

/* bytes as "12.3 MB" into buf. */
static const char *
mb(char *buf, size_t sz, double bytes)
{
	snprintf(buf, sz, bytes >= 1e9 ? "%.2f GB" : "%.1f MB",
	    bytes >= 1e9 ? bytes / 1e9 : bytes / 1e6);
	return buf;
}

/* The byte line of one pass into line; under p->mu. */
static void
bytes_line(struct ks_progress *p, char *line, size_t sz, uint64_t done,
    uint64_t size, int64_t now)
{
	double secs = (double)(now - p->pass_us) / 1e6;
	double rate = secs > 0 ? (double)done / secs : 0;
	const char *base = strrchr(p->path, '/');
	char a[32], b[32], r[48], left[48] = "";
	int n;

	if (secs < 0.05)
		rate = 0;	/* too soon to tell */
	if (size > 0 && rate > 0 && done <= size) {
		long s = (long)((double)(size - done) / rate + 0.5);
		snprintf(left, sizeof(left), ", %ld:%02ld left", s / 60,
		    s % 60);
	}
	n = snprintf(line, sz, "kubesift: %s %s: ", p->hashing ? "hashing" :
	    "reading", base != NULL && base[1] != '\0' ? base + 1 : p->path);
	if (n < 0 || (size_t)n >= sz)
		return;
	if (rate > 0)
		snprintf(r, sizeof(r), ", %s/s", mb(b, sizeof(b), rate));
	else
		r[0] = '\0';
	if (size > 0)
		snprintf(line + n, sz - (size_t)n, "%3d%% of %s%s%s%s%s",
		    (int)(done * 100 / size), mb(a, sizeof(a), (double)size),
		    r, left, p->tail[0] ? "; " : "", p->tail);
	else
		snprintf(line + n, sz - (size_t)n, "%s%s%s%s",
		    mb(a, sizeof(a), (double)done), r, p->tail[0] ? "; " : "",
		    p->tail);
}

void
ks_progress_bytes(struct ks_progress *p, const char *path, int hashing,
    uint64_t done, uint64_t size)
{
	int64_t now;
	char line[512];

	if (!p->on)
		return;
	now = mono_us();
	pthread_mutex_lock(&p->mu);
	/* A new pass: another file, the other pass, or counting again. */
	if (hashing != p->hashing || p->pass_us == 0 || path != p->src ||
	    done < p->done) {
		p->hashing = hashing;
		p->src = path;
		snprintf(p->path, sizeof(p->path), "%s", path);
		p->pass_us = now;
		/* A name is evidence: no control bytes to the terminal. */
		for (char *c = p->path; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	p->done = done;
	if (due(p, now)) {
		bytes_line(p, line, sizeof(line), done, size, now);
		draw(p, line);
	}
	pthread_mutex_unlock(&p->mu);
}

void
ks_progress_tail(struct ks_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->on)
		return;
	pthread_mutex_lock(&p->mu);
	va_start(ap, fmt);
	vsnprintf(p->tail, sizeof(p->tail), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&p->mu);
}

void
ks_progress_working(struct ks_progress *p, const char *what)
{
	int64_t now;
	char line[256];

	if (!p->on)
		return;
	now = mono_us();
	pthread_mutex_lock(&p->mu);
	if (now - p->start_us >= p->after_us && due(p, now)) {
		snprintf(line, sizeof(line), "kubesift %s: working, %lld s",
		    what, (long long)((now - p->start_us) / 1000000));
		draw(p, line);
	}
	pthread_mutex_unlock(&p->mu);
}

void
ks_progress_hold(struct ks_progress *p)
{
	pthread_mutex_lock(&p->mu);
	erase(p);
}

void
ks_progress_release(struct ks_progress *p)
{
	pthread_mutex_unlock(&p->mu);
}
