/* kubesift: offline forensics for Kubernetes clusters.  See kubesift(1). */
#include <locale.h>
#include <signal.h>

#include "cli/cmd.h"

int
main(int argc, char **argv)
{
	/*
	 * libarchive converts member names flagged UTF-8 (zip) only in a
	 * UTF-8 locale; LC_NUMERIC stays "C" for the output of reals.
	 */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		(void)setlocale(LC_CTYPE, "C.utf8");
	/* A file-size limit makes writes fail (reported), not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	return ks_cmd_main(argc, argv);
}
