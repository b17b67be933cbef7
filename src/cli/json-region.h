/*
 * A plan's JSON in a region of its own (json-region.c): remediate and
 * report build one object per denial group, tens of thousands of small
 * blocks, and on a virtual machine each fresh 4 KiB page of them costs
 * more than the objects themselves.  While the region is on, jansson's
 * small blocks come from large mappings that ask for transparent huge
 * pages (where the system offers them); freed blocks are reused.
 */
#ifndef KS_JSON_REGION_H
#define KS_JSON_REGION_H

#include <jansson.h>

/*
 * Turn the region on: from now on jansson's small blocks come from it.
 * Only around code that never hands a block jansson allocated to free()
 * (json_dumps' text is such a block), and in one thread only.
 */
void	ks_json_region_on(void);

/*
 * Turn it off: jansson allocates with malloc again.  Blocks of the
 * region stay valid, and return to it when jansson frees them.
 */
void	ks_json_region_off(void);

/*
 * Plan p is not wanted any more, and the process ends soon: left to the
 * end of the process, as freeing tens of thousands of groups one by one
 * costs more than the rest of the command; freed under AddressSanitizer,
 * whose leak check would report it.
 */
struct ks_remediate_plan;
void	ks_json_region_drop(struct ks_remediate_plan *p);

#endif
