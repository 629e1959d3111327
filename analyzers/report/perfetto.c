/* perfetto.c -- the Trace Event Format (the JSON that ui.perfetto.dev and
 * chrome://tracing open): each genheap process a process of its own, with
 *
 *   counter tracks ("C")  young heap, old heap, binary vheap, and the
 *                         measured old-heap garbage and binary waste, in
 *                         words;
 *   slices ("X")          on its "GC" thread, the GCs: minor GC, full sweep
 *                         (with its reason), hibernate, each as long as its
 *                         pause;
 *   instants ("i")        a census (thread), each finding (process scope),
 *                         with its message and fix;
 *   metadata ("M")        process and thread names, and a sort index that
 *                         puts the flagged processes first.
 *
 * What is written is what the core keeps: the bounded chart series of each
 * process (struct gha_point, up to GHA_SERIES_MAX points), not every event.
 * When a series is full, neighbouring points merge: a merged point keeps
 * the marks of all its events and the reason and pause of the last GC
 * among them, so a slice then stands for the GCs merged into it (its
 * "gcs" argument says which kinds).  Times are microseconds from the start
 * of the trace ("otherData".trace_begin_ns is that start in the trace's
 * clock).  A node of 10^5 processes would make a file no viewer opens:
 * the GHA_PERFETTO_PROCS processes that matter most are written (flagged
 * first, then by measured waste, then by peak heap), chosen in one pass.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define GHA_PERFETTO_PROCS 2000
#define U(x)               ((unsigned long long)(x))

/* ---- which processes ---------------------------------------------------------- */

struct ranked {
  const struct gha_proc *p;
  uint64_t key[3]; /* flagged, peak waste, peak heap: larger matters more */
};

static bool before(const struct ranked *a, const struct ranked *b) {
  for (int i = 0; i < 3; i++)
    if (a->key[i] != b->key[i])
      return a->key[i] > b->key[i];
  return false;
}

static struct ranked rank_of(const struct gha_analyzer *an, const struct gha_proc *p) {
  struct gha_waste_summary words, bins;
  gha_proc_waste(an, p, &words, &bins);
  return (struct ranked){p,
                         {gha_proc_flagged(an, p),
                          words.peak > bins.peak ? words.peak : bins.peak,
                          p->peak_total_heap}};
}

/* A min-heap of the k best (its root the least of them). */
static void sift_down(struct ranked *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && before(&h[m], &h[l]))
      m = l;
    if (r < n && before(&h[m], &h[r]))
      m = r;
    if (m == i)
      return;
    struct ranked t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

static int best_first(const void *a, const void *b) {
  const struct ranked *x = a, *y = b;
  return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

/* The k processes that matter most, best first; their count in *n. */
static struct ranked *choose(const struct gha_analyzer *an, size_t k, size_t *n) {
  size_t total = gha_proc_count(an);
  size_t cap = total < k ? total : k;
  struct ranked *h = malloc((cap ? cap : 1) * sizeof *h);
  if (!h)
    return NULL;
  size_t len = 0;
  for (size_t i = 0; i < total; i++) {
    struct ranked r = rank_of(an, gha_proc_at(an, i));
    if (len < cap) {
      h[len++] = r;
      if (len == cap) /* heapify: the worst of the kept at the root */
        for (size_t j = len / 2; j-- > 0;)
          sift_down(h, len, j);
    } else if (before(&r, &h[0])) {
      h[0] = r;
      sift_down(h, len, 0);
    }
  }
  qsort(h, len, sizeof *h, best_first);
  *n = len;
  return h;
}

/* ---- events ------------------------------------------------------------------- */

static const char *sweep_reason(unsigned r) {
  static const char *const names[] = {
      "fullsweep_after", "old_heap_full", "vheap_overflow", "explicit",
      "hibernate",       "no_old_heap",   "recorder"};
  return r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}

struct writer {
  FILE *out;
  uint64_t origin; /* trace begin, ns */
  bool first;
};

static void sep(struct writer *w) {
  fputs(w->first ? "\n" : ",\n", w->out);
  w->first = false;
}

/* Microseconds from the origin, with the nanoseconds. */
static void put_ts(struct writer *w, const char *key, uint64_t ns) {
  uint64_t d = ns > w->origin ? ns - w->origin : 0;
  fprintf(w->out, "\"%s\":%llu.%03llu", key, U(d / 1000), U(d % 1000));
}

static void meta(struct writer *w, unsigned id, const char *name, const char *arg,
                 const char *value, long number) {
  sep(w);
  fprintf(
      w->out,
      "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"ts\":0,\"args\":{\"%s\":",
      name, id, id, arg);
  if (value)
    gha_put_json_string(w->out, value);
  else
    fprintf(w->out, "%ld", number);
  fputs("}}", w->out);
}

static void counters(struct writer *w, unsigned id, uint64_t ts,
                     const struct gha_point *pt) {
  const struct {
    const char *name;
    uint32_t v;
  } c[] = {{"young heap", pt->young},
           {"old heap", pt->old},
           {"binary vheap", pt->binv},
           {"old-heap garbage (measured)", pt->waste},
           {"binary waste (measured)", pt->binwaste}};
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    sep(w);
    fprintf(w->out,
            "{\"name\":\"%s\",\"cat\":\"heap\",\"ph\":\"C\",\"pid\":%u,\"tid\":%u,",
            c[i].name, id, id);
    put_ts(w, "ts", ts);
    fprintf(w->out, ",\"args\":{\"words\":%u}}", c[i].v);
  }
}

/* The point's GCs as one slice ending at the point, named for the most
 * telling of them; *busy_until keeps slices of one thread apart (a bucket's
 * pause can exceed the true one by a fifth). */
static void gc_slice(struct writer *w, unsigned id, const struct gha_proc *p,
                     const struct gha_point *pt, uint64_t ts, uint64_t *busy_until) {
  uint8_t m = pt->marks;
  if (!(m & (GHA_MARK_MINOR | GHA_MARK_SWEEP | GHA_MARK_HIBERNATE)))
    return;
  char name[64];
  if (m & GHA_MARK_HIBERNATE)
    snprintf(name, sizeof name, "hibernate");
  else if (m & GHA_MARK_SWEEP)
    snprintf(name, sizeof name, "full sweep: %s", sweep_reason(pt->reason));
  else
    snprintf(name, sizeof name, "minor GC");
  uint64_t pause = gha_point_pause_ns(p, pt);
  uint64_t start = ts > pause ? ts - pause : 0;
  if (start < *busy_until)
    start = *busy_until < ts ? *busy_until : ts;
  *busy_until = ts;
  sep(w);
  fprintf(w->out, "{\"name\":\"%s\",\"cat\":\"gc\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,",
          name, id, id);
  put_ts(w, "ts", start);
  uint64_t dur = ts - start;
  /* a merged point may stand for GCs of several kinds */
  char kinds[40] = "";
  if (m & GHA_MARK_MINOR)
    strcat(kinds, "minor");
  if (m & GHA_MARK_SWEEP)
    strcat(kinds, kinds[0] ? ", sweep" : "sweep");
  if (m & GHA_MARK_HIBERNATE)
    strcat(kinds, kinds[0] ? ", hibernate" : "hibernate");
  fprintf(w->out, ",\"dur\":%llu.%03llu,\"args\":{\"gcs\":\"%s\"", U(dur / 1000),
          U(dur % 1000), kinds);
  if (m & GHA_MARK_SWEEP)
    fprintf(w->out, ",\"reason\":\"%s\"", sweep_reason(pt->reason));
  fprintf(w->out, ",\"pause_ns\":%llu,\"old_heap_words\":%u}}", U(pause), pt->old);
}

static void census_instant(struct writer *w, unsigned id, uint64_t ts,
                           const struct gha_point *pt) {
  sep(w);
  fprintf(w->out,
          "{\"name\":\"census\",\"cat\":\"census\",\"ph\":\"i\",\"s\":\"t\","
          "\"pid\":%u,\"tid\":%u,",
          id, id);
  put_ts(w, "ts", ts);
  fprintf(w->out, ",\"args\":{\"garbage_words\":%u}}", pt->waste);
}

static void finding_instant(struct writer *w, unsigned id, const struct gha_analyzer *an,
                            const struct gha_finding *f) {
  /* measured: when its waste reached the threshold; else when it went idle */
  uint64_t end = gha_proc_end_ns(an, f->proc);
  uint64_t ts = f->measured && f->from_ns ? f->from_ns
                : end > f->idle_ns        ? end - f->idle_ns
                                          : f->proc->first_ns;
  char msg[GHA_MESSAGE_MAX];
  gha_finding_message(an, f, msg, sizeof msg);
  sep(w);
  fprintf(w->out,
          "{\"name\":\"%s (%s)\",\"cat\":\"finding\",\"ph\":\"i\",\"s\":\"p\","
          "\"pid\":%u,\"tid\":%u,",
          gha_analysis_name(f->analysis), gha_severity_name(f->severity), id, id);
  put_ts(w, "ts", ts);
  fprintf(w->out, ",\"args\":{\"waste_words\":%llu,\"measured\":%s,\"message\":",
          U(f->waste_words), f->measured ? "true" : "false");
  gha_put_json_string(w->out, msg);
  fputs(",\"fix\":", w->out);
  gha_put_json_string(w->out, f->fix);
  fputs("}}", w->out);
}

static void process(struct writer *w, const struct gha_analyzer *an, unsigned id,
                    const struct gha_proc *p) {
  char label[128];
  gha_proc_label(an, p, label, sizeof label);
  meta(w, id, "process_name", "name", label, 0);
  meta(w, id, "process_sort_index", "sort_index", NULL, (long)id);
  meta(w, id, "thread_name", "name", "GC", 0);
  uint64_t busy_until = 0;
  for (unsigned i = 0; i < p->series_len; i++) {
    const struct gha_point *pt = &p->series[i];
    uint64_t ts = gha_point_ts(p, pt);
    counters(w, id, ts, pt);
    gc_slice(w, id, p, pt, ts, &busy_until);
    if (pt->marks & GHA_MARK_CENSUS)
      census_instant(w, id, ts, pt);
  }
  for (int a = 0; a < GHA_ANALYSES; a++) {
    const struct gha_finding *f = gha_finding_for(an, p, (enum gha_analysis)a);
    if (f)
      finding_instant(w, id, an, f);
  }
}

int gha_report_perfetto(FILE *out, const struct gha_analyzer *an,
                        const struct gha_run_info *run) {
  (void)run;
  size_t n = 0;
  struct ranked *chosen = choose(an, GHA_PERFETTO_PROCS, &n);
  if (!chosen)
    return -1;
  struct writer w = {out, gha_trace_begin_ns(an), true};
  fprintf(out,
          "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"tool\":\"genheap-analyze\","
          "\"version\":\"%s\",\"trace_begin_ns\":%llu,\"processes\":%zu,"
          "\"processes_written\":%zu,\"series\":\"up to %d points a process; "
          "merged points keep every GC kind, not every GC\"},\"traceEvents\":[",
          GHA_VERSION, U(w.origin), gha_proc_count(an), n, GHA_SERIES_MAX);
  for (size_t i = 0; i < n; i++)
    process(&w, an, (unsigned)(i + 1), chosen[i].p);
  fputs("\n]}\n", out);
  free(chosen);
  return ferror(out) ? -1 : 0;
}
