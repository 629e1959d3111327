/* views.h -- the CLI's options for what the reports single out (--all,
 * --top N) and the comparison of two runs (--compare BEFORE AFTER): two
 * traces read into two analyzers, one report of both (report.h). */
#ifndef GHA_CLI_VIEWS_H
#define GHA_CLI_VIEWS_H

#include <stdbool.h>

#include "gha.h"
#include "report.h"

struct gha_cli_views {
  struct gha_view view; /* --top, --all */
  bool compare;         /* --compare: the two TRACEs are before and after */
};

/* Sets --all, --top N (arg) or --compare from `name`; 0, or -1 after a
 * one-line message on a bad value. */
int gha_cli_view_option(struct gha_cli_views *v, const char *name, const char *arg);

/* The reports with the view (the writers' signature, for write_report). */
int gha_cli_html(FILE *out, const struct gha_analyzer *an,
                 const struct gha_run_info *run);
void gha_cli_set_view(const struct gha_view *v);

/* --compare: reads args[0] (before) and args[1] (after), each into its
 * own analyzer with `opts`, writes the comparison as text on stdout and to
 * html (if not NULL), and returns the exit status: the after run's (see
 * genheap-analyze(1)), or 2 after a one-line error. */
int gha_cli_compare(char *const *args, int nargs, const struct gha_options *opts,
                    const struct gha_cli_views *v, bool json, const char *junit,
                    const char *html);

#endif /* GHA_CLI_VIEWS_H */
