/* views.c -- --all, --top N and --compare (views.h). */
#include "views.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph.h"
#include "outputs.h"

#define PROG       "genheap-analyze"
#define EXIT_USAGE 2

int gha_cli_view_option(struct gha_cli_views *v, const char *name, const char *arg) {
  if (strcmp(name, "all") == 0) {
    v->view.all = true;
    return 0;
  }
  if (strcmp(name, "compare") == 0) {
    v->compare = true;
    return 0;
  }
  char *end;
  errno = 0;
  unsigned long long n = arg ? strtoull(arg, &end, 10) : 0;
  if (!arg || !arg[0] || arg[0] == '-' || errno || *end || n < 1 || n > GHA_TOP_MAX) {
    fprintf(stderr, PROG ": --top must be a whole number from 1 to %d, not '%s'\n",
            GHA_TOP_MAX, arg ? arg : "");
    return -1;
  }
  v->view.top = (size_t)n;
  return 0;
}

static struct gha_view cli_view;

void gha_cli_set_view(const struct gha_view *v) { cli_view = *v; }

int gha_cli_html(FILE *out, const struct gha_analyzer *an,
                 const struct gha_run_info *run) {
  return gha_report_html_view(out, an, run, &cli_view);
}

/* Reads one side; the analyzer, or NULL after a message. */
static struct gha_analyzer *read_side(char *arg, const struct gha_options *opts,
                                      const char *html) {
  struct gha_inputs in;
  const char *outs[] = {html}, *const out_opts[] = {"--html"};
  if (gha_inputs_collect(&arg, 1, &in) < 0 ||
      gha_outputs_check(outs, out_opts, 1, &in) < 0) {
    gha_inputs_free(&in);
    return NULL;
  }
  struct gha_analyzer *an = gha_analyzer_new(opts);
  struct gha_graph_opts o = {.progress = isatty(STDERR_FILENO)};
  if (!an)
    fprintf(stderr, PROG ": out of memory\n");
  else if (gha_graph_run(&in, an, &o) != 0) {
    gha_analyzer_free(an);
    an = NULL;
  }
  gha_inputs_free(&in);
  if (an)
    gha_finish(an);
  return an;
}

int gha_cli_compare(char *const *args, int nargs, const struct gha_options *opts,
                    const struct gha_cli_views *v, bool json, const char *junit,
                    const char *html) {
  if (nargs != 2) {
    fprintf(stderr, PROG ": --compare wants two traces, BEFORE and AFTER (%d given)\n",
            nargs);
    return EXIT_USAGE;
  }
  if (json || junit) {
    fprintf(stderr,
            PROG ": --compare writes text and --html; for %s, analyse each "
                 "trace on its own\n",
            json ? "--format=json" : "--junit");
    return EXIT_USAGE;
  }
  struct gha_analyzer *before = read_side(args[0], opts, html), *after = NULL;
  if (before)
    after = read_side(args[1], opts, html);
  int status = EXIT_USAGE;
  if (before && after) {
    for (int s = 0; s < 2; s++)
      if (gha_discarded_count(s ? after : before))
        fprintf(stderr,
                PROG ": warning: %s: %llu events were lost by the tracer "
                     "(discarded events); figures may be incomplete\n",
                args[s], (unsigned long long)gha_discarded_count(s ? after : before));
    const char *b_in[] = {args[0]}, *a_in[] = {args[1]};
    struct gha_run_info brun = {.inputs = b_in, .ninputs = 1},
                        arun = {.inputs = a_in, .ninputs = 1};
    int rc = gha_report_compare_text(stdout, before, &brun, after, &arun, &v->view);
    if (fflush(stdout) != 0 || rc != 0)
      fprintf(stderr, PROG ": stdout: write error\n");
    else if (html) {
      struct gha_output o;
      FILE *f = gha_output_open(&o, html);
      if (f && gha_output_close(&o, gha_report_compare_html(f, before, &brun, after,
                                                            &arun, &v->view) == 0) == 0)
        status = gha_exit_status(after);
    } else {
      status = gha_exit_status(after);
    }
  }
  gha_analyzer_free(before);
  gha_analyzer_free(after);
  return status;
}
