/* main.c -- genheap-analyze: reads genheap traces (CTF folders or LTTng live
 * sessions), reports per-process GC statistics and memory findings.
 *
 * Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or
 * input error (see genheap-analyze(1)).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gha.h"
#include "graph.h"
#include "outputs.h"
#include "report.h"
#include "views.h"

#define PROG "genheap-analyze"
enum { EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

struct cli {
  struct gha_options opts;
  bool json;
  const char *junit, *html;
  struct gha_cli_views views; /* --all, --top N, --compare (views.h) */
};

static void usage(FILE *out) {
  fputs(
      "Usage: " PROG " [OPTION]... TRACE...\n"
      "Analyse genheap traces: GC summary per process, and findings for\n"
      "bloated old heaps, refc-binary leaks and heaps kept after a burst.\n"
      "TRACE is a CTF trace folder (or any folder above one, as lttng writes\n"
      "it) or an LTTng live URL net://HOST/host/HOSTNAME/SESSION.\n\n"
      "  -f, --format=FMT          text (default) or json, on stdout\n"
      "      --junit=FILE          also write JUnit XML to FILE\n"
      "      --html=FILE           also write an HTML report with charts\n"
      "      --fail-on=SEV         exit 1 on findings of SEV or worse: info,\n"
      "                            warning (default), error, never\n"
      "      --min-idle=SECONDS    trace time that counts as long (1)\n"
      "      --idle-factor=N       idle >= N x busy GC interval (20)\n"
      "      --bloat-min-words=N   old heap words worth a bloat finding (65536)\n"
      "      --binleak-min-words=N old binary vheap words for binleak (16384)\n"
      "      --binleak-min-steps=N growth steps without sweep for binleak (3)\n"
      "      --burst-min-gcs=N     GCs that make a burst (20)\n"
      "      --burst-min-words=N   heap words kept after a burst (65536)\n"
      "      --top=N               findings, names and charts singled out (10)\n"
      "      --all                 list every finding, name and process\n"
      "      --compare             TRACE... is BEFORE AFTER: compare two runs\n"
      "                            (text, and --html), processes matched by name\n"
      "  -h, --help                show this help and exit\n"
      "  -V, --version             show the version and exit\n\n"
      "Exit status: 0 no finding at or above --fail-on, 1 findings,\n"
      "2 usage or input error.\n",
      out);
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-')
    return -1;
  *out = v;
  return 0;
}

static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || v < 0)
    return -1;
  *out = v;
  return 0;
}

enum { O_JUNIT = 256, O_HTML, O_FAIL_ON, O_MIN_IDLE, O_IDLE_FACTOR, O_BLOAT,
       O_BINLEAK, O_BINSTEPS, O_BURST_GCS, O_BURST_WORDS };
/* what the reports single out, and two runs compared (views.h) */
enum { O_VIEW_ALL = 512, O_VIEW_TOP, O_VIEW_COMPARE };

static const struct option long_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"junit", required_argument, NULL, O_JUNIT},
    {"html", required_argument, NULL, O_HTML},
    {"fail-on", required_argument, NULL, O_FAIL_ON},
    {"min-idle", required_argument, NULL, O_MIN_IDLE},
    {"idle-factor", required_argument, NULL, O_IDLE_FACTOR},
    {"bloat-min-words", required_argument, NULL, O_BLOAT},
    {"binleak-min-words", required_argument, NULL, O_BINLEAK},
    {"binleak-min-steps", required_argument, NULL, O_BINSTEPS},
    {"burst-min-gcs", required_argument, NULL, O_BURST_GCS},
    {"burst-min-words", required_argument, NULL, O_BURST_WORDS},
    {"all", no_argument, NULL, O_VIEW_ALL},
    {"top", required_argument, NULL, O_VIEW_TOP},
    {"compare", no_argument, NULL, O_VIEW_COMPARE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

/* One option; -1 on a bad value (after the message). */
static int apply_option(struct cli *c, int opt, const char *arg) {
  struct gha_options *o = &c->opts;
  uint64_t u = 0;
  double d = 0;
  int bad = 0;
  switch (opt) {
  case 'f':
    if (strcmp(arg, "json") == 0)
      c->json = true;
    else if (strcmp(arg, "text") == 0)
      c->json = false;
    else
      bad = 1;
    break;
  case O_JUNIT: c->junit = arg; break;
  case O_HTML: c->html = arg; break;
  case O_FAIL_ON: {
    int s = gha_severity_parse(arg);
    if (s < 0)
      bad = 1;
    else
      o->fail_on = (enum gha_severity)s;
    break;
  }
  case O_MIN_IDLE:
    bad = parse_double(arg, &d);
    o->min_idle_ns = (uint64_t)(d * 1e9);
    break;
  case O_IDLE_FACTOR:
    bad = parse_double(arg, &d);
    o->idle_factor = d;
    break;
  case O_BLOAT: bad = parse_u64(arg, &o->bloat_min_words); break;
  case O_BINLEAK: bad = parse_u64(arg, &o->binleak_min_words); break;
  case O_BINSTEPS:
    bad = parse_u64(arg, &u) || u > 1000000;
    o->binleak_min_steps = (unsigned)u;
    break;
  case O_BURST_GCS:
    bad = parse_u64(arg, &u) || u > 1000000000;
    o->burst_min_gcs = (unsigned)u;
    break;
  case O_BURST_WORDS: bad = parse_u64(arg, &o->burst_min_words); break;
  case O_VIEW_ALL: return gha_cli_view_option(&c->views, "all", arg);
  case O_VIEW_TOP: return gha_cli_view_option(&c->views, "top", arg);
  case O_VIEW_COMPARE: return gha_cli_view_option(&c->views, "compare", arg);
  default:
    return -1;
  }
  if (bad)
    fprintf(stderr, PROG ": invalid value '%s' for an option (see --help)\n", arg);
  return bad ? -1 : 0;
}

/* 0 to go on, or the exit status + 1 (help, version, usage error). */
static int parse_args(struct cli *c, int argc, char **argv) {
  int opt;
  while ((opt = getopt_long(argc, argv, "f:hV", long_opts, NULL)) != -1) {
    if (opt == 'h') {
      usage(stdout);
      return 1;
    }
    if (opt == 'V') {
      printf(PROG " " GHA_VERSION "\n");
      return 1;
    }
    if (opt == '?' || apply_option(c, opt, optarg) < 0)
      return EXIT_USAGE + 1;
  }
  if (optind >= argc) {
    fprintf(stderr, PROG ": no trace given (see --help)\n");
    return EXIT_USAGE + 1;
  }
  return 0;
}

/* Written whole or not at all (outputs.h). */
static int write_report(const char *path, const struct gha_analyzer *an,
                        const struct gha_run_info *run,
                        int (*writer)(FILE *, const struct gha_analyzer *,
                                      const struct gha_run_info *)) {
  struct gha_output out;
  FILE *f = gha_output_open(&out, path);
  if (!f)
    return -1;
  return gha_output_close(&out, writer(f, an, run) == 0);
}

static int report(const struct cli *c, struct gha_analyzer *an,
                  const struct gha_run_info *run) {
  gha_finish(an);
  if (gha_discarded_count(an))
    fprintf(stderr, PROG ": warning: %llu events were lost by the tracer "
                         "(discarded events); figures may be incomplete\n",
            (unsigned long long)gha_discarded_count(an));
  int rc = c->json ? gha_report_json(stdout, an, run)
                   : gha_report_text_view(stdout, an, run, &c->views.view);
  if (fflush(stdout) != 0 || rc != 0) {
    fprintf(stderr, PROG ": stdout: write error\n");
    return EXIT_USAGE;
  }
  if (c->junit && write_report(c->junit, an, run, gha_report_junit) < 0)
    return EXIT_USAGE;
  gha_cli_set_view(&c->views.view);
  if (c->html && write_report(c->html, an, run, gha_cli_html) < 0)
    return EXIT_USAGE;
  return gha_exit_status(an);
}

int main(int argc, char **argv) {
  struct cli c = {.json = false};
  gha_options_init(&c.opts);
  int pre = parse_args(&c, argc, argv);
  if (pre)
    return pre - 1;
  if (c.views.compare)
    return gha_cli_compare(argv + optind, argc - optind, &c.opts, &c.views, c.json,
                           c.junit, c.html);
  struct gha_inputs in;
  const char *outs[] = {c.junit, c.html}, *const out_opts[] = {"--junit", "--html"};
  if (gha_inputs_collect(argv + optind, (size_t)(argc - optind), &in) < 0 ||
      gha_outputs_check(outs, out_opts, 2, &in) < 0) {
    gha_inputs_free(&in);
    return EXIT_USAGE;
  }
  struct gha_analyzer *an = gha_analyzer_new(&c.opts);
  if (!an) {
    fprintf(stderr, PROG ": out of memory\n");
    gha_inputs_free(&in);
    return EXIT_USAGE;
  }
  int status = EXIT_USAGE;
  if (gha_graph_run(&in, an, isatty(STDERR_FILENO)) == 0) {
    struct gha_run_info run = {(const char *const *)(argv + optind),
                               (size_t)(argc - optind)};
    status = report(&c, an, &run);
  }
  gha_analyzer_free(an);
  gha_inputs_free(&in);
  return status;
}
