/*
 * The libFuzzer entry point, declared for the fuzz targets (fuzz-*.c) and
 * for replay.c, which feeds saved inputs to a target built without
 * libFuzzer (the regression replay that `make check` runs).
 *
 * A target returns 0 and never keeps state between calls; it aborts when an
 * invariant of the module under test breaks, so that libFuzzer saves the
 * input.  fuzz_fail() prints why first.
 */
#ifndef KS_FUZZ_H
#define KS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_fail(...) do {						\
	fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__);	\
	fputc('\n', stderr);						\
	abort();							\
} while (0)

/* 1 when s[0..n) is well-formed UTF-8 without NUL bytes. */
int	fuzz_utf8_ok(const char *s, size_t n);

#endif
