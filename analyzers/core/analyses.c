/* analyses.c -- judges each process over its whole observed life.
 *
 * Design: docs/analyses.md.  All durations are trace time, so a recorded
 * trace gives the same findings however fast it is read.  A process's life
 * runs from its first event to its exit, its kill or its runtime's end, or
 * else to the end of its recording (the trace's last packet, not its last
 * event: a process that idles emits nothing).
 *
 * Severity follows evidence.  procs.c keeps, per process, the garbage that
 * censuses and sweeps measured, as a lower bound over time (waste.h).  A
 * warning needs that bound at or above the threshold for at least min_idle:
 *
 *  bloat             old-heap garbage held for long (bloat_min_words).
 *  binleak           refc-binary words that only garbage (old or young) kept
 *                    alive, held for long (binleak_min_words).
 *
 * A process whose trace suggests the same (old heap grown, unswept, idle
 * for long) but that nothing measured gets an `info` finding that says its
 * figure is an estimate; a census that measured little garbage silences
 * the suspicion.  An all-live old heap is not waste, however large.
 *
 *  idle-after-burst  (info) many GCs, then none for at least half of the
 *                    process's observed life, with large heap blocks still
 *                    held: memory, not necessarily garbage.
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
static uint64_t trace_end_of(const struct gha_analyzer *an, const struct gha_proc *p) {
  return an->trace_end_ns[p->trace];
}

uint64_t gha_proc_end_ns(const struct gha_analyzer *an, const struct gha_proc *p) {
  uint64_t end = p->end_ns ? p->end_ns : trace_end_of(an, p);
  return end > p->last_ns ? end : p->last_ns;
}

const char *gha_proc_state(const struct gha_proc *p) {
  if (p->killed)
    return "killed";
  if (p->exited)
    return "exited";
  return p->freed ? "freed" : "alive";
}

static uint64_t life_ns(const struct gha_analyzer *an, const struct gha_proc *p) {
  return gha_proc_end_ns(an, p) - p->first_ns;
}

static uint64_t idle_ns(const struct gha_analyzer *an, const struct gha_proc *p) {
  uint64_t last = p->gc_count ? p->last_gc_ns : p->first_ns;
  uint64_t end = gha_proc_end_ns(an, p);
  return end > last ? end - last : 0;
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

void gha_proc_waste(const struct gha_analyzer *an, const struct gha_proc *p,
                    struct gha_waste_summary *words, struct gha_waste_summary *bins) {
  uint64_t end = gha_proc_end_ns(an, p);
  gha_waste_summarize(&p->waste, end, an->opts.bloat_min_words, words);
  gha_waste_summarize(&p->binwaste, end, an->opts.binleak_min_words, bins);
}

static struct gha_finding *new_finding(struct gha_analyzer *an,
                                       enum gha_analysis a,
                                       enum gha_severity sev,
                                       struct gha_proc *p) {
  if (an->nfindings == an->findings_cap) {
    size_t cap = an->findings_cap ? an->findings_cap * 2 : 16;
    struct gha_finding *grown = realloc(an->findings, cap * sizeof *grown);
    if (!grown)
      return NULL;
    an->findings = grown;
    an->findings_cap = cap;
  }
  struct gha_finding *f = &an->findings[an->nfindings];
  memset(f, 0, sizeof *f);
  p->finding_at[a] = (int32_t)an->nfindings++;
  f->analysis = a;
  f->severity = sev;
  f->proc = p;
  f->since_ns = since_sweep(p);
  f->idle_ns = idle_ns(an, p);
  return f;
}

/* A census after the process's last GC saw its heap as it idles: what it
 * measured stands, suspicion or not. */
static bool census_covers_idle(const struct gha_proc *p) {
  return p->censuses && p->last_census_ns >= p->last_gc_ns;
}

/* The measured finding: waste at or above the threshold for min_idle. */
static bool report_measured(struct gha_analyzer *an, struct gha_proc *p,
                            enum gha_analysis a, const struct gha_waste_summary *w) {
  if (w->above_ns < an->opts.min_idle_ns || w->above_ns == 0)
    return false;
  struct gha_finding *f = new_finding(an, a, GHA_SEV_WARNING, p);
  if (!f)
    return true;
  uint64_t life = life_ns(an, p);
  f->measured = true;
  f->evidence = gha_measure_name(w->peak_by);
  f->waste_words = w->peak;
  f->waste_word_s = w->word_s;
  f->above_ns = w->above_ns;
  f->life_share = life ? (double)w->above_ns / (double)life : 0.0;
  f->from_ns = w->first_above_ns;
  f->until_ns = w->last_above_ns;
  f->would_free = w->now_words;
  f->would_free_kind = "measured";
  f->waste_word_s = w->word_s;
  return true;
}

static const char *const bloat_fix =
    "set hibernate_after_ms so the idle process is swept and shrunk, lower "
    "fullsweep_after, or do the work in a shorter-lived process";
static const char *const binleak_fix =
    "hibernate the idle process (hibernate_after_ms with gh_wait and "
    "gh_runtime_hibernate_idle), or sweep (gh_gc GH_GC_MAJOR) after "
    "forwarding large binaries";
static const char *const idle_burst_fix =
    "hibernate after the burst (gh_hibernate or hibernate_after_ms), "
    "or run the burst in a short-lived process";

/* The same fixes in BEAM's terms, for processes of BEAM traces. */
static const char *const beam_bloat_fix =
    "hibernate it when idle ({hibernate_after, Ms} in gen_server/GenServer "
    "start options, or erlang:hibernate/3), give it {fullsweep_after, N} "
    "(spawn_opt or process_flag/2), call erlang:garbage_collect(Pid) after "
    "its burst, or do the burst in a short-lived process";
static const char *const beam_binleak_fix =
    "hibernate it when idle ({hibernate_after, Ms}), call "
    "erlang:garbage_collect(Pid) after forwarding large binaries, give it "
    "{fullsweep_after, N}, or keep only binary:copy/1 of the parts it needs";
static const char *const beam_idle_burst_fix =
    "hibernate after the burst ({hibernate_after, Ms} or "
    "erlang:hibernate/3), or run the burst in a short-lived process";

static const char *fix_for(const struct gha_proc *p, enum gha_analysis a) {
  bool beam = p->runtime == GHA_RUNTIME_BEAM;
  switch (a) {
  case GHA_BLOAT: return beam ? beam_bloat_fix : bloat_fix;
  case GHA_BINLEAK: return beam ? beam_binleak_fix : binleak_fix;
  default: return beam ? beam_idle_burst_fix : idle_burst_fix;
  }
}

static void check_bloat(struct gha_analyzer *an, struct gha_proc *p,
                        const struct gha_waste_summary *w) {
  const struct gha_gcinfo *g = &p->info;
  if (report_measured(an, p, GHA_BLOAT, w)) {
    if (p->finding_at[GHA_BLOAT] >= 0) {
      an->findings[p->finding_at[GHA_BLOAT]].held_words = g->old_heap_size;
      an->findings[p->finding_at[GHA_BLOAT]].fix = fix_for(p, GHA_BLOAT);
    }
    return;
  }
  /* The suspicion: grown since its last sweep, unswept and idle for long,
   * and nothing measured how much of it is garbage. */
  if (!p->has_info || g->old_heap_size < an->opts.bloat_min_words ||
      g->old_heap_size <= p->old_after_sweep || census_covers_idle(p))
    return;
  if (gha_proc_end_ns(an, p) - since_sweep(p) < an->opts.min_idle_ns ||
      !is_long_idle(an, p))
    return;
  struct gha_finding *f = new_finding(an, GHA_BLOAT, GHA_SEV_INFO, p);
  if (!f)
    return;
  f->evidence = "none";
  f->held_words = f->waste_words = f->would_free = g->old_heap_size;
  f->would_free_kind = "estimated";
  f->fix = fix_for(p, GHA_BLOAT);
}

static void check_binleak(struct gha_analyzer *an, struct gha_proc *p,
                          const struct gha_waste_summary *w) {
  const struct gha_gcinfo *g = &p->info;
  if (report_measured(an, p, GHA_BINLEAK, w)) {
    if (p->finding_at[GHA_BINLEAK] >= 0) {
      struct gha_finding *f = &an->findings[p->finding_at[GHA_BINLEAK]];
      f->held_words = g->bin_old_vheap_size;
      f->fix = fix_for(p, GHA_BINLEAK);
    }
    return;
  }
  if (!p->has_info || g->bin_old_vheap_size < an->opts.binleak_min_words ||
      census_covers_idle(p))
    return;
  if (g->bin_old_vheap_size <= p->binold_after_sweep ||
      p->binold_steps < an->opts.binleak_min_steps)
    return;
  if (gha_proc_end_ns(an, p) - since_sweep(p) < an->opts.min_idle_ns)
    return;
  struct gha_finding *f = new_finding(an, GHA_BINLEAK, GHA_SEV_INFO, p);
  if (!f)
    return;
  f->evidence = "none";
  f->held_words = f->waste_words = g->bin_old_vheap_size;
  f->would_free = g->bin_old_vheap_size - p->binold_after_sweep;
  f->would_free_kind = "estimated";
  f->fix = fix_for(p, GHA_BINLEAK);
}

static void check_idle_burst(struct gha_analyzer *an, struct gha_proc *p) {
  const struct gha_gcinfo *g = &p->info;
  uint64_t held = g->heap_block_size + g->old_heap_block_size + g->mbuf_size;
  if (!p->has_info || p->gc_count < an->opts.burst_min_gcs ||
      held < an->opts.burst_min_words)
    return;
  uint64_t idle = idle_ns(an, p);
  uint64_t life = life_ns(an, p);
  if (idle < an->opts.min_idle_ns || idle * 2 < life)
    return;
  struct gha_finding *f = new_finding(an, GHA_IDLE_BURST, GHA_SEV_INFO, p);
  if (!f)
    return;
  f->held_words = held;
  f->evidence = "none";
  f->life_share = life ? (double)idle / (double)life : 0.0;
  f->fix = fix_for(p, GHA_IDLE_BURST);
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
    struct gha_proc *p = an->procs[i];
    for (int a = 0; a < GHA_ANALYSES; a++)
      p->finding_at[a] = -1;
    struct gha_waste_summary words, bins;
    gha_proc_waste(an, p, &words, &bins);
    check_bloat(an, p, &words);
    check_binleak(an, p, &bins);
    check_idle_burst(an, p);
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
  if (!an->finished || (unsigned)a >= GHA_ANALYSES || p->finding_at[a] < 0)
    return NULL;
  return &an->findings[p->finding_at[a]];
}

bool gha_proc_flagged(const struct gha_analyzer *an, const struct gha_proc *p) {
  for (int a = 0; a < GHA_ANALYSES; a++)
    if (gha_finding_for(an, p, (enum gha_analysis)a))
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
