/* genheap_tp.c -- the probes of the `genheap` LTTng-UST provider.
 *
 * Built into libgenheap-lttng.so, the only genheap object linked with
 * liblttng-ust.  libgenheap itself defines its tracepoints with dynamic
 * linkage (liballoc/src/tracepoints.c): loading this object (LD_PRELOAD, as
 * genheap-trace does, or dlopen) registers the probes and turns the events
 * on; without it the library never touches LTTng.  Events and fields:
 * genheap_tp.h and docs/trace-events.md.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#include "genheap_tp.h"
