/* views.c -- what the text and HTML reports single out of 10^6 processes:
 * the processes and findings ranked, the first N of them, and processes
 * grouped by (host, name) with the spread of their figures.
 *
 * Everything is computed at report time, in one pass over the processes
 * (or the findings): the core keeps nothing for it.  Ranking puts the
 * measured waste first (word-seconds: how much garbage and for how long),
 * so an estimated suspicion never outranks a measurement; flagged
 * processes come first where a report wants them (charts, findings).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

int gha_proc_state_index(const struct gha_proc *p) {
  if (p->killed)
    return GHA_STATE_KILLED;
  if (p->exited)
    return GHA_STATE_EXITED;
  return p->freed ? GHA_STATE_FREED : GHA_STATE_ALIVE;
}

void gha_proc_figures(const struct gha_analyzer *an, const struct gha_proc *p,
                      struct gha_proc_figures *f) {
  struct gha_waste_summary w, b;
  gha_proc_waste(an, p, &w, &b);
  f->waste_ws = w.word_s + b.word_s;
  f->waste_peak = w.peak > b.peak ? w.peak : b.peak;
  f->heap_peak = p->peak_total_heap;
  f->life_s = (double)(gha_proc_end_ns(an, p) - p->first_ns) / 1e9;
  f->gcs = p->info.minor_gcs + p->info.full_sweeps;
  f->severity = -1;
  for (int a = 0; a < GHA_ANALYSES; a++) {
    const struct gha_finding *x = gha_finding_for(an, p, (enum gha_analysis)a);
    if (x && (int)x->severity > f->severity)
      f->severity = (int)x->severity;
  }
}

#define CMP_DESC(x, y)                                                                   \
  do {                                                                                   \
    if ((x) != (y))                                                                      \
      return (x) > (y) ? -1 : 1;                                                         \
  } while (0)

int gha_figures_cmp(const struct gha_proc_figures *a, const struct gha_proc_figures *b,
                    bool flagged_first) {
  if (flagged_first)
    CMP_DESC(a->severity, b->severity);
  CMP_DESC(a->waste_ws, b->waste_ws);
  CMP_DESC(a->waste_peak, b->waste_peak);
  if (!flagged_first)
    CMP_DESC(a->severity, b->severity);
  CMP_DESC(a->heap_peak, b->heap_peak);
  CMP_DESC(a->gcs, b->gcs);
  return 0;
}

/* ---- the first k processes: a heap of k, the last-ranked at its root ------ */

struct ranked {
  const struct gha_proc *p;
  size_t at; /* its index: the final tie-break, key order */
  struct gha_proc_figures f;
};

static int ranked_cmp(const struct ranked *a, const struct ranked *b,
                      bool flagged_first) {
  int c = gha_figures_cmp(&a->f, &b->f, flagged_first);
  if (c)
    return c;
  return a->at < b->at ? -1 : a->at > b->at;
}

static void sift_down(struct ranked *h, size_t n, size_t i, bool ff) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, worst = i;
    if (l < n && ranked_cmp(&h[l], &h[worst], ff) > 0)
      worst = l;
    if (r < n && ranked_cmp(&h[r], &h[worst], ff) > 0)
      worst = r;
    if (worst == i)
      return;
    struct ranked t = h[i];
    h[i] = h[worst];
    h[worst] = t;
    i = worst;
  }
}

static void sift_up(struct ranked *h, size_t i, bool ff) {
  while (i > 0 && ranked_cmp(&h[i], &h[(i - 1) / 2], ff) > 0) {
    struct ranked t = h[i];
    h[i] = h[(i - 1) / 2];
    h[(i - 1) / 2] = t;
    i = (i - 1) / 2;
  }
}

size_t gha_top_procs(const struct gha_analyzer *an, size_t k, bool flagged_first,
                     bool (*keep)(const struct gha_analyzer *, const struct gha_proc *),
                     const struct gha_proc **out) {
  size_t total = gha_proc_count(an);
  if (k > total)
    k = total;
  if (k == 0)
    return 0;
  struct ranked *h = malloc(k * sizeof *h);
  if (!h)
    return 0;
  size_t n = 0;
  for (size_t i = 0; i < total; i++) {
    struct ranked r = {.p = gha_proc_at(an, i), .at = i};
    if (keep && !keep(an, r.p))
      continue;
    gha_proc_figures(an, r.p, &r.f);
    if (n < k) {
      h[n] = r;
      sift_up(h, n++, flagged_first);
    } else if (ranked_cmp(&r, &h[0], flagged_first) < 0) {
      h[0] = r;
      sift_down(h, n, 0, flagged_first);
    }
  }
  /* pop the last-ranked first: out fills from its end */
  for (size_t m = n; m > 0; m--) {
    out[m - 1] = h[0].p;
    h[0] = h[m - 1];
    sift_down(h, m - 1, 0, flagged_first);
  }
  free(h);
  return n;
}

/* ---- findings ------------------------------------------------------------- */

static int finding_order(const void *x, const void *y) {
  const struct gha_finding *a = *(const struct gha_finding *const *)x;
  const struct gha_finding *b = *(const struct gha_finding *const *)y;
  CMP_DESC(a->severity, b->severity);
  CMP_DESC(a->measured, b->measured);
  CMP_DESC(a->waste_word_s, b->waste_word_s);
  CMP_DESC(a->waste_words, b->waste_words);
  CMP_DESC(a->held_words, b->held_words);
  return a < b ? -1 : a > b; /* the core's order: process key, then analysis */
}

const struct gha_finding **gha_findings_ranked(const struct gha_analyzer *an) {
  size_t n = gha_finding_count(an);
  const struct gha_finding **v = n ? malloc(n * sizeof *v) : NULL;
  if (!v)
    return NULL;
  for (size_t i = 0; i < n; i++)
    v[i] = gha_finding_at(an, i);
  qsort(v, n, sizeof *v, finding_order);
  return v;
}

/* ---- groups --------------------------------------------------------------- */

/* BEAM processes are named "<0.82.0> seed_router": the pid, then the
 * registered name or initial call.  Grouped by what follows the pid, so a
 * node's 10^5 handlers are one group, and runs match by name. */
const char *gha_group_name(const char *name) {
  const char *s = name;
  if (*s++ != '<')
    return name;
  for (int part = 0; part < 3; part++) {
    size_t digits = strspn(s, "0123456789");
    if (!digits || s[digits] != (part < 2 ? '.' : '>'))
      return name;
    s += digits + 1;
  }
  return *s == ' ' ? s + 1 : *s ? name : s;
}

static uint64_t name_hash(uint32_t host, const char *name) {
  uint64_t h = 1469598103934665603ull ^ host;
  for (const unsigned char *c = (const unsigned char *)name; *c; c++)
    h = (h ^ *c) * 1099511628211ull;
  return h ^ (h >> 31);
}

static void spread_add(struct gha_spread *s, double v, bool first) {
  if (first || v < s->min)
    s->min = v;
  if (first || v > s->max)
    s->max = v;
  s->sum += v;
}

/* The slot of (host, name): its group's, or the empty one to take. */
static size_t *slot_of(struct gha_groups *g, uint32_t host, const char *name) {
  size_t mask = g->nslots - 1;
  for (size_t i = name_hash(host, name) & mask;; i = (i + 1) & mask) {
    size_t *s = &g->slots[i];
    if (!*s)
      return s;
    const struct gha_group *x = &g->v[*s - 1];
    if (x->host == host && strcmp(x->name, name) == 0)
      return s;
  }
}

static int grow(struct gha_groups *g, size_t *cap) {
  if (g->n < *cap && (g->n + 1) * 2 <= g->nslots)
    return 0;
  if (g->n == *cap) {
    size_t c = *cap ? *cap * 2 : 64;
    struct gha_group *v = realloc(g->v, c * sizeof *v);
    if (!v)
      return -1;
    g->v = v;
    *cap = c;
  }
  if ((g->n + 1) * 2 > g->nslots) {
    size_t ns = g->nslots ? g->nslots * 2 : 128;
    size_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
      return -1;
    free(g->slots);
    g->slots = slots;
    g->nslots = ns;
    for (size_t i = 0; i < g->n; i++)
      *slot_of(g, g->v[i].host, g->v[i].name) = i + 1;
  }
  return 0;
}

int gha_group_cmp(const struct gha_group *a, const struct gha_group *b) {
  CMP_DESC(a->waste_ws, b->waste_ws);
  CMP_DESC(a->waste_peak, b->waste_peak);
  CMP_DESC(a->warnings, b->warnings);
  CMP_DESC(a->flagged, b->flagged);
  CMP_DESC(a->heap.max, b->heap.max);
  CMP_DESC(a->count, b->count);
  if (a->host != b->host)
    return a->host < b->host ? -1 : 1;
  return strcmp(a->name, b->name);
}

static int grow_tops(struct gha_proc_figures **tops, size_t *cap, size_t want) {
  struct gha_proc_figures *t = realloc(*tops, want * sizeof *t);
  if (!t)
    return -1;
  *tops = t;
  *cap = want;
  return 0;
}

static int group_order(const void *x, const void *y) { return gha_group_cmp(x, y); }

int gha_groups_build(const struct gha_analyzer *an, struct gha_groups *g) {
  memset(g, 0, sizeof *g);
  size_t cap = 0;
  /* the figures of each group's top process, to keep the best one */
  struct gha_proc_figures *tops = NULL;
  size_t tops_cap = 0;
  for (size_t i = 0; i < gha_proc_count(an); i++) {
    const struct gha_proc *p = gha_proc_at(an, i);
    if (grow(g, &cap) < 0 || (tops_cap < cap && grow_tops(&tops, &tops_cap, cap) < 0)) {
      free(tops);
      gha_groups_free(g);
      return -1;
    }
    if (p->host > g->max_host)
      g->max_host = p->host;
    const char *name = gha_group_name(p->name);
    size_t *slot = slot_of(g, p->host, name);
    bool first = !*slot;
    if (first) {
      *slot = ++g->n;
      memset(&g->v[*slot - 1], 0, sizeof g->v[0]);
      g->v[*slot - 1].host = p->host;
      g->v[*slot - 1].name = name;
    }
    struct gha_group *x = &g->v[*slot - 1];
    struct gha_proc_figures f;
    gha_proc_figures(an, p, &f);
    x->count++;
    x->flagged += f.severity >= 0;
    for (int a = 0; a < GHA_ANALYSES; a++) {
      const struct gha_finding *fd = gha_finding_for(an, p, (enum gha_analysis)a);
      if (fd && fd->severity >= GHA_SEV_WARNING)
        x->warnings++;
      else if (fd)
        x->infos++;
    }
    x->states[gha_proc_state_index(p)]++;
    x->waste_ws += f.waste_ws;
    if (f.waste_peak > x->waste_peak)
      x->waste_peak = f.waste_peak;
    spread_add(&x->heap, (double)f.heap_peak, first);
    spread_add(&x->life_s, f.life_s, first);
    spread_add(&x->gcs, (double)f.gcs, first);
    if (first || gha_figures_cmp(&f, &tops[*slot - 1], true) < 0) {
      x->top = p;
      tops[*slot - 1] = f;
    }
  }
  free(tops);
  if (g->n)
    qsort(g->v, g->n, sizeof *g->v, group_order);
  for (size_t i = 0; i < g->nslots; i++)
    g->slots[i] = 0;
  for (size_t i = 0; i < g->n; i++)
    *slot_of(g, g->v[i].host, g->v[i].name) = i + 1;
  return 0;
}

void gha_groups_free(struct gha_groups *g) {
  free(g->v);
  free(g->slots);
  memset(g, 0, sizeof *g);
}

const struct gha_group *gha_groups_find(const struct gha_groups *g,
                                        const struct gha_analyzer *an, const char *host,
                                        const char *name) {
  if (!g->nslots)
    return NULL;
  for (uint32_t h = 0; h <= g->max_host; h++) /* ids are per analyzer: by name */
    if (strcmp(gha_host_name(an, h), host) == 0) {
      size_t *s = slot_of((struct gha_groups *)g, h, gha_group_name(name));
      if (*s)
        return &g->v[*s - 1];
    }
  return NULL;
}
