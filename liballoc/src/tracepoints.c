/* tracepoints.c -- libgenheap's definitions of the genheap tracepoints.
 *
 * Compiled only when configure found lttng-ust (HAVE_LTTNG).  Dynamic
 * linkage keeps libgenheap free of any LTTng dependency: this unit only
 * defines the tracepoint structures and a constructor that dlopen()s the
 * tracepoint runtime if it is installed.  The probes live in a separate
 * object, tracer/libgenheap-lttng.so; until it is loaded every tracepoint
 * stays disabled, so a program linked with libgenheap runs unchanged on a
 * machine without LTTng.  See lttng-ust(3), "Statically or dynamically
 * linking the tracepoint provider package".
 */
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_PROBE_DYNAMIC_LINKAGE
#include "genheap_tp.h"
