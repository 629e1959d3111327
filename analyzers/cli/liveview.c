/* liveview.c -- the live view (liveview.h). */
#include "liveview.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

#define ROWS_MAX     200
#define ENTER_SCREEN "\033[?1049h\033[?25l"
#define LEAVE_SCREEN "\033[?25h\033[?1049l"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void gha_liveview_init(struct gha_liveview *v, FILE *out, const char *what) {
  memset(v, 0, sizeof *v);
  v->out = out;
  v->tty = isatty(fileno(out));
  v->what = what;
  v->every_s = v->tty ? 0.5 : 1.0;
}

bool gha_liveview_due(const struct gha_liveview *v) {
  double gap = v->every_s > 10 * v->cost_s ? v->every_s : 10 * v->cost_s;
  return !v->last_s || now_s() - v->last_s >= gap;
}

const char gha_liveview_restore[] = LEAVE_SCREEN;

void gha_liveview_stop(struct gha_liveview *v) {
  if (v->screen) {
    fputs(LEAVE_SCREEN, v->out);
    fflush(v->out);
    v->screen = false;
  }
}

/* ---- one row per process ------------------------------------------------------ */

struct row {
  const struct gha_proc *p;
  uint64_t waste; /* measured now: old-heap and binary waste, words */
  uint64_t old;
};

static bool worse(const struct row *a, const struct row *b) {
  if (a->waste != b->waste)
    return a->waste > b->waste;
  if (a->old != b->old)
    return a->old > b->old;
  return a->p->pid < b->p->pid;
}

static void sift(struct row *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && worse(&h[m], &h[l]))
      m = l;
    if (r < n && worse(&h[m], &h[r]))
      m = r;
    if (m == i)
      return;
    struct row t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

static int worst_first(const void *a, const void *b) {
  return worse(a, b) ? -1 : worse(b, a) ? 1 : 0;
}

/* The k rows that hold the most, worst first, in one pass (a heap of k). */
static size_t top_rows(const struct gha_analyzer *an, struct row *h, size_t k) {
  size_t n = 0;
  for (size_t i = 0; i < gha_proc_count(an); i++) {
    const struct gha_proc *p = gha_proc_at(an, i);
    struct gha_waste_summary words, bins;
    gha_proc_waste(an, p, &words, &bins);
    struct row r = {p, words.now_words + bins.now_words, p->info.old_heap_size};
    if (n < k) {
      h[n++] = r;
      if (n == k)
        for (size_t j = n / 2; j-- > 0;)
          sift(h, n, j);
    } else if (k && worse(&r, &h[0])) {
      h[0] = r;
      sift(h, n, 0);
    }
  }
  qsort(h, n, sizeof *h, worst_first);
  return n;
}

/* 1234 -> "1234", 123456 -> "123k", 12345678 -> "12.3M" */
static const char *human(char *buf, size_t size, uint64_t v) {
  if (v < 100000)
    snprintf(buf, size, "%llu", (unsigned long long)v);
  else if (v < 10000000)
    snprintf(buf, size, "%lluk", (unsigned long long)(v / 1000));
  else if (v < 10000000000ull)
    snprintf(buf, size, "%.1fM", (double)v / 1e6);
  else
    snprintf(buf, size, "%.1fG", (double)v / 1e9);
  return buf;
}

static const char *ago(char *buf, size_t size, uint64_t ns) {
  snprintf(buf, size, "%.1fs", (double)ns / 1e9);
  return buf;
}

/* The strongest finding of the process: "bloat", "binleak(info)"... */
static const char *finding_of(const struct gha_analyzer *an, const struct gha_proc *p,
                              char *buf, size_t size) {
  const struct gha_finding *best = NULL;
  for (int a = 0; a < GHA_ANALYSES; a++) {
    const struct gha_finding *f = gha_finding_for(an, p, (enum gha_analysis)a);
    if (f && (!best || f->severity > best->severity))
      best = f;
  }
  if (!best)
    return "";
  snprintf(buf, size, "%s %s", gha_analysis_name(best->analysis),
           gha_severity_name(best->severity));
  return buf;
}

struct totals {
  size_t procs, alive, warnings, infos;
  double span_s;
};

static struct totals totals_of(const struct gha_analyzer *an) {
  struct totals t = {.procs = gha_proc_count(an)};
  for (size_t i = 0; i < t.procs; i++)
    t.alive += gha_proc_at(an, i)->end_ns == 0;
  for (size_t i = 0; i < gha_finding_count(an); i++)
    if (gha_finding_at(an, i)->severity >= GHA_SEV_WARNING)
      t.warnings++;
    else
      t.infos++;
  t.span_s = (double)(gha_trace_end_ns(an) - gha_trace_begin_ns(an)) / 1e9;
  return t;
}

/* ---- a terminal: the screen ------------------------------------------------ */

/* Writes one screen line, cut to the width, erasing what was there. */
static void line(struct gha_liveview *v, int cols, const char *text) {
  fprintf(v->out, "%.*s\033[K\n", cols > 0 ? cols : 80, text);
}

static void screen(struct gha_liveview *v, struct gha_analyzer *an, const char *status,
                   const struct totals *t) {
  struct winsize ws = {0};
  int rows = 24, cols = 80;
  if (ioctl(fileno(v->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
    rows = ws.ws_row;
    cols = ws.ws_col;
  }
  if (!v->screen) {
    fputs(ENTER_SCREEN, v->out);
    v->screen = true;
  }
  fputs("\033[H", v->out);
  char text[1024], a[16], b[16], c[16], d[16];
  snprintf(text, sizeof text, "genheap-analyze: %s  [%s]  Ctrl-C: stop, print the report",
           v->what, status);
  line(v, cols, text);
  snprintf(text, sizeof text,
           "events %llu (+%.0f/s)  processes %zu (%zu alive)  findings: %zu warning, %zu "
           "info  trace %.1f s%s",
           (unsigned long long)gha_event_count(an), v->rate_s, t->procs, t->alive,
           t->warnings, t->infos, t->span_s,
           gha_discarded_count(an) ? "  EVENTS LOST" : "");
  line(v, cols, text);
  line(v, cols, "");
  snprintf(text, sizeof text, "%-32s %-6s %7s %7s %7s %7s %10s %8s  %s", "PROCESS",
           "STATE", "YOUNG", "OLD", "BINARY", "WASTE", "SWEPT", "IDLE", "FINDING");
  line(v, cols, text);
  size_t k = rows > 5 ? (size_t)(rows - 5) : 1;
  if (k > ROWS_MAX)
    k = ROWS_MAX;
  struct row h[ROWS_MAX];
  size_t n = top_rows(an, h, k);
  for (size_t i = 0; i < n; i++) {
    const struct gha_proc *p = h[i].p;
    char label[128], swept[24], idle[24], finding[64];
    gha_proc_label(an, p, label, sizeof label);
    uint64_t end = gha_proc_end_ns(an, p);
    uint64_t last_gc = p->gc_count ? p->last_gc_ns : p->first_ns;
    if (p->last_sweep_ns)
      snprintf(swept, sizeof swept, "%s ago", ago(a, sizeof a, end - p->last_sweep_ns));
    else
      snprintf(swept, sizeof swept, "never");
    ago(idle, sizeof idle, end > last_gc ? end - last_gc : 0);
    snprintf(text, sizeof text, "%-32.32s %-6s %7s %7s %7s %7s %10s %8s  %s", label,
             gha_proc_state(p), human(a, sizeof a, p->info.heap_size),
             human(b, sizeof b, p->info.old_heap_size),
             human(c, sizeof c, p->info.bin_vheap_size + p->info.bin_old_vheap_size),
             h[i].waste ? human(d, sizeof d, h[i].waste) : "-", swept, idle,
             finding_of(an, p, finding, sizeof finding));
    line(v, cols, text);
  }
  fputs("\033[J", v->out); /* what an earlier, longer frame left below */
  fflush(v->out);
}

/* ---- anything else: a line when something changed -------------------------- */

static void summary(struct gha_liveview *v, struct gha_analyzer *an, const char *status,
                    const struct totals *t) {
  struct row top;
  char text[600], label[128] = "-", swept[32] = "-", a[16], b[16];
  size_t n = top_rows(an, &top, 1);
  if (n) {
    gha_proc_label(an, top.p, label, sizeof label);
    uint64_t end = gha_proc_end_ns(an, top.p);
    if (top.p->last_sweep_ns)
      ago(swept, sizeof swept, end - top.p->last_sweep_ns);
    else
      snprintf(swept, sizeof swept, "never");
  }
  /* what changed decides, not the time */
  snprintf(text, sizeof text,
           "events=%llu processes=%zu alive=%zu warnings=%zu infos=%zu top=%s waste=%s "
           "old=%s swept=%s",
           (unsigned long long)gha_event_count(an), t->procs, t->alive, t->warnings,
           t->infos, label, n ? human(a, sizeof a, top.waste) : "0",
           n ? human(b, sizeof b, top.old) : "0", swept);
  if (strcmp(text, v->last_line) == 0)
    return;
  snprintf(v->last_line, sizeof v->last_line, "%s", text);
  fprintf(v->out, "view trace=%.1fs %s (%s)\n", t->span_s, text, status);
  fflush(v->out);
}

void gha_liveview_frame(struct gha_liveview *v, struct gha_analyzer *an,
                        const char *status) {
  double start = now_s();
  gha_finish(an);
  uint64_t events = gha_event_count(an);
  if (v->rate_at && start > v->rate_at)
    v->rate_s = ((double)events - (double)v->rate_events) / (start - v->rate_at);
  v->rate_events = events;
  v->rate_at = start;
  struct totals t = totals_of(an);
  if (v->tty)
    screen(v, an, status, &t);
  else
    summary(v, an, status, &t);
  v->last_s = now_s();
  v->cost_s = v->last_s - start;
}
