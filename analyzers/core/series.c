/* series.c -- what a process keeps for its charts and pause percentiles,
 * sized by what it needs: nothing until its first event of each kind.
 *
 * Real BEAM nodes run 10^5-10^6 processes, most of them short-lived with a
 * handful of events, so both parts grow on demand.  The chart series grows
 * to SERIES_SMALL points, or to GHA_SERIES_MAX for a process whose heap
 * (or heap and binaries) ever reached a quarter of --burst-min-words (the
 * processes worth a chart); when full it halves its resolution, merging pairs into their
 * later point with the marks of both, so no GC marker is lost (a sweep,
 * hibernation or census keeps its own time: see may_absorb).  A point's
 * measured waste is raised when a later census or sweep shows the garbage
 * was already there (gha__series_raise), and a point is inserted where
 * that evidence begins: the walk goes back only over the points of the
 * open epoch, as a sweep ends it.  The pause
 * histogram (4 buckets per octave from 64 ns to 2^38 ns) keeps the bucket
 * of a process's first GHA_PAUSES_INLINE pauses in the process itself, and
 * is allocated at the next one.  An allocation that fails only costs
 * resolution.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define SERIES_SMALL 16
#define PAUSE_OCTAVE0 6  /* the first bucket ends at 2^6 ns */
#define PAUSE_PER_OCTAVE 4

/* ---- pause histogram ------------------------------------------------------ */

static unsigned pause_bucket(uint64_t ns) {
  if (ns < (1ull << PAUSE_OCTAVE0))
    return 0;
  unsigned msb = 63u - (unsigned)__builtin_clzll(ns);
  unsigned frac = (unsigned)((ns >> (msb - 2)) & 3u); /* two fraction bits */
  unsigned b = (msb - PAUSE_OCTAVE0) * PAUSE_PER_OCTAVE + frac + 1;
  return b < GHA_PAUSE_BUCKETS ? b : GHA_PAUSE_BUCKETS - 1;
}

static uint64_t bucket_upper(unsigned b) {
  if (b == 0)
    return 1ull << PAUSE_OCTAVE0;
  unsigned msb = (b - 1) / PAUSE_PER_OCTAVE + PAUSE_OCTAVE0;
  unsigned frac = (b - 1) % PAUSE_PER_OCTAVE;
  uint64_t base = 1ull << msb;
  return base + (base * (frac + 1)) / PAUSE_PER_OCTAVE;
}

void gha__record_pause(struct gha_proc *p, uint64_t start, uint64_t end) {
  if (start == UINT64_MAX || end < start)
    return;
  uint64_t d = end - start;
  p->pause_count++;
  p->pause_sum_ns += d;
  if (d > p->pause_max_ns)
    p->pause_max_ns = d;
  unsigned b = pause_bucket(d);
  if (p->pause_count <= GHA_PAUSES_INLINE) {
    p->pause_inline[p->pause_count - 1] = (uint8_t)b;
    return;
  }
  if (!p->pause_hist && (p->pause_hist = calloc(GHA_PAUSE_BUCKETS,
                                                sizeof *p->pause_hist)))
    for (unsigned i = 0; i < GHA_PAUSES_INLINE; i++)
      p->pause_hist[p->pause_inline[i]]++;
  if (p->pause_hist)
    p->pause_hist[b]++;
}

/* How many pauses fell in bucket b. */
static uint64_t bucket_count(const struct gha_proc *p, unsigned b) {
  if (p->pause_hist)
    return p->pause_hist[b];
  uint64_t n = 0;
  for (unsigned i = 0; i < p->pause_count && i < GHA_PAUSES_INLINE; i++)
    n += p->pause_inline[i] == b;
  return n;
}

uint64_t gha_pause_percentile(const struct gha_proc *p, double pct) {
  if (p->pause_count == 0)
    return 0;
  if (!p->pause_hist && p->pause_count > GHA_PAUSES_INLINE)
    return p->pause_max_ns; /* the histogram could not be allocated */
  uint64_t want = (uint64_t)((pct / 100.0) * (double)p->pause_count + 0.999999);
  if (want == 0)
    want = 1;
  uint64_t seen = 0;
  for (unsigned b = 0; b < GHA_PAUSE_BUCKETS; b++) {
    seen += bucket_count(p, b);
    if (seen >= want) {
      uint64_t up = bucket_upper(b);
      return up < p->pause_max_ns ? up : p->pause_max_ns;
    }
  }
  return p->pause_max_ns;
}

/* ---- chart series ---------------------------------------------------------- */

uint64_t gha_point_ts(const struct gha_proc *p, const struct gha_point *pt) {
  return p->first_ns + (uint64_t)((double)pt->t_s * 1e9);
}

uint64_t gha_point_pause_ns(const struct gha_proc *p, const struct gha_point *pt) {
  if (!pt->pause)
    return 0;
  uint64_t up = bucket_upper(pt->pause - 1u);
  return up < p->pause_max_ns ? up : p->pause_max_ns;
}

/* What a later event (or point) brings to a point it merges into: its
 * marks, and its GC's reason and pause when it had a GC. */
static void merge_step(struct gha_point *into, uint8_t marks, uint8_t reason,
                       uint8_t pause) {
  into->marks |= marks;
  if (marks & GHA_MARK_SWEEP)
    into->reason = reason;
  if (pause)
    into->pause = pause;
}

static uint32_t clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static void set_point(struct gha_proc *p, struct gha_point *pt, uint64_t ts,
                      const struct gha_gcinfo *g, uint64_t waste, uint64_t binwaste) {
  pt->t_s = ts > p->first_ns ? (float)((double)(ts - p->first_ns) / 1e9) : 0.0f;
  pt->young = clamp32(g->heap_size);
  pt->old = clamp32(g->old_heap_size);
  pt->binv = clamp32(g->bin_vheap_size + g->bin_old_vheap_size);
  pt->waste = clamp32(waste);
  pt->binwaste = clamp32(binwaste);
}

/* A large heap, or many binary words (a router's heap stays small while
 * it holds megabytes of binaries): a process worth a chart. */
static unsigned series_limit(const struct gha_analyzer *an, const struct gha_proc *p) {
  uint64_t words =
      p->peak_total_heap + p->info.bin_vheap_size + p->info.bin_old_vheap_size;
  return words * 4 >= an->opts.burst_min_words ? GHA_SERIES_MAX : SERIES_SMALL;
}

/* Markers a chart must show at their time (minor GCs are many, and close),
 * and where evidence of waste begins. */
#define RARE_MARKS                                                                       \
  (GHA_MARK_SWEEP | GHA_MARK_HIBERNATE | GHA_MARK_CENSUS | GHA_MARK_EVIDENCE)

/* Which point of a pair halving keeps (the later one on a tie): a sweep,
 * hibernation or census first, then where evidence of waste begins, then
 * any marker. */
static int keep_rank(const struct gha_point *pt) {
  if (pt->marks & (GHA_MARK_SWEEP | GHA_MARK_HIBERNATE | GHA_MARK_CENSUS))
    return 3;
  return pt->marks == GHA_MARK_EVIDENCE ? 2 : pt->marks ? 1 : 0;
}

/* Room for one more point: grow, or halve the resolution. */
static bool series_room(const struct gha_analyzer *an, struct gha_proc *p) {
  if (p->series_len < p->series_cap)
    return true;
  unsigned limit = series_limit(an, p);
  if (p->series_cap < limit) {
    unsigned cap = p->series_cap ? p->series_cap * 2 : 4;
    struct gha_point *grown = realloc(p->series, cap * sizeof *grown);
    if (grown) {
      p->series = grown;
      p->series_cap = (uint16_t)cap;
      return true;
    }
  }
  if (!p->series_cap)
    return false;
  for (unsigned i = 0; i < p->series_len / 2u; i++) {
    const struct gha_point *a = &p->series[2 * i], *b = &p->series[2 * i + 1];
    const struct gha_point *keep = keep_rank(a) > keep_rank(b) ? a : b;
    const struct gha_point *drop = keep == a ? b : a;
    struct gha_point merged = *keep;
    /* the markers of both, but no minor GC moved to where only evidence is;
     * the reason and pause of the later GC of the two */
    if (merged.marks != GHA_MARK_EVIDENCE) {
      merged.marks |= drop->marks & ~GHA_MARK_EVIDENCE;
      merged.reason = b->marks & GHA_MARK_SWEEP ? b->reason : a->reason;
      merged.pause = b->pause ? b->pause : a->pause;
    }
    p->series[i] = merged;
  }
  p->series_len /= 2;
  p->series_stride *= 2;
  return true;
}

/* Absorbing an event moves the last point to the event's time: right in
 * a burst, wrong across a pause, where a sweep or hibernation would be
 * drawn when the process woke up.  A sweep, hibernation or census stays
 * where it is; minor GCs absorb an event that comes no later after them
 * than they came after the point before. */
static bool may_absorb(const struct gha_proc *p, uint64_t ts) {
  const struct gha_point *last = &p->series[p->series_len - 1];
  if (!last->marks)
    return true;
  if (p->series_len < 2 || (last->marks & RARE_MARKS))
    return ts <= gha_point_ts(p, last);
  uint64_t lt = gha_point_ts(p, last),
           before = gha_point_ts(p, &p->series[p->series_len - 2]);
  return ts <= lt || ts - lt <= lt - before;
}

void gha__series_add(const struct gha_analyzer *an, struct gha_proc *p, uint64_t ts,
                     const struct gha_gcinfo *g, const struct gha_step *step,
                     uint64_t waste, uint64_t binwaste) {
  uint8_t pause = step->pause_ns ? (uint8_t)(pause_bucket(step->pause_ns) + 1) : 0;
  if (p->series_len > 0 && p->series_skip > 0 && may_absorb(p, ts)) {
    struct gha_point *last = &p->series[p->series_len - 1];
    p->series_skip--;
    merge_step(last, step->marks, step->reason, pause);
    set_point(p, last, ts, g, waste, binwaste);
    return;
  }
  if (!series_room(an, p))
    return;
  struct gha_point *pt = &p->series[p->series_len++];
  *pt = (struct gha_point){0};
  set_point(p, pt, ts, g, waste, binwaste);
  merge_step(pt, step->marks, step->reason, pause);
  p->series_skip = p->series_stride - 1;
}

/* How far a point's time may read back from the time it was taken: t_s
 * is a float (half a unit in the last place: 6e-8 of it). */
static uint64_t slack_of(const struct gha_point *pt) {
  return (uint64_t)((double)pt->t_s * 120.0) + 1;
}

/* A point at since_ns: the heap as the point before it left it (heap
 * figures change only at events), so the chart can rise where the
 * evidence says the garbage was there, not at the next event.  false when
 * the series has no room. */
static bool insert_at(const struct gha_analyzer *an, struct gha_proc *p,
                      uint64_t since_ns) {
  if (!series_room(an, p))
    return false;
  unsigned k = p->series_len;
  while (k > 0 && gha_point_ts(p, &p->series[k - 1]) > since_ns)
    k--;
  if (k == 0)
    return false; /* nothing before it to carry over */
  memmove(&p->series[k + 1], &p->series[k], (p->series_len - k) * sizeof p->series[0]);
  p->series[k] = p->series[k - 1];
  p->series[k].t_s = (float)((double)(since_ns - p->first_ns) / 1e9);
  p->series[k].marks = GHA_MARK_EVIDENCE;
  p->series[k].reason = p->series[k].pause = 0; /* no GC here */
  if (k == p->series_len)
    p->series_skip = 0; /* the next event must not move it */
  p->series_len++;
  return true;
}

void gha__series_raise(const struct gha_analyzer *an, struct gha_proc *p,
                       uint64_t since_ns, uint64_t at_ns, uint64_t words, uint64_t bins) {
  if (!p->series_len || since_ns > at_ns)
    return;
  /* a point where the garbage certainly began, unless one is there */
  bool there = false;
  for (unsigned i = p->series_len; i-- > 0;) {
    uint64_t ts = gha_point_ts(p, &p->series[i]), sl = slack_of(&p->series[i]);
    if (ts + sl < since_ns)
      break;
    there |= ts <= since_ns + sl;
  }
  if (!there && since_ns > p->first_ns)
    insert_at(an, p, since_ns);
  uint32_t w = clamp32(words), b = clamp32(bins);
  for (unsigned i = p->series_len; i-- > 0;) {
    struct gha_point *pt = &p->series[i];
    uint64_t ts = gha_point_ts(p, pt), slack = slack_of(pt);
    if (ts + slack < since_ns)
      break; /* points are in time order */
    if (ts > at_ns + slack)
      continue;
    if (pt->waste < w)
      pt->waste = w;
    if (pt->binwaste < b)
      pt->binwaste = b;
  }
}

void gha__proc_free(struct gha_proc *p) {
  free(p->series);
  free(p->pause_hist);
  free(p);
}
