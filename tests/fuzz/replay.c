/*
 * Replay saved inputs through a fuzz target built without libFuzzer: the
 * regression tests of tests/fuzz/regress/TARGET/, run by `make check`.
 * Usage: fuzz-replay-TARGET FILE|DIR...  Exits 0 when every input ran
 * (a broken invariant aborts, a sanitizer reports and exits non-zero).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *nb;
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				fclose(fp);
				free(buf);
				return -1;
			}
			buf = nb;
		}
		if ((n = fread(buf + len, 1, cap - len, fp)) == 0)
			break;
		len += n;
	}
	fclose(fp);
	/* An exact-size copy, so that a read past the end is caught. */
	{
		unsigned char *exact = malloc(len ? len : 1);
		if (exact == NULL) {
			free(buf);
			return -1;
		}
		if (len)
			memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int
replay(const char *path, int *count)
{
	struct dirent **names;
	struct stat sb;
	char *sub;
	int n, rc = 0;

	if (stat(path, &sb) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	if ((n = scandir(path, &names, NULL, alphasort)) < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && rc == 0) {
			if (asprintf(&sub, "%s/%s", path, names[i]->d_name) < 0)
				rc = -1;
			else {
				rc = replay(sub, count);
				free(sub);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	int count = 0;

	for (int i = 1; i < argc; i++)
		if (replay(argv[i], &count) < 0)
			return 1;
	printf("replayed %d inputs\n", count);
	return 0;
}
