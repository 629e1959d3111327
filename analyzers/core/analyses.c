/* analyses.c -- turns per-process aggregates into findings.
 *
 * All durations are trace time (event timestamps), so a recorded trace gives
 * the same findings however fast it is read.  "Idle" for a process is the
 * time from its last GC to the end of the trace; it is "long" when it is at
 * least min_idle and at least idle_factor times the mean interval between
 * the process's GCs while it was busy (a process that collected every 10 ms
 * and then not for 2 s has stopped working).  The findings:
 *
 *  bloat             old heap grown since the last full sweep (or spawn),
 *                    not swept for a long time, process idle.
 *  binleak           refc-binary words referenced from the old heap grew in
 *                    several steps with no sweep to release them (a router
 *                    that forwards large binaries and then idles).
 *  idle-after-burst  many GCs, then none for at least half of the process's
 *                    observed life, with a large heap still held.
 *
 * Processes that exited hold nothing and are only summarised.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *gha_severity_name(enum gha_severity s) {
  switch (s) {
  case GHA_SEV_INFO: return "info";
  case GHA_SEV_WARNING: return "warning";
  case GHA_SEV_ERROR: return "error";
  default: return "never";
  }
}

int gha_severity_parse(const char *name) {
  static const char *const names[] = {"info", "warning", "error", "never"};
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0)
      return i;
  return -1;
}

const char *gha_analysis_name(enum gha_analysis a) {
  switch (a) {
  case GHA_BLOAT: return "bloat";
  case GHA_BINLEAK: return "binleak";
  case GHA_IDLE_BURST: return "idle-after-burst";
  default: return "?";
  }
}

/* The end of the process's own trace: traces recorded at different times
 * and read together must not make each other's processes look idle. */
static uint64_t end_of(const struct gha_analyzer *an, const struct gha_proc *p) {
  return an->trace_end_ns[p->trace];
}

static uint64_t idle_ns(const struct gha_analyzer *an, const struct gha_proc *p) {
  uint64_t last = p->gc_count ? p->last_gc_ns : p->first_ns;
  return end_of(an, p) > last ? end_of(an, p) - last : 0;
}

/* Idle for a long time compared with how often it collected when busy. */
static bool is_long_idle(const struct gha_analyzer *an,
                         const struct gha_proc *p) {
  uint64_t idle = idle_ns(an, p);
  if (idle < an->opts.min_idle_ns)
    return false;
  if (p->gc_count < 2)
    return true;
  double busy_interval =
      (double)(p->last_gc_ns - p->first_gc_ns) / (double)(p->gc_count - 1);
  return (double)idle >= an->opts.idle_factor * busy_interval;
}

static uint64_t since_sweep(const struct gha_proc *p) {
  return p->last_sweep_ns ? p->last_sweep_ns : p->first_ns;
}

static bool alive(const struct gha_proc *p) {
  return p->has_info && !p->exited && !p->killed;
}

static struct gha_finding *new_finding(struct gha_analyzer *an,
                                       enum gha_analysis a,
                                       enum gha_severity sev,
                                       const struct gha_proc *p) {
  struct gha_finding *grown =
      realloc(an->findings, (an->nfindings + 1) * sizeof *grown);
  if (!grown)
    return NULL;
  an->findings = grown;
  struct gha_finding *f = &an->findings[an->nfindings++];
  memset(f, 0, sizeof *f);
  f->analysis = a;
  f->severity = sev;
  f->proc = p;
  f->since_ns = since_sweep(p);
  f->idle_ns = idle_ns(an, p);
  return f;
}

/* What a full sweep would free now: the fraction earlier sweeps of this
 * process reclaimed, or, with no sweep to learn from, the old heap beyond
 * what survived the last minor GC (the recent live data). */
static void estimate_freed(const struct gha_proc *p, struct gha_finding *f) {
  const struct gha_gcinfo *g = &p->info;
  if (p->sweep_total > 0) {
    double frac = (double)p->sweep_reclaimed / (double)p->sweep_total;
    f->likely_freed = (uint64_t)(frac * (double)(g->heap_size + g->old_heap_size));
    f->estimate = "history";
  } else {
    f->likely_freed =
        g->old_heap_size > g->recent_size ? g->old_heap_size - g->recent_size : 0;
    f->estimate = "recent_live";
  }
}

static void check_bloat(struct gha_analyzer *an, const struct gha_proc *p) {
  const struct gha_gcinfo *g = &p->info;
  if (!alive(p) || g->old_heap_size < an->opts.bloat_min_words)
    return;
  if (g->old_heap_size <= p->old_after_sweep)
    return; /* not grown since the last sweep */
  if (end_of(an, p) - since_sweep(p) < an->opts.min_idle_ns || !is_long_idle(an, p))
    return;
  struct gha_finding *f = new_finding(an, GHA_BLOAT, GHA_SEV_WARNING, p);
  if (!f)
    return;
  f->held_words = g->old_heap_size;
  estimate_freed(p, f);
  snprintf(f->message, sizeof f->message,
           "old heap holds %llu words (block %llu) unswept for %.3f s, idle "
           "%.3f s; a full sweep would likely free %llu words (%s)",
           (unsigned long long)g->old_heap_size,
           (unsigned long long)g->old_heap_block_size,
           (double)(end_of(an, p) - f->since_ns) / 1e9, (double)f->idle_ns / 1e9,
           (unsigned long long)f->likely_freed, f->estimate);
  f->fix = "set hibernate_after_ms so the idle process is swept and shrunk, "
           "lower fullsweep_after, or do the work in a shorter-lived process";
}

static void check_binleak(struct gha_analyzer *an, const struct gha_proc *p) {
  const struct gha_gcinfo *g = &p->info;
  if (!alive(p) || g->bin_old_vheap_size < an->opts.binleak_min_words)
    return;
  if (g->bin_old_vheap_size <= p->binold_after_sweep ||
      p->binold_steps < an->opts.binleak_min_steps)
    return;
  if (end_of(an, p) - since_sweep(p) < an->opts.min_idle_ns)
    return;
  struct gha_finding *f = new_finding(an, GHA_BINLEAK, GHA_SEV_WARNING, p);
  if (!f)
    return;
  f->held_words = g->bin_old_vheap_size;
  f->likely_freed = g->bin_old_vheap_size - p->binold_after_sweep;
  f->estimate = "since_sweep";
  snprintf(f->message, sizeof f->message,
           "old heap references %llu words of refc binaries (%u growth steps, "
           "no full sweep for %.3f s, %llu binaries on its off-heap list)",
           (unsigned long long)g->bin_old_vheap_size, p->binold_steps,
           (double)(end_of(an, p) - f->since_ns) / 1e9,
           (unsigned long long)g->refc_binaries);
  f->fix = "hibernate the idle process (hibernate_after_ms with gh_wait and "
           "gh_runtime_hibernate_idle), or sweep (gh_gc GH_GC_MAJOR) after "
           "forwarding large binaries";
}

static void check_idle_burst(struct gha_analyzer *an, const struct gha_proc *p) {
  const struct gha_gcinfo *g = &p->info;
  uint64_t held = g->heap_block_size + g->old_heap_block_size + g->mbuf_size;
  if (!alive(p) || p->gc_count < an->opts.burst_min_gcs ||
      held < an->opts.burst_min_words)
    return;
  uint64_t idle = idle_ns(an, p);
  uint64_t life = end_of(an, p) - p->first_ns;
  if (idle < an->opts.min_idle_ns || idle * 2 < life)
    return;
  struct gha_finding *f = new_finding(an, GHA_IDLE_BURST, GHA_SEV_INFO, p);
  if (!f)
    return;
  f->held_words = held;
  snprintf(f->message, sizeof f->message,
           "%llu GCs, then none for %.3f s (%.0f%% of its life), still "
           "holding %llu heap words",
           (unsigned long long)p->gc_count, (double)idle / 1e9,
           life ? 100.0 * (double)idle / (double)life : 0.0,
           (unsigned long long)held);
  f->fix = "hibernate after the burst (gh_hibernate or hibernate_after_ms), "
           "or run the burst in a short-lived process";
}

static int proc_order(const void *a, const void *b) {
  const struct gha_proc *p = *(const struct gha_proc *const *)a;
  const struct gha_proc *q = *(const struct gha_proc *const *)b;
  if (p->host != q->host)
    return p->host < q->host ? -1 : 1;
  if (p->vpid != q->vpid)
    return p->vpid < q->vpid ? -1 : 1;
  if (p->pid != q->pid)
    return p->pid < q->pid ? -1 : 1;
  return 0;
}

void gha_finish(struct gha_analyzer *an) {
  if (an->finished)
    return;
  if (an->nprocs) /* procs is NULL before the first process: qsort wants an array */
    qsort(an->procs, an->nprocs, sizeof *an->procs, proc_order);
  if (an->index_cap)
    gha__reindex(an);
  an->nfindings = 0;
  for (size_t i = 0; i < an->nprocs; i++) {
    check_bloat(an, an->procs[i]);
    check_binleak(an, an->procs[i]);
    check_idle_burst(an, an->procs[i]);
  }
  an->finished = true;
}

size_t gha_finding_count(const struct gha_analyzer *an) { return an->nfindings; }

const struct gha_finding *gha_finding_at(const struct gha_analyzer *an,
                                         size_t i) {
  return i < an->nfindings ? &an->findings[i] : NULL;
}

const struct gha_finding *gha_finding_for(const struct gha_analyzer *an,
                                          const struct gha_proc *p,
                                          enum gha_analysis a) {
  for (size_t i = 0; i < an->nfindings; i++)
    if (an->findings[i].proc == p && an->findings[i].analysis == a)
      return &an->findings[i];
  return NULL;
}

bool gha_proc_flagged(const struct gha_analyzer *an, const struct gha_proc *p) {
  for (size_t i = 0; i < an->nfindings; i++)
    if (an->findings[i].proc == p)
      return true;
  return false;
}

int gha_exit_status(const struct gha_analyzer *an) {
  if (an->opts.fail_on == GHA_SEV_NEVER)
    return 0;
  for (size_t i = 0; i < an->nfindings; i++)
    if (an->findings[i].severity >= an->opts.fail_on)
      return 1;
  return 0;
}
