/* outputs.h -- report files (--junit, --html): checked before the trace is
 * read, so a long (live) read never ends in "cannot write", and written
 * whole or not at all: into a temporary file beside the target, renamed
 * over it once complete.
 */
#ifndef GHA_OUTPUTS_H
#define GHA_OUTPUTS_H

#include <stdbool.h>
#include <stdio.h>

#include "graph.h"

/* paths[i] (NULL: not asked for) was given with option options[i].  Each
 * must name a file whose folder exists and is writable, outside every trace
 * folder of `in`, and no two the same file.  0, or -1 after a one-line
 * error naming the file. */
int gha_outputs_check(const char *const *paths, const char *const *options,
                      size_t n, const struct gha_inputs *in);

struct gha_output {
  const char *path;
  char *tmp; /* NULL when writing straight to a device or FIFO */
  FILE *f;
};

/* The stream to write the report to, or NULL after a message. */
FILE *gha_output_open(struct gha_output *o, const char *path);
/* Closes; if `ok`, the report replaces `path`, else it is dropped and a
 * write error reported.  0, or -1 after a message. */
int gha_output_close(struct gha_output *o, bool ok);

#endif /* GHA_OUTPUTS_H */
