/* liveview.h -- the live view (--view, --watch): the analyses of a live session
 * or of a trace still being written, shown as they go.
 *
 * On a terminal, a top-like screen redrawn at most twice a second (in the
 * alternate screen, left for the final report): the trace's totals, then
 * the processes that hold the most measured waste (then the largest old
 * heaps), with their heaps, waste, time since their last full sweep, idle
 * time and finding.  Elsewhere (a pipe, a CI log), one line per refresh,
 * printed only when something changed.  Each frame runs the analyses again
 * (gha_finish is idempotent) and selects the rows in one pass: linear in
 * processes, nothing kept per process.
 */
#ifndef GHA_LIVEVIEW_H
#define GHA_LIVEVIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "gha.h"

struct gha_liveview {
  FILE *out;
  bool tty;         /* a terminal: redraw; else summary lines */
  const char *what; /* what is read, for the header */
  double every_s;   /* at most one frame per this */
  double last_s;    /* when the last frame was drawn (0: never) */
  double cost_s;    /* what the last frame took: pacing on 10^6 processes */
  double rate_s;    /* events per second, from the last two frames */
  uint64_t rate_events;
  double rate_at;
  bool screen;         /* in the alternate screen */
  char last_line[600]; /* summary mode: the last line printed */
};

/* A view on `out`: a terminal when it is one. */
void gha_liveview_init(struct gha_liveview *v, FILE *out, const char *what);
/* True when a frame is due (every_s passed, and ten times the last frame's
 * cost). */
bool gha_liveview_due(const struct gha_liveview *v);
/* Runs the analyses and draws a frame; `status` is one line of state
 * ("live", "read 3 in 0.2 s, next in 2 s").  `an` must not be NULL. */
void gha_liveview_frame(struct gha_liveview *v, struct gha_analyzer *an,
                        const char *status);
/* Leaves the alternate screen: the final report goes on the normal one. */
void gha_liveview_stop(struct gha_liveview *v);
/* What restores a terminal the view drew on, for a SIGINT handler that must
 * _exit (harmless on a terminal it did not draw on yet). */
extern const char gha_liveview_restore[];

#endif /* GHA_LIVEVIEW_H */
