/* trace.h -- the library's side of the genheap LTTng-UST tracepoints.
 *
 * Design: docs/trace-events.md.  Each event is one call here; the call
 * sites never format anything.  When tracing is compiled out
 * (--disable-lttng) every function is empty and inlined away; when it is
 * compiled in, the tracepoints use LTTng-UST's dynamic linkage
 * (tracepoints.c), so libgenheap needs only libdl: a disabled tracepoint
 * costs one predictable branch, and the GC-info block is only gathered when
 * somebody is recording that event.
 */
#ifndef GH_TRACE_H
#define GH_TRACE_H

#include "internal.h"

#if defined(GH_TRACE_HOOK)
/* tests/test_trace.c compiles the library's sources with GH_TRACE_HOOK:
 * every event is on and calls the test's gh_test_trace_<event> with the
 * tracepoint's arguments, so that a unit test can check what is traced. */
#define GH_TP_ENABLED(ev) 1
#define GH_TP_DO(ev, ...) gh_test_trace_##ev(__VA_ARGS__)
void gh_test_trace_proc_spawn(uint64_t pid, const char *name, uint64_t min_heap_size,
                              uint64_t min_bin_vheap_size, uint64_t fullsweep_after,
                              uint64_t max_heap_size, uint64_t hibernate_after_ms);
void gh_test_trace_proc_exit(uint64_t pid, const char *name, int reason,
                             const gh_gc_info *info);
void gh_test_trace_gc_minor_start(uint64_t pid, const char *name, uint64_t need,
                                  const gh_gc_info *info);
void gh_test_trace_gc_minor_end(uint64_t pid, const char *name, uint64_t reclaimed,
                                const gh_gc_info *info);
void gh_test_trace_gc_major_start(uint64_t pid, const char *name, uint64_t need,
                                  int reason, uint64_t waiting_ms, uint64_t quiet_ms,
                                  int roots_unchanged, const gh_gc_info *info);
void gh_test_trace_gc_major_end(uint64_t pid, const char *name, uint64_t reclaimed,
                                int reason, const gh_gc_info *info);
void gh_test_trace_promotion(uint64_t pid, uint64_t words, uint64_t bin_bytes);
void gh_test_trace_hibernate(uint64_t pid, const char *name, uint64_t heap_block_before,
                             uint64_t old_block_before, uint64_t mbuf_before,
                             const gh_gc_info *info);
void gh_test_trace_max_heap_kill(uint64_t pid, const char *name, uint64_t total,
                                 uint64_t limit, const gh_gc_info *info);
void gh_test_trace_census(uint64_t pid, const char *name, int trigger,
                          uint64_t waiting_ms, uint64_t quiet_ms, int roots_unchanged,
                          const gh_census_info *census, const gh_gc_info *info);
void gh_test_trace_binary_alloc(uint64_t bin, uint64_t size, uint64_t owner);
void gh_test_trace_binary_free(uint64_t bin, uint64_t size);
#elif defined(GH_HAVE_LTTNG)
#include "genheap_tp.h"
#define GH_TP_ENABLED(ev) lttng_ust_tracepoint_enabled(genheap, ev)
#define GH_TP_DO(ev, ...) lttng_ust_do_tracepoint(genheap, ev, __VA_ARGS__)
#else
#define GH_TP_ENABLED(ev) 0
#define GH_TP_DO(ev, ...) ((void)0)
#endif

static inline void trace_proc_spawn(const gh_proc *p) {
  if (GH_TP_ENABLED(proc_spawn))
    GH_TP_DO(proc_spawn, p->pid, p->name, p->min_heap_size, p->min_vheap_size,
             p->max_gen_gcs, p->max_heap_size, p->hibernate_after_ms);
}

static inline void trace_proc_exit(const gh_proc *p, int reason) {
  if (GH_TP_ENABLED(proc_exit)) {
    gh_gc_info i;
    gh__fill_info(p, &i);
    GH_TP_DO(proc_exit, p->pid, p->name, reason, &i);
  }
}

/* A full sweep's start also says whether the process was waiting and
 * whether its roots are those of its last GC: the analyzer's evidence for
 * how long the garbage the sweep frees had been held. */
static inline void trace_gc_start(const gh_proc *p, bool major, size_t need,
                                  int reason) {
  if (major ? GH_TP_ENABLED(gc_major_start) : GH_TP_ENABLED(gc_minor_start)) {
    gh_gc_info i;
    gh__fill_info(p, &i);
    if (major)
      GH_TP_DO(gc_major_start, p->pid, p->name, need, reason,
               gh__waiting_ms(p), gh__roots_quiet_ms(p), gh__roots_unchanged(p),
               &i);
    else
      GH_TP_DO(gc_minor_start, p->pid, p->name, need, &i);
  }
}

static inline void trace_gc_end(const gh_proc *p, bool major, size_t reclaimed,
                                int reason) {
  if (major ? GH_TP_ENABLED(gc_major_end) : GH_TP_ENABLED(gc_minor_end)) {
    gh_gc_info i;
    gh__fill_info(p, &i);
    if (major)
      GH_TP_DO(gc_major_end, p->pid, p->name, reclaimed, reason, &i);
    else
      GH_TP_DO(gc_minor_end, p->pid, p->name, reclaimed, &i);
  }
}

static inline void trace_promotion(const gh_proc *p, size_t words,
                                   uint64_t bin_bytes) {
  if (GH_TP_ENABLED(promotion))
    GH_TP_DO(promotion, p->pid, words, bin_bytes);
}

static inline void trace_hibernate(const gh_proc *p, size_t heap_block_before,
                                   size_t old_block_before, size_t mbuf_before) {
  if (GH_TP_ENABLED(hibernate)) {
    gh_gc_info i;
    gh__fill_info(p, &i);
    GH_TP_DO(hibernate, p->pid, p->name, heap_block_before, old_block_before,
             mbuf_before, &i);
  }
}

static inline void trace_max_heap_kill(const gh_proc *p, size_t total,
                                       size_t limit) {
  if (GH_TP_ENABLED(max_heap_kill)) {
    gh_gc_info i;
    gh__fill_info(p, &i);
    GH_TP_DO(max_heap_kill, p->pid, p->name, total, limit, &i);
  }
}

static inline bool trace_census_enabled(void) {
  return GH_TP_ENABLED(census);
}

static inline void trace_census(const gh_proc *p, gh_census_trigger trigger,
                                uint64_t waiting_ms, uint64_t quiet_ms,
                                bool roots_unchanged,
                                const gh_census_info *census) {
  if (GH_TP_ENABLED(census)) {
    gh_gc_info i;
    gh__fill_info(p, &i);
    GH_TP_DO(census, p->pid, p->name, (int)trigger, waiting_ms, quiet_ms,
             (int)roots_unchanged, census, &i);
  }
}

static inline void trace_binary_alloc(const gh_refc_bin *b, gh_pid owner) {
  if (GH_TP_ENABLED(binary_alloc))
    GH_TP_DO(binary_alloc, (uint64_t)(uintptr_t)b, b->orig_size, owner);
}

static inline void trace_binary_free(const gh_refc_bin *b) {
  if (GH_TP_ENABLED(binary_free))
    GH_TP_DO(binary_free, (uint64_t)(uintptr_t)b, b->orig_size);
}

#endif /* GH_TRACE_H */
