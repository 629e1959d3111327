/* main.c -- genheap-analyze: reads genheap traces (CTF folders or LTTng live
 * sessions), reports per-process GC statistics and memory findings.
 *
 * Options come from two tables: the CLI's own (cli_opts below: reports and
 * what the run does) and the analyses' (core/options.c, shared with the
 * babeltrace2 plugin, so both accept the same names and values and refuse
 * the same mistakes).  getopt's long options and the --help text are built
 * from them; an option is one table entry and, when it needs one, a setter.
 *
 * Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or
 * input error, 130 interrupted (see genheap-analyze(1)).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"
#include "gha.h"
#include "graph.h"
#include "liveview.h"
#include "outputs.h"
#include "report.h"
#include "views.h"

#define PROG "genheap-analyze"
enum { EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

struct cli {
  struct gha_options opts;
  struct gha_gate_options gate;
  struct gha_cli_views views; /* --all, --top N, --compare (views.h) */
  bool json;
  const char *json_file, *junit, *html, *perfetto;
  const char *baseline, *suppressions;
  bool view;      /* --view: the live view of a live session */
  double watch_s; /* --watch: re-read trace folders every this (0: no) */
};

/* ---- the CLI's own options -------------------------------------------- */

struct cli_opt;

/* A setter: 0, or -1 with the reason in why (one line, without the option's
 * name: the caller names it). */
typedef int (*cli_setter)(struct cli *c, const struct cli_opt *o, const char *arg,
                          char *why, size_t size);

struct cli_opt {
  const char *name; /* --NAME */
  int short_name;   /* -X, or 0 */
  const char *arg;  /* its argument in --help ("FILE"), NULL: none */
  const char *help; /* one line; --help wraps it */
  cli_setter set;   /* NULL: handled by parse_args (help, version) */
  size_t field;     /* for set_path: where the path goes in struct cli */
  bool output;      /* a report file: checked before the trace is read */
};
#define CLI_FIELD(f) offsetof(struct cli, f)

static int set_format(struct cli *c, const struct cli_opt *o, const char *arg, char *why,
                      size_t size) {
  (void)o;
  if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0) {
    snprintf(why, size, "must be text or json");
    return -1;
  }
  c->json = strcmp(arg, "json") == 0;
  return 0;
}

static int set_path(struct cli *c, const struct cli_opt *o, const char *arg, char *why,
                    size_t size) {
  if (!arg[0]) {
    snprintf(why, size, "must be a file name");
    return -1;
  }
  *(const char **)((char *)c + o->field) = arg;
  return 0;
}

static int set_growth(struct cli *c, const struct cli_opt *o, const char *arg, char *why,
                      size_t size) {
  (void)o;
  return gha_number_parse(arg, false, 1e6, &c->gate.growth_pct, why, size);
}

static int set_min_words(struct cli *c, const struct cli_opt *o, const char *arg,
                         char *why, size_t size) {
  (void)o;
  double v;
  if (gha_number_parse(arg, true, 4611686018427387904.0, &v, why, size) < 0)
    return -1;
  c->gate.min_words = (uint64_t)v;
  return 0;
}

static int set_view(struct cli *c, const struct cli_opt *o, const char *arg, char *why,
                    size_t size) {
  (void)o, (void)arg, (void)why, (void)size;
  c->view = true;
  return 0;
}

static int set_watch(struct cli *c, const struct cli_opt *o, const char *arg, char *why,
                     size_t size) {
  (void)o;
  if (gha_number_parse(arg, false, 86400, &c->watch_s, why, size) < 0)
    return -1;
  if (c->watch_s < 0.1) {
    snprintf(why, size, "must be at least 0.1 (seconds between reads)");
    return -1;
  }
  c->view = true;
  return 0;
}

/* --top, --all, --compare: views.c says what is wrong itself. */
static int set_views(struct cli *c, const struct cli_opt *o, const char *arg, char *why,
                     size_t size) {
  (void)size;
  why[0] = '\0';
  return gha_cli_view_option(&c->views, o->name, arg);
}

/* In --help order, by section: a NULL name starts a section, its help is
 * the heading (NULL: the analyses' options, from core/options.c). */
/* One option per entry reads better than one field per line: */
/* clang-format off */
#define SECTION(heading) {.help = (heading)}
static const struct cli_opt cli_opts[] = {
    SECTION("Reports:"),
    {.name = "format", .short_name = 'f', .arg = "FMT",
     .help = "text (default) or json, on stdout", .set = set_format},
    {.name = "json", .arg = "FILE", .help = "also write the JSON report to FILE",
     .set = set_path, .field = CLI_FIELD(json_file), .output = true},
    {.name = "junit", .arg = "FILE", .help = "also write JUnit XML to FILE",
     .set = set_path, .field = CLI_FIELD(junit), .output = true},
    {.name = "html", .arg = "FILE", .help = "also write an HTML report with charts",
     .set = set_path, .field = CLI_FIELD(html), .output = true},
    {.name = "perfetto", .arg = "FILE",
     .help = "also write a trace for ui.perfetto.dev and chrome://tracing: heap "
             "counters, GC slices and findings per process",
     .set = set_path, .field = CLI_FIELD(perfetto), .output = true},

    /* what the text and HTML reports single out, and two runs (views.h) */
    {.name = "top", .arg = "N", .help = "findings, names and charts singled out (10)",
     .set = set_views},
    {.name = "all", .help = "list every finding, name and process", .set = set_views},
    {.name = "compare",
     .help = "TRACE... is BEFORE AFTER: compare two runs (text, and --html), "
             "processes matched by name",
     .set = set_views},

    SECTION("CI gate (docs/ci.md):"),
    {.name = "baseline", .arg = "FILE",
     .help = "compare with a previous JSON report, by process name: new "
             "findings and figures grown past the thresholds fail, known "
             "findings pass",
     .set = set_path, .field = CLI_FIELD(baseline)},
    {.name = "suppressions", .arg = "FILE",
     .help = "accept the findings FILE lists (PATTERN ANALYSIS "
             "[until=YYYY-MM-DD] REASON, one per line)",
     .set = set_path, .field = CLI_FIELD(suppressions)},
    {.name = "gate-growth", .arg = "PERCENT",
     .help = "a figure grown by more than PERCENT over the baseline fails (20)",
     .set = set_growth},
    {.name = "gate-min-words", .arg = "N",
     .help = "... and by at least N words (default: --bloat-min-words, "
             "--binleak-min-words for binary waste)",
     .set = set_min_words},

    SECTION("Live view (genheap-analyze(1), LIVE VIEW):"),
    {.name = "view",
     .help = "show the analyses as a live session goes: a top-like screen on a "
             "terminal, a line per change elsewhere; Ctrl-C stops and reports",
     .set = set_view},
    {.name = "watch", .arg = "SECONDS",
     .help = "for trace folders still being written: read them again every "
             "SECONDS and show the view, until Ctrl-C (implies --view)",
     .set = set_watch},

    SECTION(NULL), /* the analyses' options (core/options.c) */
    SECTION(""),
    {.name = "help", .short_name = 'h', .help = "show this help and exit"},
    {.name = "version", .short_name = 'V', .help = "show the version and exit"},
};
/* clang-format on */
#define N_CLI_OPTS (sizeof cli_opts / sizeof cli_opts[0])

/* getopt values: CLI options from OPT_CLI, analysis options from OPT_ANALYSIS
 * (plus their index in their table). */
enum { OPT_CLI = 0x1000, OPT_ANALYSIS = 0x2000 };

/* ---- --help, built from the tables -------------------------------------- */

#define HELP_COL   28 /* where descriptions start */
#define HELP_WIDTH 79 /* and where they wrap */

/* `spelled` ("  -f, --format=FMT") padded to HELP_COL, then `help` wrapped
 * at word boundaries, continuation lines indented to HELP_COL. */
static void help_entry(FILE *out, const char *spelled, const char *help) {
  int col = fprintf(out, "%s", spelled);
  if (col >= HELP_COL) {
    fputc('\n', out);
    col = 0;
  }
  fprintf(out, "%*s", HELP_COL - col, "");
  col = HELP_COL;
  for (const char *w = help; *w;) {
    size_t len = strcspn(w, " ");
    if (col > HELP_COL && col + 1 + (int)len > HELP_WIDTH) {
      fprintf(out, "\n%*s", HELP_COL, "");
      col = HELP_COL;
    } else if (col > HELP_COL) {
      fputc(' ', out);
      col++;
    }
    fwrite(w, 1, len, out);
    col += (int)len;
    w += len;
    w += strspn(w, " ");
  }
  fputc('\n', out);
}

static void help_option(FILE *out, int short_name, const char *name, const char *arg,
                        const char *help) {
  char spelled[128];
  snprintf(spelled, sizeof spelled, "  %c%c%s--%s%s%s", short_name ? '-' : ' ',
           short_name ? short_name : ' ', short_name ? ", " : "  ", name, arg ? "=" : "",
           arg ? arg : "");
  help_entry(out, spelled, help);
}

static void usage(FILE *out) {
  fputs("Usage: " PROG " [OPTION]... TRACE...\n"
        "Analyse genheap traces: GC summary per process, and findings for\n"
        "bloated old heaps, refc-binary leaks and heaps kept after a burst.\n"
        "TRACE is a CTF trace folder (or any folder above one, as lttng writes\n"
        "it) or an LTTng live URL net://HOST/host/HOSTNAME/SESSION.\n",
        out);
  size_t n;
  const struct gha_option_def *defs = gha_option_defs(&n);
  for (size_t i = 0; i < N_CLI_OPTS; i++) {
    const struct cli_opt *o = &cli_opts[i];
    if (o->name)
      help_option(out, o->short_name, o->name, o->arg, o->help);
    else if (o->help)
      fprintf(out, "\n%s%s", o->help, o->help[0] ? "\n" : "");
    else {
      fputs("\nAnalyses (the babeltrace2 plugin's parameters: the same names "
            "and values):\n",
            out);
      for (size_t k = 0; k < n; k++)
        help_option(out, 0, defs[k].name, defs[k].arg, defs[k].help);
    }
  }
  fputs("\nExit status: 0 no finding at or above --fail-on, 1 findings,\n"
        "2 usage or input error, 130 interrupted (SIGINT) while reading a\n"
        "trace from disk (no report; on a live session SIGINT ends the read\n"
        "and reports what was seen).\n"
        "\nEnvironment (the input checks and their limits):\n",
        out);
  help_entry(out, "  GENHEAP_ANALYZE_STALL_TIMEOUT=SECONDS",
             "CPU time without progress before the read is stopped (10; 0: "
             "never)");
  help_entry(out, "  GENHEAP_ANALYZE_MEMORY_LIMIT=SIZE",
             "memory ceiling, in bytes or with a K, M, G or T suffix (half of "
             "the physical memory; 0: none)");
  help_entry(out, "  GENHEAP_ANALYZE_PRECHECK=0",
             "skip the checks of trace folders before they are read");
  fputs("\nSee genheap-analyze(1).\n", out);
}

/* ---- parsing -------------------------------------------------------------- */

/* The long options for getopt_long, from both tables (freed by the caller). */
static struct option *long_options(void) {
  size_t n;
  const struct gha_option_def *defs = gha_option_defs(&n);
  struct option *lo = calloc(N_CLI_OPTS + n + 1, sizeof *lo);
  if (!lo)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < N_CLI_OPTS; i++)
    if (cli_opts[i].name)
      lo[k++] = (struct option){cli_opts[i].name,
                                cli_opts[i].arg ? required_argument : no_argument, NULL,
                                OPT_CLI + (int)i};
  for (size_t i = 0; i < n; i++)
    lo[k++] =
        (struct option){defs[i].name, required_argument, NULL, OPT_ANALYSIS + (int)i};
  return lo;
}

static const struct cli_opt *by_short(int c) {
  for (size_t i = 0; i < N_CLI_OPTS; i++)
    if (cli_opts[i].name && cli_opts[i].short_name == c)
      return &cli_opts[i];
  return NULL;
}

/* getopt_long takes any unambiguous prefix (--min-i); the plugin takes only
 * whole names, and so does the CLI: the same names everywhere. */
static bool spelled_whole(char **argv, const char *name, const char *arg) {
  const char *tok = argv[optind - 1];
  if (arg && arg == tok && optind >= 2) /* "--name VALUE": the one before */
    tok = argv[optind - 2];
  if (strncmp(tok, "--", 2) != 0)
    return true; /* a short option */
  size_t len = strcspn(tok + 2, "=");
  if (len == strlen(name) && strncmp(tok + 2, name, len) == 0)
    return true;
  fprintf(stderr, PROG ": unknown option '%.*s' (did you mean --%s?)\n", (int)(len + 2),
          tok, name);
  return false;
}

static void invalid(const char *name, const char *arg, const char *why) {
  size_t n = strlen(name); /* "min-idle must be ...": the name once is enough */
  if (strncmp(why, name, n) == 0 && why[n] == ' ')
    why += n + 1;
  fprintf(stderr, PROG ": invalid value '%s' for --%s: %s\n", arg, name, why);
}

/* 0 to go on, or the exit status + 1 (help, version, usage error). */
static int parse_args(struct cli *c, int argc, char **argv) {
  struct option *lo = long_options();
  if (!lo) {
    fprintf(stderr, PROG ": out of memory\n");
    return EXIT_USAGE + 1;
  }
  char shorts[32] = ":"; /* ':': a missing argument is told apart */
  for (size_t i = 0; i < N_CLI_OPTS; i++)
    if (cli_opts[i].name && cli_opts[i].short_name) {
      size_t k = strlen(shorts);
      shorts[k++] = (char)cli_opts[i].short_name;
      if (cli_opts[i].arg)
        shorts[k++] = ':';
      shorts[k] = '\0';
    }
  size_t ndefs;
  const struct gha_option_def *defs = gha_option_defs(&ndefs);
  int opt, rc = 0;
  opterr = 0; /* our messages, one line each */
  while (rc == 0 && (opt = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
    char why[256] = "";
    if (opt == '?' || opt == ':') {
      const char *tok = argv[optind - 1];
      if (optopt && optopt < OPT_CLI)
        fprintf(stderr, PROG ": %s '-%c' (see --help)\n",
                opt == ':' ? "missing value for option" : "unknown option", optopt);
      else
        fprintf(stderr, PROG ": %s '%s' (see --help)\n",
                opt == ':' ? "missing value for option" : "unknown option", tok);
      rc = EXIT_USAGE + 1;
    } else if (opt >= OPT_ANALYSIS) {
      const struct gha_option_def *d = &defs[opt - OPT_ANALYSIS];
      if (!spelled_whole(argv, d->name, optarg))
        rc = EXIT_USAGE + 1;
      else if (gha_option_parse(&c->opts, d, optarg, why, sizeof why) < 0) {
        invalid(d->name, optarg, why);
        rc = EXIT_USAGE + 1;
      }
    } else {
      const struct cli_opt *o = opt >= OPT_CLI ? &cli_opts[opt - OPT_CLI] : by_short(opt);
      if (!o || (opt >= OPT_CLI && !spelled_whole(argv, o->name, optarg)))
        rc = EXIT_USAGE + 1;
      else if (o->short_name == 'h') {
        usage(stdout);
        rc = 1;
      } else if (o->short_name == 'V') {
        printf(PROG " " GHA_VERSION "\n");
        rc = 1;
      } else if (o->set(c, o, optarg, why, sizeof why) < 0) {
        if (why[0]) /* else the setter said it */
          invalid(o->name, optarg, why);
        rc = EXIT_USAGE + 1;
      }
    }
  }
  free(lo);
  if (rc == 0 && optind >= argc) {
    fprintf(stderr, PROG ": no trace given (see --help)\n");
    rc = EXIT_USAGE + 1;
  }
  return rc;
}

/* ---- reports -------------------------------------------------------------- */

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

/* The gate's notes for the log: what no longer applies or never did. */
static void gate_notes(const struct gha_gate *g) {
  for (size_t i = 0; g->sup && i < g->sup->n; i++) {
    const struct gha_suppression *sp = &g->sup->v[i];
    if (sp->expired)
      fprintf(stderr,
              PROG ": warning: %s:%u: suppression expired on %04ld-%02ld-%02ld: the "
                   "%llu finding%s it matches count again\n",
              g->sup->path, sp->line, sp->until / 10000, sp->until / 100 % 100,
              sp->until % 100, (unsigned long long)sp->matched,
              sp->matched == 1 ? "" : "s");
    else if (!sp->matched)
      fprintf(stderr, PROG ": note: %s:%u: suppression matched no finding\n",
              g->sup->path, sp->line);
  }
  if (g->baseline && g->options_differ[0])
    fprintf(stderr, PROG ": note: %s was analysed with other options: %s\n",
            g->baseline->path, g->options_differ);
}

static int report(const struct cli *c, struct gha_analyzer *an,
                  const struct gha_run_info *run) {
  if (gha_discarded_count(an))
    fprintf(stderr,
            PROG ": warning: %llu events were lost by the tracer "
                 "(discarded events); figures may be incomplete\n",
            (unsigned long long)gha_discarded_count(an));
  if (run->gate)
    gate_notes(run->gate);
  int rc = c->json ? gha_report_json(stdout, an, run)
                   : gha_report_text_view(stdout, an, run, &c->views.view);
  if (rc == 0 && !c->json && run->gate)
    gha_gate_report_text(stdout, run->gate);
  if (fflush(stdout) != 0 || rc != 0) {
    fprintf(stderr, PROG ": stdout: write error\n");
    return EXIT_USAGE;
  }
  if (c->json_file && write_report(c->json_file, an, run, gha_report_json) < 0)
    return EXIT_USAGE;
  if (c->junit && write_report(c->junit, an, run, gha_report_junit) < 0)
    return EXIT_USAGE;
  gha_cli_set_view(&c->views.view);
  if (c->html && write_report(c->html, an, run, gha_cli_html) < 0)
    return EXIT_USAGE;
  if (c->perfetto && write_report(c->perfetto, an, run, gha_report_perfetto) < 0)
    return EXIT_USAGE;
  return run->gate ? run->gate->status : gha_exit_status(an);
}

/* The report files asked for, checked before the trace is read. */
static int check_outputs(const struct cli *c, const struct gha_inputs *in) {
  const char *paths[N_CLI_OPTS], *names[N_CLI_OPTS];
  char spelled[N_CLI_OPTS][48];
  size_t n = 0;
  for (size_t i = 0; i < N_CLI_OPTS; i++)
    if (cli_opts[i].output) {
      snprintf(spelled[n], sizeof spelled[n], "--%s", cli_opts[i].name);
      paths[n] = *(const char *const *)((const char *)c + cli_opts[i].field);
      names[n] = spelled[n];
      n++;
    }
  return gha_outputs_check(paths, names, n, in);
}

/* The gate's inputs, read before the trace: a mistake in them is found
 * before a long read, and --json may replace the baseline it read. */
struct gate_inputs {
  struct gha_suppressions sup;
  struct gha_baseline base;
  bool have_sup, have_base;
};

static int load_gate(const struct cli *c, struct gate_inputs *g) {
  char why[512];
  if (c->suppressions) {
    if (gha_suppressions_load(c->suppressions, gha_today(), &g->sup, why, sizeof why) <
        0) {
      fprintf(stderr, PROG ": %s\n", why);
      return -1;
    }
    g->have_sup = true;
  }
  if (c->baseline) {
    if (gha_baseline_load(c->baseline, c->opts.fail_on, &g->base, why, sizeof why) < 0) {
      fprintf(stderr, PROG ": %s\n", why);
      return -1;
    }
    g->have_base = true;
  }
  return 0;
}

static void free_gate(struct gate_inputs *g) {
  if (g->have_sup)
    gha_suppressions_free(&g->sup);
  if (g->have_base)
    gha_baseline_free(&g->base);
}

/* ---- reading: once, with the live view, or again and again ---------------- */

/* --view and --watch make sense for some inputs only: one line if not. */
static int check_view(const struct cli *c, const struct gha_inputs *in) {
  bool live = false;
  for (size_t k = 0; k < in->n; k++)
    live |= in->v[k].live;
  if (c->watch_s && live) {
    fprintf(stderr, PROG ": --watch reads trace folders again and again; a live "
                         "session is followed as it goes with --view\n");
    return -1;
  }
  if (c->view && !c->watch_s && !live) {
    fprintf(stderr, PROG ": --view follows a live session (net://...); for trace "
                         "folders still being written, use --watch SECONDS\n");
    return -1;
  }
  return 0;
}

static void view_tick(void *ctx, struct gha_analyzer *an) {
  struct gha_liveview *v = ctx;
  if (gha_liveview_due(v))
    gha_liveview_frame(v, an, "live");
}

/* Reads the inputs once, into a new analyzer (NULL after a message).  With
 * the view, it is drawn as the events come. */
static struct gha_analyzer *read_once(const struct cli *c, struct gha_inputs *in,
                                      struct gha_liveview *v) {
  struct gha_analyzer *an = gha_analyzer_new(&c->opts);
  if (!an) {
    fprintf(stderr, PROG ": out of memory\n");
    return NULL;
  }
  struct gha_graph_opts o = {.progress = !v && isatty(STDERR_FILENO)};
  if (v) {
    o.tick = view_tick;
    o.ctx = v;
    o.restore = v->tty ? gha_liveview_restore : NULL;
  }
  if (gha_graph_run(in, an, &o) != 0) {
    if (v)
      gha_liveview_stop(v);
    gha_analyzer_free(an);
    return NULL;
  }
  if (v) {
    gha_liveview_frame(v, an, "ended");
    gha_liveview_stop(v);
  }
  return an;
}

/* --watch: SIGINT stops the loop (a second one the program). */
static volatile sig_atomic_t watch_stop;
static const char *volatile watch_restore;
static void on_watch_sigint(int sig) {
  (void)sig;
  if (!watch_stop) {
    watch_stop = 1;
    return;
  }
  if (watch_restore)
    (void)!write(STDOUT_FILENO, watch_restore, strlen(watch_restore));
  static const char msg[] = PROG ": interrupted twice: no report\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  _exit(130);
}

/* Sleeps s seconds, or less when SIGINT came. */
static void nap(double s) {
  for (double left = s; left > 0 && !watch_stop; left -= 0.05) {
    struct timespec ts = {0, (long)(1e9 * (left < 0.05 ? left : 0.05))};
    nanosleep(&ts, NULL);
  }
}

static double clock_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --watch: reads the trace folders again every watch_s (babeltrace2 reads
 * whole packets, and a trace being written grows by packets), showing the
 * view after each complete read, until SIGINT.  A read that SIGINT cut, or
 * that failed (a packet half written), is dropped: the report is the last
 * complete read's.  NULL when none completed (*status 130). */
static struct gha_analyzer *read_watching(const struct cli *c, struct gha_inputs *in,
                                          struct gha_liveview *v, int *status) {
  struct sigaction sa = {.sa_handler = on_watch_sigint}, old;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old);
  watch_stop = 0;
  watch_restore = v->tty ? gha_liveview_restore : NULL;
  struct gha_analyzer *last = NULL;
  unsigned reads = 0, failed = 0;
  char status_text[200];
  while (!watch_stop) {
    struct gha_analyzer *an = gha_analyzer_new(&c->opts);
    if (!an) {
      fprintf(stderr, PROG ": out of memory\n");
      break;
    }
    double start = clock_s();
    struct gha_graph_opts o = {.stop = &watch_stop, .restore = watch_restore};
    int rc = gha_graph_run(in, an, &o);
    if (rc == 0) {
      gha_analyzer_free(last);
      last = an;
      reads++;
    } else {
      gha_analyzer_free(an);
      failed += rc < 0;
    }
    if (watch_stop)
      break;
    if (last) {
      snprintf(status_text, sizeof status_text, "read %u in %.2f s%s, next in %g s",
               reads, clock_s() - start, rc < 0 ? " (the last read failed)" : "",
               c->watch_s);
      gha_liveview_frame(v, last, status_text);
    }
    nap(c->watch_s);
  }
  gha_liveview_stop(v);
  sigaction(SIGINT, &old, NULL);
  watch_restore = NULL;
  if (!last) {
    fprintf(stderr,
            PROG ": interrupted before a read of the trace completed: no report\n");
    *status = 130;
  }
  return last;
}

/* What the view's header names. */
static void inputs_title(char *buf, size_t size, char **args, int n) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && len + 1 < size; i++) {
    int w = snprintf(buf + len, size - len, "%s%s", i ? " " : "", args[i]);
    len += w > 0 ? (size_t)w : 0;
  }
}

int main(int argc, char **argv) {
  struct cli c = {.json = false};
  gha_options_init(&c.opts);
  gha_gate_options_init(&c.gate);
  int pre = parse_args(&c, argc, argv);
  if (pre)
    return pre - 1;
  if (c.views.compare) {
    if (c.baseline || c.suppressions || c.view || c.perfetto || c.json_file) {
      fprintf(stderr, PROG ": --compare writes text and --html only: not with the "
                           "gate, the live view, --perfetto or --json\n");
      return EXIT_USAGE;
    }
    return gha_cli_compare(argv + optind, argc - optind, &c.opts, &c.views, c.json,
                           c.junit, c.html);
  }
  struct gate_inputs gin = {.have_sup = false};
  struct gha_inputs in = {0};
  if (load_gate(&c, &gin) < 0 ||
      gha_inputs_collect(argv + optind, (size_t)(argc - optind), &in) < 0 ||
      check_view(&c, &in) < 0 || check_outputs(&c, &in) < 0) {
    gha_inputs_free(&in);
    free_gate(&gin);
    return EXIT_USAGE;
  }
  int status = EXIT_USAGE;
  char title[512];
  struct gha_liveview view;
  inputs_title(title, sizeof title, argv + optind, argc - optind);
  if (c.view)
    gha_liveview_init(&view, stdout, title);
  struct gha_analyzer *an = c.watch_s ? read_watching(&c, &in, &view, &status)
                            : c.view  ? read_once(&c, &in, &view)
                                      : read_once(&c, &in, NULL);
  struct gha_gate gate = {0};
  bool gated = gin.have_sup || gin.have_base;
  if (an) {
    gha_finish(an);
    struct gha_trace_facts facts;
    bool partial = gha_inputs_partial(&in, &facts);
    struct gha_run_info run = {(const char *const *)(argv + optind),
                               (size_t)(argc - optind), &facts, partial, NULL};
    if (gated && gha_gate_run(&gate, an, gin.have_base ? &gin.base : NULL,
                              gin.have_sup ? &gin.sup : NULL, &c.gate) < 0)
      fprintf(stderr, PROG ": out of memory\n");
    else {
      run.gate = gated ? &gate : NULL;
      status = report(&c, an, &run);
    }
  }
  gha_gate_free(&gate);
  gha_analyzer_free(an);
  gha_inputs_free(&in);
  free_gate(&gin);
  return status;
}
