/* compare.c -- the gate's verdict (gate.h): suppressions first, then this
 * run's rows against the baseline's.
 *
 * Why rows by name: pids differ from run to run, and a node runs
 * thousands of processes under one name.  A name's worst process stands
 * for it (the figures are maxima), and its findings are counted per
 * analysis, so "one more worker of 2,000 is flagged" is a change and "a
 * different worker is flagged" is not.
 *
 * A BEAM process's name carries its pid ("<0.82.0> seed_router"): rows use
 * the name without it (gha_group_name), as the text report groups them.
 *
 * Why hosts only sometimes: CI runners are renamed from run to run, so two
 * runs of one host each are compared by name alone; when both span
 * several hosts (a cluster), a host's processes are compared with the same
 * host's.
 */
#include "gate.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "report.h" /* gha_group_name */

void gha_gate_options_init(struct gha_gate_options *o) {
  o->growth_pct = 20.0;
  o->min_words = 0;
}

const char *gha_change_kind_name(enum gha_change_kind k) {
  switch (k) {
  case GHA_CH_NEW: return "new-finding";
  case GHA_CH_MORE: return "more-findings";
  case GHA_CH_GROWN: return "grown";
  case GHA_CH_GONE: return "finding-gone";
  case GHA_CH_FEWER: return "fewer-findings";
  case GHA_CH_SHRUNK: return "shrunk";
  default: return "?";
  }
}

const char *gha_verdict_name(enum gha_verdict v) {
  switch (v) {
  case GHA_VERDICT_BELOW: return "below";
  case GHA_VERDICT_SUPPRESSED: return "suppressed";
  case GHA_VERDICT_KNOWN: return "known";
  default: return "fails";
  }
}

/* ---- suppressions ----------------------------------------------------------- */

/* The first suppression in force that matches; expired ones that match
 * count their matches (they would have accepted it) but accept nothing. */
static const struct gha_suppression *
suppressed_by(struct gha_suppressions *s, const char *name, enum gha_analysis a) {
  const struct gha_suppression *by = NULL;
  for (size_t i = 0; s && i < s->n; i++) {
    struct gha_suppression *sp = &s->v[i];
    if ((sp->analysis >= 0 && sp->analysis != (int)a) ||
        (fnmatch(sp->pattern, name, 0) != 0 &&
         fnmatch(sp->pattern, gha_group_name(name), 0) != 0))
      continue;
    if (sp->expired) {
      sp->matched++;
      continue;
    }
    sp->matched++;
    by = sp;
    break;
  }
  return by;
}

/* ---- rows --------------------------------------------------------------------- */

static const char *host_of(const struct gha_gate *g, const struct gha_analyzer *an,
                           const struct gha_proc *p) {
  return g->by_host ? gha_host_name(an, p->host) : "";
}

static bool counts(const struct gha_gate *g, size_t i) {
  return g->verdict[i] == GHA_VERDICT_FAILS;
}

/* This run's rows: the worst figures per name, its findings that count. */
static int rows_of_run(struct gha_gate *g, const struct gha_analyzer *an) {
  for (size_t i = 0; i < gha_proc_count(an); i++) {
    const struct gha_proc *p = gha_proc_at(an, i);
    struct gha_name_row *r =
        gha_names_row(&g->now, host_of(g, an, p), gha_group_name(p->name));
    if (!r)
      return -1;
    struct gha_waste_summary words, bins;
    gha_proc_waste(an, p, &words, &bins);
    uint64_t fig[GHA_FIGURES] = {p->peak_old_heap_size, words.peak, bins.peak};
    r->procs++;
    for (int f = 0; f < GHA_FIGURES; f++)
      if (fig[f] > r->fig[f])
        r->fig[f] = fig[f];
  }
  for (size_t i = 0; i < g->nfindings; i++) {
    const struct gha_finding *f = gha_finding_at(an, i);
    bool suppressed = g->verdict[i] == GHA_VERDICT_SUPPRESSED;
    if (!counts(g, i) && !suppressed)
      continue;
    struct gha_name_row *r =
        gha_names_row(&g->now, host_of(g, an, f->proc), gha_group_name(f->proc->name));
    if (!r)
      return -1;
    if (suppressed)
      r->suppressed[f->analysis]++;
    else
      r->findings[f->analysis]++;
  }
  return 0;
}

/* The baseline's rows, folded by name when hosts are not compared. */
static int rows_of_baseline(struct gha_gate *g, const struct gha_baseline *b) {
  for (size_t i = 0; i < b->names.n; i++) {
    const struct gha_name_row *src = &b->names.v[i];
    struct gha_name_row *r =
        gha_names_row(&g->before, g->by_host ? src->host : "", src->name);
    if (!r)
      return -1;
    r->procs += src->procs;
    for (int f = 0; f < GHA_FIGURES; f++)
      if (src->fig[f] > r->fig[f])
        r->fig[f] = src->fig[f];
    for (int a = 0; a < GHA_ANALYSES; a++)
      r->findings[a] += src->findings[a];
  }
  return 0;
}

/* ---- changes ------------------------------------------------------------------ */

static int add_change(struct gha_gate *g, size_t *cap, enum gha_change_kind kind,
                      const struct gha_name_row *r, int what, uint64_t before,
                      uint64_t now, bool seen) {
  if (g->nchanges == *cap) {
    size_t grown_cap = *cap ? *cap * 2 : 16;
    struct gha_change *grown = realloc(g->changes, grown_cap * sizeof *grown);
    if (!grown)
      return -1;
    g->changes = grown;
    *cap = grown_cap;
  }
  bool regression = kind <= GHA_CH_GROWN;
  g->changes[g->nchanges++] =
      (struct gha_change){kind, regression, r->host, r->name, what, before, now, seen};
  if (regression)
    g->regressions++;
  else
    g->improvements++;
  return 0;
}

static bool grew(double before, double now, double pct, double min) {
  return now > before * (1.0 + pct / 100.0) && now - before >= min;
}

static bool shrank(double before, double now, double pct, double min) {
  double keep = 1.0 - pct / 100.0;
  return keep > 0 && now < before * keep && before - now >= min;
}

/* Row r of this run against its baseline row b (NULL: a new name). */
static int compare_row(struct gha_gate *g, size_t *cap, const struct gha_name_row *r,
                       const struct gha_name_row *b) {
  double pct = g->opts.growth_pct;
  for (int a = 0; a < GHA_ANALYSES; a++) {
    uint64_t was = b ? b->findings[a] : 0, is = r->findings[a];
    int rc = 0;
    if (!was && is)
      rc = add_change(g, cap, GHA_CH_NEW, r, a, was, is, true);
    else if (was && is > was && grew((double)was, (double)is, pct, 1))
      rc = add_change(g, cap, GHA_CH_MORE, r, a, was, is, true);
    /* what a suppression accepts now is still there: not an improvement */
    else if (was && !is && !r->suppressed[a])
      rc = add_change(g, cap, GHA_CH_GONE, r, a, was, is, true);
    else if (was && is + r->suppressed[a] < was &&
             shrank((double)was, (double)(is + r->suppressed[a]), pct, 1))
      rc = add_change(g, cap, GHA_CH_FEWER, r, a, was, is, true);
    if (rc < 0)
      return -1;
  }
  /* a new name's sizes have nothing to be compared with: its findings are */
  for (int f = 0; b && f < GHA_FIGURES; f++) {
    double min = (double)g->min_words[f];
    int rc = 0;
    if (grew((double)b->fig[f], (double)r->fig[f], pct, min))
      rc = add_change(g, cap, GHA_CH_GROWN, r, f, b->fig[f], r->fig[f], true);
    else if (shrank((double)b->fig[f], (double)r->fig[f], pct, min))
      rc = add_change(g, cap, GHA_CH_SHRUNK, r, f, b->fig[f], r->fig[f], true);
    if (rc < 0)
      return -1;
  }
  return 0;
}

static int change_order(const void *x, const void *y) {
  const struct gha_change *a = x, *b = y;
  if (a->regression != b->regression)
    return a->regression ? -1 : 1;
  int c = strcmp(a->name, b->name);
  if (!c)
    c = strcmp(a->host, b->host);
  if (!c)
    c = (int)a->kind - (int)b->kind;
  if (!c)
    c = a->what - b->what;
  return c;
}

static int compare(struct gha_gate *g) {
  size_t cap = 0;
  for (size_t i = 0; i < g->now.n; i++) {
    const struct gha_name_row *r = &g->now.v[i];
    const struct gha_name_row *b = gha_names_find(&g->before, r->host, r->name);
    if (!b)
      g->names_new++;
    if (compare_row(g, &cap, r, b) < 0)
      return -1;
  }
  for (size_t i = 0; i < g->before.n; i++) {
    const struct gha_name_row *b = &g->before.v[i];
    if (gha_names_find(&g->now, b->host, b->name))
      continue;
    g->names_gone++;
    for (int a = 0; a < GHA_ANALYSES; a++)
      if (b->findings[a] &&
          add_change(g, &cap, GHA_CH_GONE, b, a, b->findings[a], 0, false) < 0)
        return -1;
  }
  if (g->nchanges)
    qsort(g->changes, g->nchanges, sizeof *g->changes, change_order);
  return 0;
}

/* With a baseline, a counted finding fails only when its name and analysis
 * regressed (new, or more of them); else the baseline knew it.  A mask of
 * regressed analyses per row keeps this linear. */
static int judge_known(struct gha_gate *g, const struct gha_analyzer *an) {
  uint8_t *regressed = calloc(g->now.n ? g->now.n : 1, 1);
  if (!regressed)
    return -1;
  for (size_t k = 0; k < g->nchanges; k++) {
    const struct gha_change *c = &g->changes[k];
    const struct gha_name_row *r = gha_names_find(&g->now, c->host, c->name);
    if (r && (c->kind == GHA_CH_NEW || c->kind == GHA_CH_MORE))
      regressed[r - g->now.v] |= (uint8_t)(1u << c->what);
  }
  for (size_t i = 0; i < g->nfindings; i++) {
    if (!counts(g, i))
      continue;
    const struct gha_finding *f = gha_finding_at(an, i);
    const struct gha_name_row *r =
        gha_names_find(&g->now, host_of(g, an, f->proc), gha_group_name(f->proc->name));
    if (r && !(regressed[r - g->now.v] & (1u << f->analysis)))
      g->verdict[i] = GHA_VERDICT_KNOWN;
  }
  free(regressed);
  return 0;
}

/* The analysis options that differ from the baseline's, in words: findings
 * of runs analysed unlike each other differ for that reason alone. */
static void note_options(struct gha_gate *g, const struct gha_options *was,
                         const struct gha_options *is) {
  const struct {
    const char *name;
    double was, is;
  } o[] = {
      {"min-idle (s)", (double)was->min_idle_ns / 1e9, (double)is->min_idle_ns / 1e9},
      {"idle-factor", was->idle_factor, is->idle_factor},
      {"bloat-min-words", (double)was->bloat_min_words, (double)is->bloat_min_words},
      {"binleak-min-words", (double)was->binleak_min_words,
       (double)is->binleak_min_words},
      {"binleak-min-steps", was->binleak_min_steps, is->binleak_min_steps},
      {"burst-min-gcs", was->burst_min_gcs, is->burst_min_gcs},
      {"burst-min-words", (double)was->burst_min_words, (double)is->burst_min_words},
  };
  size_t len = 0, size = sizeof g->options_differ;
  for (size_t i = 0; i < sizeof o / sizeof o[0] && len < size; i++)
    if (o[i].was != o[i].is) {
      int n = snprintf(g->options_differ + len, size - len, "%s%s %g (baseline) vs %g",
                       len ? ", " : "", o[i].name, o[i].was, o[i].is);
      len += n > 0 ? (size_t)n : 0;
    }
}

int gha_gate_run(struct gha_gate *g, const struct gha_analyzer *an,
                 const struct gha_baseline *baseline, struct gha_suppressions *sup,
                 const struct gha_gate_options *opts) {
  memset(g, 0, sizeof *g);
  if (opts)
    g->opts = *opts;
  else
    gha_gate_options_init(&g->opts);
  g->baseline = baseline;
  g->sup = sup;
  const struct gha_options *o = gha_opts(an);
  for (int f = 0; f < GHA_FIGURES; f++)
    g->min_words[f] = g->opts.min_words           ? g->opts.min_words
                      : f == GHA_FIG_BINARY_WASTE ? o->binleak_min_words
                                                  : o->bloat_min_words;
  g->nfindings = gha_finding_count(an);
  g->verdict = calloc(g->nfindings ? g->nfindings : 1, sizeof *g->verdict);
  g->by = calloc(g->nfindings ? g->nfindings : 1, sizeof *g->by);
  if (!g->verdict || !g->by)
    return -1;
  enum gha_severity fail_on = gha_opts(an)->fail_on;
  for (size_t i = 0; i < g->nfindings; i++) {
    const struct gha_finding *f = gha_finding_at(an, i);
    g->by[i] = suppressed_by(sup, f->proc->name, f->analysis);
    if (g->by[i]) {
      g->verdict[i] = GHA_VERDICT_SUPPRESSED;
      g->suppressed++;
    } else if (fail_on == GHA_SEV_NEVER || f->severity < fail_on) {
      g->verdict[i] = GHA_VERDICT_BELOW;
    } else {
      g->verdict[i] = GHA_VERDICT_FAILS;
    }
  }
  if (baseline) {
    /* hosts count only when both runs span several (see the top) */
    bool many_now = false;
    for (size_t i = 1; i < gha_proc_count(an) && !many_now; i++)
      many_now = gha_proc_at(an, i)->host != gha_proc_at(an, 0)->host;
    g->by_host = many_now && baseline->names.many_hosts;
    if (rows_of_run(g, an) < 0 || rows_of_baseline(g, baseline) < 0 || compare(g) < 0)
      return -1;
    if (judge_known(g, an) < 0)
      return -1;
    note_options(g, &baseline->opts, gha_opts(an));
  }
  for (size_t i = 0; i < g->nfindings; i++)
    g->failing += counts(g, i);
  bool grown = false;
  for (size_t k = 0; k < g->nchanges; k++)
    grown |= g->changes[k].kind == GHA_CH_GROWN;
  g->status = fail_on != GHA_SEV_NEVER && (g->failing || grown) ? 1 : 0;
  return 0;
}

void gha_gate_free(struct gha_gate *g) {
  gha_names_free(&g->now);
  gha_names_free(&g->before);
  free(g->changes);
  free(g->verdict);
  free(g->by);
  memset(g, 0, sizeof *g);
}
