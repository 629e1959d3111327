/* procs.c -- the analyzer object: host names, the process table, and the
 * per-event aggregation that keeps each process's state bounded.
 *
 * Each event updates its process's aggregate in O(1): counters, peaks, the
 * pause histogram and a chart series that halves its resolution when full.
 * Nothing is kept per event, so memory follows the number of processes.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define GHA_NAME_OF_(type, name) #name,
const char *const gha_gcinfo_names[GHA_GCINFO_FIELDS] = {
    GH_GC_INFO_FIELDS(GHA_NAME_OF_)};
#undef GHA_NAME_OF_
#define GHA_NAME_OF_(name) #name,
const char *const gha_census_names[GHA_CENSUS_FIELDS] = {
    GH_CENSUS_FIELDS(GHA_NAME_OF_)};
#undef GHA_NAME_OF_

void gha_options_init(struct gha_options *o) {
  o->min_idle_ns = 1000000000ull;
  o->idle_factor = 20.0;
  o->bloat_min_words = 65536;
  o->binleak_min_words = 16384;
  o->binleak_min_steps = 3;
  o->burst_min_gcs = 20;
  o->burst_min_words = 65536;
  o->fail_on = GHA_SEV_WARNING;
}

struct gha_analyzer *gha_analyzer_new(const struct gha_options *opts) {
  struct gha_analyzer *an = calloc(1, sizeof *an);
  if (!an)
    return NULL;
  if (opts)
    an->opts = *opts;
  else
    gha_options_init(&an->opts);
  return an;
}

void gha_analyzer_free(struct gha_analyzer *an) {
  if (!an)
    return;
  for (size_t i = 0; i < an->nprocs; i++)
    gha__proc_free(an->procs[i]);
  free(an->procs);
  free(an->index);
  for (size_t i = 0; i < an->nhosts; i++)
    free(an->hosts[i]);
  free(an->hosts);
  for (size_t i = 0; i < an->norigins; i++)
    free(an->origins[i]);
  free(an->origins);
  free(an->origin_rt);
  free(an->findings);
  free(an);
}

uint32_t gha_host_id(struct gha_analyzer *an, const char *hostname) {
  if (!hostname)
    hostname = "";
  for (size_t i = 0; i < an->nhosts; i++)
    if (strcmp(an->hosts[i], hostname) == 0)
      return (uint32_t)i;
  char **grown = realloc(an->hosts, (an->nhosts + 1) * sizeof *grown);
  char clean[256];
  gha_clean_name(clean, sizeof clean, hostname);
  char *copy = strdup(clean);
  if (!grown || !copy) {
    free(copy);
    if (grown)
      an->hosts = grown;
    return 0; /* out of memory: fold into the first host */
  }
  an->hosts = grown;
  an->hosts[an->nhosts] = copy;
  return (uint32_t)an->nhosts++;
}

const char *gha_host_name(const struct gha_analyzer *an, uint32_t id) {
  return id < an->nhosts ? an->hosts[id] : "";
}

/* ---- process table: dense array + open-addressing index --------------- */

static uint64_t key_hash(uint32_t host, int64_t vpid, uint64_t pid) {
  uint64_t h = pid * 0x9E3779B97F4A7C15ull;
  h ^= ((uint64_t)vpid + ((uint64_t)host << 40)) * 0xC2B2AE3D27D4EB4Full;
  return h ^ (h >> 29);
}

static bool index_insert(struct gha_analyzer *an, uint32_t slot_value) {
  const struct gha_proc *p = an->procs[slot_value];
  size_t mask = an->index_cap - 1;
  size_t i = key_hash(p->host, p->vpid, p->pid) & mask;
  while (an->index[i] != 0)
    i = (i + 1) & mask;
  an->index[i] = slot_value + 1; /* 0 marks an empty slot */
  return true;
}

static bool index_grow(struct gha_analyzer *an) {
  size_t cap = an->index_cap ? an->index_cap * 2 : 64;
  uint32_t *fresh = calloc(cap, sizeof *fresh);
  if (!fresh)
    return false;
  free(an->index);
  an->index = fresh;
  an->index_cap = cap;
  for (size_t k = 0; k < an->nprocs; k++)
    index_insert(an, (uint32_t)k);
  return true;
}

void gha__reindex(struct gha_analyzer *an) {
  for (size_t i = 0; i < an->index_cap; i++)
    an->index[i] = 0;
  for (size_t k = 0; k < an->nprocs; k++)
    index_insert(an, (uint32_t)k);
  an->last = NULL;
}

static struct gha_proc *lookup(const struct gha_analyzer *an, uint32_t host,
                               int64_t vpid, uint64_t pid) {
  if (!an->index_cap)
    return NULL;
  size_t mask = an->index_cap - 1;
  for (size_t i = key_hash(host, vpid, pid) & mask; an->index[i];
       i = (i + 1) & mask) {
    struct gha_proc *p = an->procs[an->index[i] - 1];
    if (p->pid == pid && p->vpid == vpid && p->host == host && !p->retired)
      return p;
  }
  return NULL;
}

static struct gha_proc *add_proc(struct gha_analyzer *an,
                                 const struct gha_event *ev) {
  if ((an->nprocs + 1) * 2 > an->index_cap && !index_grow(an))
    return NULL;
  if (an->nprocs == an->procs_cap) {
    size_t cap = an->procs_cap ? an->procs_cap * 2 : 32;
    struct gha_proc **grown = realloc(an->procs, cap * sizeof *grown);
    if (!grown)
      return NULL;
    an->procs = grown;
    an->procs_cap = cap;
  }
  struct gha_proc *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->host = ev->host;
  p->vpid = ev->vpid;
  p->pid = ev->pid;
  p->first_ns = ev->ts_ns;
  p->trace = ev->trace < GHA_TRACES_MAX ? ev->trace : GHA_TRACES_MAX - 1;
  p->runtime = ev->runtime;
  p->series_stride = 1;
  p->minor_start_ns = p->major_start_ns = UINT64_MAX;
  p->sweep_start_ns = UINT64_MAX;
  p->last_gc_end_ns = ev->ts_ns;
  gha_waste_init(&p->waste, ev->ts_ns);
  gha_waste_init(&p->binwaste, ev->ts_ns);
  an->procs[an->nprocs] = p;
  index_insert(an, (uint32_t)an->nprocs);
  an->nprocs++;
  return p;
}

/* ---- per-event aggregation -------------------------------------------- */

/* The chart points a measurement covers show it (the epoch's start bounds
 * it, as it bounds the staircase). */
static void raise_points(const struct gha_analyzer *an, struct gha_proc *p,
                         uint64_t since, uint64_t at, uint64_t words, uint64_t bins) {
  if (since < p->waste.epoch_ns)
    since = p->waste.epoch_ns;
  if (words || bins)
    gha__series_raise(an, p, since, at, words, bins);
}

static void track_peaks(struct gha_proc *p, const struct gha_gcinfo *g) {
  uint64_t total = g->heap_block_size + g->old_heap_block_size + g->mbuf_size;
  if (g->heap_block_size > p->peak_heap_block)
    p->peak_heap_block = g->heap_block_size;
  if (g->old_heap_block_size > p->peak_old_heap_block)
    p->peak_old_heap_block = g->old_heap_block_size;
  if (g->old_heap_size > p->peak_old_heap_size)
    p->peak_old_heap_size = g->old_heap_size;
  if (total > p->peak_total_heap)
    p->peak_total_heap = total;
}

/* Counts steps where the old binary vheap grew since the last sweep: the
 * router signature is many such steps and no sweep to drop them. */
static void track_binold(struct gha_proc *p, const struct gha_gcinfo *g) {
  if (p->has_info && g->bin_old_vheap_size > p->info.bin_old_vheap_size)
    p->binold_steps++;
}

/* The process's life ends (exit, kill, its runtime's end): what it held is
 * released, and its waste stops there.  The first end counts. */
static void end_life(struct gha_proc *p, uint64_t ts, bool *how) {
  if (!p->end_ns)
    p->end_ns = ts ? ts : 1;
  *how = true;
}

static void note_gc(struct gha_proc *p, uint64_t ts) {
  if (p->gc_count == 0)
    p->first_gc_ns = ts;
  p->last_gc_ns = ts;
  p->gc_count++;
}

/* Back from ts by ms milliseconds, not before the clock's origin. */
static uint64_t ms_before(uint64_t ts, uint64_t ms) {
  uint64_t ns = ms * 1000000ull;
  return ms < UINT64_MAX / 1000000ull && ns <= ts ? ts - ns : 0;
}

/* Where a measurement's garbage certainly began.  Terms are immutable, so
 * while the roots stay the same so does the live set, and with it the
 * garbage: back to the process's last GC when its roots are those of that
 * GC, to when it began to wait (a waiting process is not touched), or to
 * when the census thread last saw its roots change; else only the moment
 * of the measurement. */
static uint64_t evidence_since(const struct gha_proc *p, const struct gha_event *ev) {
  uint64_t since = ev->ts_ns;
  if (ev->roots_unchanged && p->last_gc_end_ns < since)
    since = p->last_gc_end_ns;
  if (ev->waiting_ms && ms_before(ev->ts_ns, ev->waiting_ms) < since)
    since = ms_before(ev->ts_ns, ev->waiting_ms);
  if (ev->quiet_ms && ms_before(ev->ts_ns, ev->quiet_ms) < since)
    since = ms_before(ev->ts_ns, ev->quiet_ms);
  return since;
}

static void on_major_start(struct gha_proc *p, const struct gha_event *ev) {
  p->major_start_ns = ev->ts_ns;
  if (!ev->has_info)
    return;
  p->sweep_reason = (uint8_t)ev->reason;
  p->sweep_start_ns = ev->ts_ns;
  p->sweep_since_ns = evidence_since(p, ev);
  p->sweep_start_old = ev->info.old_heap_size;
  p->sweep_start_binold = ev->info.bin_old_vheap_size + ev->info.bin_vheap_size;
}

/* A sweep measures: everything it kept is in the young heap afterwards, so
 * at least (old heap before - all that survived) words of the old heap were
 * garbage; and exactly the refc-binary words it released (all referenced
 * before, young or old, minus those still referenced) were kept by garbage
 * alone.  Then the garbage is gone: the epochs end. */
static void measure_sweep(struct gha_analyzer *an, struct gha_proc *p,
                          const struct gha_event *ev) {
  if (p->sweep_start_ns == UINT64_MAX || !ev->has_info)
    return;
  uint64_t live = ev->info.heap_size + ev->info.old_heap_size;
  uint64_t old = p->sweep_start_old > live ? p->sweep_start_old - live : 0;
  uint64_t bins = p->sweep_start_binold > ev->info.bin_vheap_size
                      ? p->sweep_start_binold - ev->info.bin_vheap_size
                      : 0;
  /* the BEAM recorder's sweeps (reason 6) say who forced them */
  enum gha_measure by = GHA_BY_SWEEP;
  if (p->sweep_reason == GHA_SWEEP_RECORDER) {
    by = GHA_BY_RECORDER;
    an->recorder_sweeps++;
  }
  gha_waste_measured(&p->waste, by, p->sweep_since_ns, p->sweep_start_ns, old);
  gha_waste_measured(&p->binwaste, by, p->sweep_since_ns, p->sweep_start_ns,
                     bins);
  raise_points(an, p, p->sweep_since_ns, p->sweep_start_ns, old, bins);
  gha_waste_sweep(&p->waste, p->sweep_start_ns, ev->ts_ns, an->opts.bloat_min_words);
  gha_waste_sweep(&p->binwaste, p->sweep_start_ns, ev->ts_ns,
                  an->opts.binleak_min_words);
  p->sweeps_measured++;
  p->sweep_start_ns = UINT64_MAX;
}

static void on_major_end(struct gha_analyzer *an, struct gha_proc *p,
                         const struct gha_event *ev) {
  note_gc(p, ev->ts_ns);
  p->ev_major++;
  p->last_sweep_ns = ev->ts_ns;
  p->last_gc_end_ns = ev->ts_ns;
  uint64_t live = ev->info.heap_size + ev->info.old_heap_size;
  p->sweep_reclaimed += ev->reclaimed;
  p->sweep_total += ev->reclaimed + live;
  p->old_after_sweep = ev->info.old_heap_size;
  p->binold_after_sweep = ev->info.bin_old_vheap_size;
  p->binold_steps = 0;
  gha__record_pause(p, p->major_start_ns, ev->ts_ns);
  p->major_start_ns = UINT64_MAX;
  measure_sweep(an, p, ev);
}

/* A census measures the garbage exactly: old heap not reached, and refc
 * binaries referenced only from unreached ProcBins, old or young (an idle
 * process collects neither: the young ones wait for a GC that never comes
 * just as the old ones wait for a sweep). */
static void on_census(struct gha_analyzer *an, struct gha_proc *p,
                      const struct gha_event *ev) {
  const struct gha_census *c = &ev->census;
  uint64_t since = evidence_since(p, ev);
  uint64_t old = c->old_size > c->old_live ? c->old_size - c->old_live : 0;
  uint64_t bins =
      (c->bin_old_size > c->bin_old_live ? c->bin_old_size - c->bin_old_live : 0) +
      (c->bin_young_size > c->bin_young_live ? c->bin_young_size - c->bin_young_live : 0);
  gha_waste_measured(&p->waste, GHA_BY_CENSUS, since, ev->ts_ns, old);
  gha_waste_measured(&p->binwaste, GHA_BY_CENSUS, since, ev->ts_ns, bins);
  raise_points(an, p, since, ev->ts_ns, old, bins);
  p->censuses++;
  p->last_census_ns = ev->ts_ns;
  p->last_census = *c;
  if (ev->trigger == GH_CENSUS_RUNTIME_END)
    end_life(p, ev->ts_ns, &p->freed);
}

/* The pause of a GC that ends at ts, 0 when its start was not seen. */
static uint64_t pause_to(uint64_t start, uint64_t ts) {
  return start != UINT64_MAX && ts >= start ? ts - start : 0;
}

static uint8_t apply_event(struct gha_analyzer *an, struct gha_proc *p,
                           const struct gha_event *ev, struct gha_step *step) {
  switch (ev->type) {
  case GHA_EV_SPAWN:
    p->spawned = true;
    p->hibernate_after_ms = ev->hibernate_after_ms;
    p->fullsweep_after = ev->fullsweep_after;
    return 0;
  case GHA_EV_EXIT:
    end_life(p, ev->ts_ns, &p->exited);
    return 0;
  case GHA_EV_MAX_HEAP_KILL:
    end_life(p, ev->ts_ns, &p->killed);
    return 0;
  case GHA_EV_MINOR_START:
    p->minor_start_ns = ev->ts_ns;
    return 0;
  case GHA_EV_MAJOR_START:
    on_major_start(p, ev);
    return 0;
  case GHA_EV_MINOR_END:
    /* A minor GC that could not run (it becomes a full sweep, whose pair
     * follows) leaves minor_gcs unchanged: neither a pause nor a GC. */
    if (ev->has_info && p->has_info && ev->info.minor_gcs == p->info.minor_gcs) {
      p->minor_start_ns = UINT64_MAX;
      return 0;
    }
    note_gc(p, ev->ts_ns);
    p->last_gc_end_ns = ev->ts_ns;
    p->ev_minor++;
    step->pause_ns = pause_to(p->minor_start_ns, ev->ts_ns);
    /* a minor GC may release young garbage binaries: what was measured of
     * the binary waste is no longer known to stand */
    gha_waste_sweep(&p->binwaste, ev->ts_ns, ev->ts_ns, an->opts.binleak_min_words);
    gha__record_pause(p, p->minor_start_ns, ev->ts_ns);
    p->minor_start_ns = UINT64_MAX;
    return GHA_MARK_MINOR;
  case GHA_EV_MAJOR_END:
    step->pause_ns = pause_to(p->major_start_ns, ev->ts_ns);
    step->reason = (uint8_t)(ev->reason < 256 ? ev->reason : 255);
    on_major_end(an, p, ev);
    return GHA_MARK_SWEEP;
  case GHA_EV_HIBERNATE:
    p->ev_hibernate++;
    return GHA_MARK_HIBERNATE;
  case GHA_EV_PROMOTION:
    p->promoted_events += ev->words;
    return 0;
  case GHA_EV_CENSUS:
    on_census(an, p, ev);
    return GHA_MARK_CENSUS;
  case GHA_EV_PROC_INFO:
    /* a snapshot: its GC-info block (gha_feed keeps it) and its name, no
     * collection */
    return 0;
  default:
    return 0;
  }
}

bool gha_feed(struct gha_analyzer *an, const struct gha_event *ev) {
  an->events++;
  gha_note_time(an, ev->trace, ev->ts_ns);
  /* binary_free carries no pid: it only counts */
  if (ev->type == GHA_EV_BINARY_FREE || ev->type == GHA_EV_BINARY_ALLOC)
    return true;
  struct gha_proc *p = an->last;
  if (!p || p->pid != ev->pid || p->vpid != ev->vpid || p->host != ev->host)
    p = lookup(an, ev->host, ev->vpid, ev->pid);
  if (p && ev->type == GHA_EV_SPAWN && p->spawned) {
    /* The key came back: two runtimes in one program, or a program that
     * forked without its own vpid.  The earlier process keeps its figures;
     * events from now on belong to the new one. */
    p->retired = true;
    an->key_reuses++;
    p = NULL;
  }
  if (!p && !(p = add_proc(an, ev)))
    return false;
  an->last = p;
  /* the first name sticks, but a snapshot's is the recorder's best one
   * (a registered name, BEAM's initial call) */
  if (ev->name && ev->name[0] && (!p->name[0] || ev->type == GHA_EV_PROC_INFO)) {
    gha_clean_name(p->name, sizeof p->name, ev->name);
  }
  if (ev->ts_ns < p->first_ns)
    p->first_ns = ev->ts_ns;
  if (ev->ts_ns > p->last_ns)
    p->last_ns = ev->ts_ns;
  struct gha_step step = {0};
  step.marks = apply_event(an, p, ev, &step);
  if (ev->has_info) {
    track_binold(p, &ev->info);
    track_peaks(p, &ev->info);
    p->info = ev->info;
    p->has_info = true;
    gha__series_add(an, p, ev->ts_ns, &ev->info, &step,
                    gha_waste_at(&p->waste, ev->ts_ns),
                    gha_waste_at(&p->binwaste, ev->ts_ns));
  }
  an->finished = false;
  return true;
}

const char *gha_runtime_name(enum gha_runtime r) {
  return r == GHA_RUNTIME_BEAM ? "BEAM" : "genheap";
}

void gha_note_origin(struct gha_analyzer *an, enum gha_runtime rt,
                     const char *origin) {
  for (size_t i = 0; i < an->norigins; i++)
    if (strcmp(an->origins[i], origin) == 0)
      return;
  char **grown = realloc(an->origins, (an->norigins + 1) * sizeof *grown);
  if (!grown)
    return;
  an->origins = grown;
  uint8_t *rts = realloc(an->origin_rt, an->norigins + 1);
  if (!rts)
    return;
  an->origin_rt = rts;
  if (!(an->origins[an->norigins] = strdup(origin)))
    return;
  an->origin_rt[an->norigins++] = (uint8_t)rt;
}

size_t gha_origin_count(const struct gha_analyzer *an) { return an->norigins; }

const char *gha_origin_at(const struct gha_analyzer *an, size_t i,
                          enum gha_runtime *rt) {
  if (i >= an->norigins)
    return NULL;
  if (rt)
    *rt = (enum gha_runtime)an->origin_rt[i];
  return an->origins[i];
}

uint64_t gha_recorder_sweep_count(const struct gha_analyzer *an) {
  return an->recorder_sweeps;
}

void gha_note_discarded(struct gha_analyzer *an, uint64_t count) {
  an->discarded += count;
}

void gha_note_time(struct gha_analyzer *an, uint32_t trace, uint64_t ts_ns) {
  if (!an->timed || ts_ns < an->begin_ns)
    an->begin_ns = ts_ns;
  if (ts_ns > an->end_ns)
    an->end_ns = ts_ns;
  an->timed = true;
  uint32_t tr = trace < GHA_TRACES_MAX ? trace : GHA_TRACES_MAX - 1;
  if (ts_ns > an->trace_end_ns[tr])
    an->trace_end_ns[tr] = ts_ns;
  an->finished = false;
}

const struct gha_options *gha_opts(const struct gha_analyzer *an) {
  return &an->opts;
}
uint64_t gha_event_count(const struct gha_analyzer *an) { return an->events; }
uint64_t gha_discarded_count(const struct gha_analyzer *an) {
  return an->discarded;
}
uint64_t gha_key_reuse_count(const struct gha_analyzer *an) {
  return an->key_reuses;
}
uint64_t gha_trace_begin_ns(const struct gha_analyzer *an) {
  return an->begin_ns;
}
uint64_t gha_trace_end_ns(const struct gha_analyzer *an) { return an->end_ns; }
uint64_t gha_proc_trace_end_ns(const struct gha_analyzer *an,
                               const struct gha_proc *p) {
  return an->trace_end_ns[p->trace];
}
size_t gha_proc_count(const struct gha_analyzer *an) { return an->nprocs; }
const struct gha_proc *gha_proc_at(const struct gha_analyzer *an, size_t i) {
  return i < an->nprocs ? an->procs[i] : NULL;
}

const struct gha_proc *gha_find_proc(const struct gha_analyzer *an,
                                     const char *host, int64_t vpid,
                                     uint64_t pid) {
  for (size_t h = 0; h < an->nhosts; h++)
    if (strcmp(an->hosts[h], host) == 0)
      return lookup(an, (uint32_t)h, vpid, pid);
  return NULL;
}
