/* genheap_tp.h -- the LTTng-UST tracepoint provider `genheap`.
 *
 * Design: docs/trace-events.md is the contract; every event and field here
 * must match it (and a removed or renamed field bumps GH_TP_SCHEMA).
 *
 * This header is read three ways:
 *  - by liballoc/src/trace.h, to fire the events (declarations only);
 *  - by liballoc/src/tracepoints.c, with LTTNG_UST_TRACEPOINT_DEFINE and
 *    LTTNG_UST_TRACEPOINT_PROBE_DYNAMIC_LINKAGE, so libgenheap needs only
 *    libdl and the events stay off until the probes are loaded;
 *  - by tracer/genheap_tp.c, with LTTNG_UST_TRACEPOINT_CREATE_PROBES, which
 *    builds the probe shared object libgenheap-lttng.so (the only object
 *    linked with liblttng-ust).
 * LTTng-UST re-includes it through LTTNG_UST_TRACEPOINT_INCLUDE, hence the
 * unusual include guard.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER genheap

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "genheap_tp.h"

#if !defined(GENHEAP_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define GENHEAP_TP_H

#include <stdint.h>

#include <lttng/tracepoint.h>

#include "genheap.h"

/* Value of the `schema` field of genheap:proc_spawn. */
#define GH_TP_SCHEMA 2

/* The GCINFO block: every gh_gc_info member, same name, as a u64, expanded
 * from genheap.h's GH_GC_INFO_FIELDS so that the events that carry it, the
 * library's struct and the analyzer cannot drift apart.  Every event that
 * carries it names its gh_gc_info argument `info`. */
#define GH_TP_GCINFO_FIELD_(type, member)                                      \
  lttng_ust_field_integer(uint64_t, member, (uint64_t)info->member)
#define GH_TP_GCINFO_FIELDS GH_GC_INFO_FIELDS(GH_TP_GCINFO_FIELD_)

/* A NULL name (never expected, but cheap to survive) is recorded as "". */
#define GH_TP_NAME_FIELD(expr)                                                 \
  lttng_ust_field_string(name, (expr) != NULL ? (expr) : "")

/* ---- Process life ------------------------------------------------------ */

LTTNG_UST_TRACEPOINT_EVENT(genheap, proc_spawn,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name,
                    uint64_t, min_heap_size, uint64_t, min_bin_vheap_size,
                    uint64_t, fullsweep_after, uint64_t, max_heap_size,
                    uint64_t, hibernate_after_ms),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(uint64_t, schema, GH_TP_SCHEMA)
    lttng_ust_field_integer(uint64_t, min_heap_size, min_heap_size)
    lttng_ust_field_integer(uint64_t, min_bin_vheap_size, min_bin_vheap_size)
    lttng_ust_field_integer(uint64_t, fullsweep_after, fullsweep_after)
    lttng_ust_field_integer(uint64_t, max_heap_size, max_heap_size)
    lttng_ust_field_integer(uint64_t, hibernate_after_ms, hibernate_after_ms)
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, proc_spawn,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(genheap, proc_exit,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name, int, reason,
                    const struct gh_gc_info *, info),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(int, reason, reason)
    GH_TP_GCINFO_FIELDS
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, proc_exit,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

/* ---- Collections ------------------------------------------------------- */

LTTNG_UST_TRACEPOINT_EVENT(genheap, gc_minor_start,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name, uint64_t, need,
                    const struct gh_gc_info *, info),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(uint64_t, need, need)
    GH_TP_GCINFO_FIELDS
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, gc_minor_start,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(genheap, gc_minor_end,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name, uint64_t, reclaimed,
                    const struct gh_gc_info *, info),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(uint64_t, reclaimed, reclaimed)
    GH_TP_GCINFO_FIELDS
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, gc_minor_end,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

/* Evidence of how long the garbage had been there (schema 2; also on
 * genheap:census): waiting_ms, how long the process had waited (gh_wait),
 * 0 when it was not waiting; quiet_ms, how long its roots had certainly not
 * changed (seen by the census thread; 0 unknown); roots_unchanged, 1 when
 * its stack slots were those of its last collection. */
LTTNG_UST_TRACEPOINT_EVENT(genheap, gc_major_start,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name, uint64_t, need,
                    int, reason, uint64_t, waiting_ms, uint64_t, quiet_ms,
                    int, roots_unchanged, const struct gh_gc_info *, info),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(uint64_t, need, need)
    lttng_ust_field_integer(int, reason, reason)
    lttng_ust_field_integer(uint64_t, waiting_ms, waiting_ms)
    lttng_ust_field_integer(uint64_t, quiet_ms, quiet_ms)
    lttng_ust_field_integer(int, roots_unchanged, roots_unchanged)
    GH_TP_GCINFO_FIELDS
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, gc_major_start,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(genheap, gc_major_end,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name, uint64_t, reclaimed,
                    int, reason, const struct gh_gc_info *, info),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(uint64_t, reclaimed, reclaimed)
    lttng_ust_field_integer(int, reason, reason)
    GH_TP_GCINFO_FIELDS
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, gc_major_end,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

/* Fired between gc_minor_start and gc_minor_end by a minor GC that
 * promoted anything. */
LTTNG_UST_TRACEPOINT_EVENT(genheap, promotion,
  LTTNG_UST_TP_ARGS(uint64_t, pid, uint64_t, words, uint64_t, bin_bytes),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    lttng_ust_field_integer(uint64_t, words, words)
    lttng_ust_field_integer(uint64_t, bin_bytes, bin_bytes)
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, promotion,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

/* After the reason-4 gc_major pair; GCINFO is the state after shrinking. */
LTTNG_UST_TRACEPOINT_EVENT(genheap, hibernate,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name,
                    uint64_t, heap_block_before, uint64_t, old_heap_block_before,
                    uint64_t, mbuf_before, const struct gh_gc_info *, info),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(uint64_t, heap_block_before, heap_block_before)
    lttng_ust_field_integer(uint64_t, old_heap_block_before,
                            old_heap_block_before)
    lttng_ust_field_integer(uint64_t, mbuf_before, mbuf_before)
    lttng_ust_field_integer(uint64_t, total_before,
                            heap_block_before + old_heap_block_before +
                                mbuf_before)
    GH_TP_GCINFO_FIELDS
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, hibernate,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(genheap, max_heap_kill,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name, uint64_t, total_words,
                    uint64_t, limit_words, const struct gh_gc_info *, info),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(uint64_t, total_words, total_words)
    lttng_ust_field_integer(uint64_t, limit_words, limit_words)
    GH_TP_GCINFO_FIELDS
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, max_heap_kill,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_WARNING)

/* ---- Census (schema 2) -------------------------------------------------- */

#define GH_TP_CENSUS_FIELD_(member)                                            \
  lttng_ust_field_integer(uint64_t, member, (uint64_t)census->member)

/* A mark-only count of a process's live data (gh_census_info), with who
 * asked (gh_census_trigger), how long the process had waited, whether its
 * roots were those of its last collection, and the GC-info block. */
LTTNG_UST_TRACEPOINT_EVENT(genheap, census,
  LTTNG_UST_TP_ARGS(uint64_t, pid, const char *, name, int, trigger,
                    uint64_t, waiting_ms, uint64_t, quiet_ms, int, roots_unchanged,
                    const struct gh_census_info *, census,
                    const struct gh_gc_info *, info),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, pid, pid)
    GH_TP_NAME_FIELD(name)
    lttng_ust_field_integer(int, trigger, trigger)
    lttng_ust_field_integer(uint64_t, waiting_ms, waiting_ms)
    lttng_ust_field_integer(uint64_t, quiet_ms, quiet_ms)
    lttng_ust_field_integer(int, roots_unchanged, roots_unchanged)
    GH_CENSUS_FIELDS(GH_TP_CENSUS_FIELD_)
    GH_TP_GCINFO_FIELDS
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, census,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

/* ---- Refc binaries (DEBUG: one event per large binary) ------------------ */

LTTNG_UST_TRACEPOINT_EVENT(genheap, binary_alloc,
  LTTNG_UST_TP_ARGS(uint64_t, bin, uint64_t, size, uint64_t, pid),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, bin, bin)
    lttng_ust_field_integer(uint64_t, size, size)
    lttng_ust_field_integer(uint64_t, pid, pid)
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, binary_alloc,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG)

LTTNG_UST_TRACEPOINT_EVENT(genheap, binary_free,
  LTTNG_UST_TP_ARGS(uint64_t, bin, uint64_t, size),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, bin, bin)
    lttng_ust_field_integer(uint64_t, size, size)
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, binary_free,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG)

/* ---- Resources (DEBUG: one event per resource, as the binaries) --------- */

LTTNG_UST_TRACEPOINT_EVENT(genheap, resource_alloc,
  LTTNG_UST_TP_ARGS(uint64_t, res, const char *, type, uint64_t, size, uint64_t, pid),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, res, res)
    lttng_ust_field_string(type, type)
    lttng_ust_field_integer(uint64_t, size, size)
    lttng_ust_field_integer(uint64_t, pid, pid)
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, resource_alloc,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG)

LTTNG_UST_TRACEPOINT_EVENT(genheap, resource_free,
  LTTNG_UST_TP_ARGS(uint64_t, res, const char *, type, uint64_t, size),
  LTTNG_UST_TP_FIELDS(
    lttng_ust_field_integer(uint64_t, res, res)
    lttng_ust_field_string(type, type)
    lttng_ust_field_integer(uint64_t, size, size)
  )
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(genheap, resource_free,
                              LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG)

#endif /* GENHEAP_TP_H */

#include <lttng/tracepoint-event.h>
