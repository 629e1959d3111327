/* graph.h -- the CLI's babeltrace2 graph: trace sources (src.ctf.fs per
 * trace folder, src.ctf.lttng-live per URL) into utils.muxer into the
 * genheap sink, run to the end. */
#ifndef GHA_GRAPH_H
#define GHA_GRAPH_H

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

/* Pre-checks every trace folder (precheck.h; warnings on stderr), then runs
 * the graph under the watchdog (watchdog.h), feeding `an`.  0, or -1 after
 * printing a one-line error.  SIGINT with disk input only ends the program
 * (status 130, no report); with a live input it ends the read, and 0 is
 * returned for what was read. */
int gha_graph_run(struct gha_inputs *in, struct gha_analyzer *an, bool progress);

#endif /* GHA_GRAPH_H */
