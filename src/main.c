/* kubesift: offline forensics for Kubernetes clusters.  See kubesift(1). */
#include <signal.h>

#include "cmd.h"

int
main(int argc, char **argv)
{
	/* A file-size limit makes writes fail (reported), not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	return ks_cmd_main(argc, argv);
}
