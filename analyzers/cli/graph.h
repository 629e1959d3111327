/* graph.h -- the CLI's babeltrace2 graph: trace sources (src.ctf.fs per
 * trace folder, src.ctf.lttng-live per URL) into utils.muxer into the
 * genheap sink, run to the end. */
#ifndef GHA_GRAPH_H
#define GHA_GRAPH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#include "gha.h"
#include "precheck.h"

struct gha_input {
  const char *arg;   /* as given on the command line */
  char *path;        /* trace folder (holds `metadata`), or the URL */
  bool live;
  dev_t dev;         /* the trace folder's identity: each is read once */
  ino_t ino;
  struct gha_trace_facts facts; /* from the pre-check (gha_graph_run) */
};

struct gha_inputs {
  struct gha_input *v;
  size_t n;
};

/* Resolves the arguments into trace folders and URLs: each trace folder
 * once, whatever the symbolic links or overlapping arguments (a note on
 * stderr for a trace named twice).  0, or -1 after printing a one-line
 * error naming the argument. */
int gha_inputs_collect(char *const *args, size_t nargs, struct gha_inputs *out);
void gha_inputs_free(struct gha_inputs *in);

/* True when a trace lacks data it once had (a stream cut or emptied); the
 * sum of the pre-check's facts over all inputs in *sum when not NULL.
 * Meaningful after gha_graph_run. */
bool gha_inputs_partial(const struct gha_inputs *in, struct gha_trace_facts *sum);

/* How a read goes; every member is optional. */
struct gha_graph_opts {
  bool progress; /* the event count on stderr */
  /* called after each step of the reader (the live view: it decides
   * itself when to draw) */
  void (*tick)(void *ctx, struct gha_analyzer *an);
  void *ctx;
  /* Set by the caller's own SIGINT handler (--watch): the read stops and
   * gha_graph_run returns 1, its SIGINT handling left to the caller. */
  volatile sig_atomic_t *stop;
  /* written to stdout before the message when a second SIGINT ends the
   * program (the view's terminal state) */
  const char *restore;
};

/* Pre-checks every trace folder (precheck.h; warnings on stderr), then runs
 * the graph under the watchdog (watchdog.h), feeding `an`.  0, or -1 after
 * printing a one-line error, or 1 when o->stop ended the read.  Without
 * o->stop, SIGINT with disk input only ends the program (status 130, no
 * report); with a live input it ends the read, and 0 is returned for what
 * was read. */
int gha_graph_run(struct gha_inputs *in, struct gha_analyzer *an,
                  const struct gha_graph_opts *o);

#endif /* GHA_GRAPH_H */
