/* waste.c -- the measured lower bound of a process's garbage over time
 * (see waste.h for why it is a staircase per epoch). */
#include "waste.h"

#include <string.h>

const char *gha_measure_name(enum gha_measure m) {
  switch (m) {
  case GHA_BY_CENSUS: return "census";
  case GHA_BY_RECORDER: return "recorder sweep";
  default: return "sweep";
  }
}

void gha_waste_init(struct gha_waste *w, uint64_t start_ns) {
  memset(w, 0, sizeof *w);
  w->epoch_ns = start_ns;
}

/* Removes step i (never the last: it is the current level). */
static void drop_step(struct gha_waste *w, unsigned i) {
  memmove(&w->stairs[i], &w->stairs[i + 1],
          (size_t)(w->nstairs - i - 1) * sizeof w->stairs[0]);
  w->nstairs--;
}

/* Over capacity: drop the step whose loss of area is smallest, so the bound
 * stays a bound and loses as little as it can. */
static void drop_cheapest(struct gha_waste *w) {
  unsigned best = 0;
  double best_loss = -1;
  for (unsigned i = 0; i + 1 < w->nstairs; i++) {
    uint64_t below = i ? w->stairs[i - 1].words : 0;
    double loss = (double)(w->stairs[i].words - below) *
                  (double)(w->stairs[i + 1].since_ns - w->stairs[i].since_ns);
    if (best_loss < 0 || loss < best_loss) {
      best_loss = loss;
      best = i;
    }
  }
  drop_step(w, best);
}

static void insert_step(struct gha_waste *w, uint64_t since_ns, uint64_t words) {
  for (unsigned i = 0; i < w->nstairs; i++)
    if (w->stairs[i].since_ns <= since_ns && w->stairs[i].words >= words)
      return; /* an earlier, larger measurement already says more */
  unsigned k = 0;
  for (unsigned i = 0; i < w->nstairs; i++)
    if (!(w->stairs[i].since_ns >= since_ns && w->stairs[i].words <= words))
      w->stairs[k++] = w->stairs[i]; /* keep what the new step does not cover */
  w->nstairs = (uint8_t)k;
  if (w->nstairs == GHA_STAIRS)
    drop_cheapest(w);
  unsigned at = 0;
  while (at < w->nstairs && w->stairs[at].since_ns < since_ns)
    at++;
  memmove(&w->stairs[at + 1], &w->stairs[at],
          (size_t)(w->nstairs - at) * sizeof w->stairs[0]);
  w->stairs[at] = (struct gha_stair){since_ns, words};
  w->nstairs++;
}

void gha_waste_measured(struct gha_waste *w, enum gha_measure by,
                        uint64_t since_ns, uint64_t at_ns, uint64_t words) {
  w->measurements++;
  if (words > w->peak) {
    w->peak = words;
    w->peak_ns = at_ns;
    w->peak_by = by;
  }
  if (!words)
    return;
  if (since_ns > at_ns)
    since_ns = at_ns;
  if (since_ns < w->epoch_ns)
    since_ns = w->epoch_ns;
  insert_step(w, since_ns, words);
}

/* Totals over a span of time; the open epoch adds to a copy of them. */
struct totals {
  double word_s;
  uint64_t above_ns, first_above_ns, last_above_ns, longest_above_ns;
};

/* Adds the open epoch, cut at end_ns, to t.  The steps only rise, so the
 * time at or above the threshold is one stretch, from the first step that
 * reaches it to end_ns. */
static void integrate(const struct gha_waste *w, uint64_t end_ns,
                      uint64_t threshold, struct totals *t) {
  uint64_t stretch_from = UINT64_MAX, stretch_to = 0;
  for (unsigned i = 0; i < w->nstairs; i++) {
    uint64_t from = w->stairs[i].since_ns;
    uint64_t to = i + 1 < w->nstairs ? w->stairs[i + 1].since_ns : end_ns;
    if (to > end_ns)
      to = end_ns;
    if (to <= from)
      continue;
    t->word_s += (double)w->stairs[i].words * (double)(to - from) / 1e9;
    if (w->stairs[i].words < threshold)
      continue;
    t->above_ns += to - from;
    if (stretch_from == UINT64_MAX)
      stretch_from = from;
    stretch_to = to;
  }
  if (stretch_from == UINT64_MAX)
    return;
  if (!t->first_above_ns)
    t->first_above_ns = stretch_from;
  t->last_above_ns = stretch_to;
  if (stretch_to - stretch_from > t->longest_above_ns)
    t->longest_above_ns = stretch_to - stretch_from;
}

static struct totals totals_of(const struct gha_waste *w) {
  return (struct totals){w->word_s, w->above_ns, w->first_above_ns,
                         w->last_above_ns, w->longest_above_ns};
}

void gha_waste_sweep(struct gha_waste *w, uint64_t sweep_ns, uint64_t next_ns,
                     uint64_t threshold) {
  struct totals t = totals_of(w);
  integrate(w, sweep_ns, threshold, &t);
  w->word_s = t.word_s;
  w->above_ns = t.above_ns;
  w->first_above_ns = t.first_above_ns;
  w->last_above_ns = t.last_above_ns;
  w->longest_above_ns = t.longest_above_ns;
  w->nstairs = 0;
  w->epoch_ns = next_ns > sweep_ns ? next_ns : sweep_ns;
}

uint64_t gha_waste_at(const struct gha_waste *w, uint64_t ts) {
  uint64_t words = 0;
  for (unsigned i = 0; i < w->nstairs; i++)
    if (w->stairs[i].since_ns <= ts)
      words = w->stairs[i].words;
  return words;
}

void gha_waste_summarize(const struct gha_waste *w, uint64_t end_ns,
                         uint64_t threshold, struct gha_waste_summary *out) {
  struct totals t = totals_of(w);
  integrate(w, end_ns, threshold, &t);
  uint64_t now = gha_waste_at(w, end_ns);
  *out = (struct gha_waste_summary){w->peak,           w->peak_ns,
                                    w->peak_by,
                                    t.word_s,          t.above_ns,
                                    t.first_above_ns,  t.last_above_ns,
                                    t.longest_above_ns, now,
                                    w->measurements};
}
