/* graph.c -- finds the traces to read and runs the babeltrace2 graph.
 *
 * LTTng writes a session as SESSION/ust/uid/0/64-bit/{metadata,channel0_0..}:
 * an argument may be any folder above that, so each argument is walked for
 * folders holding a `metadata` file (each folder entered once, so links
 * neither loop nor count a trace twice).  Each trace folder is pre-checked
 * (precheck.c) and becomes one src.ctf.fs component (named after its index,
 * so an error can name the folder), read under the watchdog (watchdog.c).
 */
#include "graph.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "convert.h"
#include "sink.h"
#include "watchdog.h"

#define PROG "genheap-analyze"
#define EXIT_INTERRUPTED 130

/* ---- inputs ------------------------------------------------------------- */

/* One argument's walk.  Every folder is entered once (by device and inode),
 * so symbolic links can neither loop nor multiply a trace. */
struct walk {
  struct gha_inputs *in;
  const char *arg;
  struct { dev_t dev; ino_t ino; } *dirs;
  size_t ndirs;
  size_t found; /* trace folders below the argument, duplicates included */
};

static int add_input(struct gha_inputs *in, const char *arg, char *path,
                     bool live, const struct stat *st) {
  struct gha_input *grown = realloc(in->v, (in->n + 1) * sizeof *grown);
  if (!grown || !path) {
    free(path);
    return -1;
  }
  in->v = grown;
  in->v[in->n++] = (struct gha_input){.arg = arg, .path = path, .live = live,
                                      .dev = st ? st->st_dev : 0,
                                      .ino = st ? st->st_ino : 0};
  return 0;
}

static int name_order(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* False when the folder was entered before in this walk. */
static bool enter(struct walk *w, const struct stat *st) {
  for (size_t i = 0; i < w->ndirs; i++)
    if (w->dirs[i].dev == st->st_dev && w->dirs[i].ino == st->st_ino)
      return false;
  void *grown = realloc(w->dirs, (w->ndirs + 1) * sizeof *w->dirs);
  if (!grown)
    return false;
  w->dirs = grown;
  w->dirs[w->ndirs].dev = st->st_dev;
  w->dirs[w->ndirs].ino = st->st_ino;
  w->ndirs++;
  return true;
}

static int add_trace(struct walk *w, const char *dir, const struct stat *st) {
  w->found++;
  for (size_t i = 0; i < w->in->n; i++) {
    const struct gha_input *o = &w->in->v[i];
    if (!o->live && o->dev == st->st_dev && o->ino == st->st_ino) {
      fprintf(stderr, PROG ": note: %s: the trace %s was given already "
                           "(through %s); read once\n", w->arg, o->path, o->arg);
      return 0;
    }
  }
  return add_input(w->in, w->arg, strdup(dir), false, st);
}

/* Depth-first, in name order, so the input order is reproducible. */
static int walk(struct walk *w, const char *dir, int depth) {
  char path[4096];
  struct stat st, dst;
  if (stat(dir, &dst) != 0 || !S_ISDIR(dst.st_mode) || !enter(w, &dst))
    return 0;
  snprintf(path, sizeof path, "%s/metadata", dir);
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
    return add_trace(w, dir, &dst);
  if (depth > 8)
    return 0;
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char **grown = realloc(names, (n + 1) * sizeof *names);
    if (!grown)
      break;
    names = grown;
    if (!(names[n] = strdup(e->d_name)))
      break;
    n++;
  }
  closedir(d);
  if (n) /* names is NULL for an empty folder: qsort wants an array */
    qsort(names, n, sizeof *names, name_order);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (rc == 0)
      rc = walk(w, path, depth + 1);
    free(names[i]);
  }
  free(names);
  return rc;
}

int gha_inputs_collect(char *const *args, size_t nargs, struct gha_inputs *out) {
  out->v = NULL;
  out->n = 0;
  for (size_t i = 0; i < nargs; i++) {
    const char *a = args[i];
    if (strncmp(a, "net://", 6) == 0 || strncmp(a, "net4://", 7) == 0 ||
        strncmp(a, "net6://", 7) == 0) {
      if (add_input(out, a, strdup(a), true, NULL) < 0)
        return -1;
      continue;
    }
    struct stat st;
    if (stat(a, &st) != 0) {
      fprintf(stderr, PROG ": %s: %s\n", a, strerror(errno));
      return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
      fprintf(stderr, PROG ": %s: not a trace (expected a CTF trace folder)\n", a);
      return -1;
    }
    struct walk w = {.in = out, .arg = a};
    int rc = walk(&w, a, 0);
    free(w.dirs);
    if (rc < 0)
      return -1;
    if (w.found == 0) {
      fprintf(stderr, PROG ": %s: not a trace (no CTF metadata file below it)\n", a);
      return -1;
    }
  }
  return 0;
}

void gha_inputs_free(struct gha_inputs *in) {
  for (size_t i = 0; i < in->n; i++)
    free(in->v[i].path);
  free(in->v);
}

bool gha_inputs_partial(const struct gha_inputs *in, struct gha_trace_facts *sum) {
  struct gha_trace_facts s = {0};
  for (size_t i = 0; i < in->n; i++) {
    const struct gha_trace_facts *f = &in->v[i].facts;
    s.traces += f->traces;
    s.streams += f->streams;
    s.packets += f->packets;
    s.empty_streams += f->empty_streams;
    s.cut_streams += f->cut_streams;
    s.layout_unchecked |= f->layout_unchecked;
  }
  if (sum)
    *sum = s;
  return gha_trace_facts_partial(&s);
}

/* ---- errors ------------------------------------------------------------- */

/* The value of key="value" in a cause's message dump. */
static bool dump_value(const char *msg, const char *key, char *out, size_t cap) {
  char pat[64];
  snprintf(pat, sizeof pat, "%s=\"", key);
  const char *p = strstr(msg, pat), *q;
  if (!p || !(q = strchr(p += strlen(pat), '"')))
    return false;
  snprintf(out, cap, "%.*s", (int)(q - p), p);
  return true;
}

/* src.ctf.fs names a port "TRACE | STREAM-CLASS | STREAM-ID" (or "... |
 * PATH" when the stream has no id): the stream file behind it, if found. */
static bool port_file(const char *dir, const char *port, char *out, size_t cap) {
  const char *last = strrchr(port, '|');
  if (!last)
    return false;
  const char *id = last + 1 + (last[1] == ' ');
  char *end;
  unsigned long long inst = strtoull(id, &end, 10);
  if (end == id || *end) { /* a path */
    snprintf(out, cap, "%s", id);
    return id[0] != '\0';
  }
  unsigned long long cls = 0;
  const char *prev = last;
  while (prev > port && prev[-1] != '|')
    prev--;
  if (prev > port)
    cls = strtoull(prev + (prev[0] == ' '), NULL, 10);
  return gha_precheck_find_stream(dir, cls, inst, out, cap) == 0;
}

static void print_inputs(const struct gha_inputs *in) {
  for (size_t k = 0; k < in->n; k++)
    fprintf(stderr, "%s%s", k ? ", " : "", in->v[k].path);
}

/* Cause 0 is the root cause (babeltrace2 appends the callers' causes after
 * it); its message, cut before the "key=value" dump, is the one line we
 * print.  A cause from a component named src-N, or from an iterator on one
 * of its ports, names the input; the port names the stream file.  Without
 * either, every input is named. */
static void print_error(const struct gha_inputs *in, const char *what,
                        size_t fallback_k) {
  const bt_error *err = bt_current_thread_take_error();
  const char *input = NULL;
  char msg[400] = "", port[1024] = "", file[4200] = "", comp_buf[64];
  size_t k = SIZE_MAX;
  if (err) {
    uint64_t n = bt_error_get_cause_count(err);
    for (uint64_t i = 0; i < n; i++) {
      const bt_error_cause *c = bt_error_borrow_cause_by_index(err, i);
      const char *text = bt_error_cause_get_message(c);
      const char *comp = NULL;
      if (bt_error_cause_get_actor_type(c) == BT_ERROR_CAUSE_ACTOR_TYPE_COMPONENT)
        comp = bt_error_cause_component_actor_get_component_name(c);
      else if (bt_error_cause_get_actor_type(c) ==
               BT_ERROR_CAUSE_ACTOR_TYPE_MESSAGE_ITERATOR)
        comp = bt_error_cause_message_iterator_actor_get_component_name(c);
      if (dump_value(text, "iter-upstream-comp-name", comp_buf, sizeof comp_buf) &&
          strncmp(comp_buf, "src-", 4) == 0) {
        comp = comp_buf;
        if (!port[0])
          dump_value(text, "iter-upstream-port-name", port, sizeof port);
      }
      if (comp && strncmp(comp, "src-", 4) == 0 && k == SIZE_MAX)
        k = strtoul(comp + 4, NULL, 10);
      if (i == 0) /* the root cause: the most specific message */
        snprintf(msg, sizeof msg, "%s", text);
    }
    bt_error_release(err);
  }
  if (k >= in->n)
    k = fallback_k;
  bool disk = k < in->n && !in->v[k].live;
  if (k < in->n)
    input = in->v[k].path;
  if (disk && port[0])
    port_file(input, port, file, sizeof file);
  if (k < in->n && in->v[k].live) {
    if (strncmp(what, "cannot read the trace", 21) == 0)
      what = "cannot read the live session";
    if (strstr(msg, "session-not-found-action"))
      snprintf(msg, sizeof msg, "no such session on the relay daemon (it must "
                                "exist when genheap-analyze attaches)");
  }
  if (disk && strncmp(msg, "Cannot create trace for", 23) == 0) {
    /* babeltrace2 appends no cause of its own for metadata it cannot parse */
    snprintf(file, sizeof file, "%s/metadata", input);
    snprintf(msg, sizeof msg, "not valid TSDL (or not a CTF 1.8 trace)");
  }
  char *dump = strstr(msg, ": ");
  if (dump && strchr(dump, '='))
    *dump = '\0';
  for (char *c = msg; *c; c++)
    if (*c == '\n' || *c == '\t')
      *c = ' ';
  fprintf(stderr, PROG ": ");
  if (file[0] || input)
    fputs(file[0] ? file : input, stderr);
  else
    print_inputs(in);
  fprintf(stderr, ": %s%s%s\n", what, msg[0] ? ": " : "", msg);
}

/* ---- graph -------------------------------------------------------------- */

static const bt_plugin *find_plugin(const char *name) {
  const bt_plugin *p = NULL;
  if (bt_plugin_find(name, BT_TRUE, BT_FALSE, BT_TRUE, BT_TRUE, BT_FALSE, &p) !=
      BT_PLUGIN_FIND_STATUS_OK)
    return NULL;
  return p;
}

struct plugins {
  const bt_plugin *ctf, *utils;
  const bt_component_class_source *fs, *live;
  const bt_component_class_filter *muxer;
};

static int load_plugins(struct plugins *pl) {
  pl->ctf = find_plugin("ctf");
  pl->utils = find_plugin("utils");
  if (!pl->ctf || !pl->utils) {
    fprintf(stderr, PROG ": cannot load the babeltrace2 ctf and utils plugins "
                         "(is babeltrace2 installed?)\n");
    return -1;
  }
  pl->fs = bt_plugin_borrow_source_component_class_by_name_const(pl->ctf, "fs");
  pl->live = bt_plugin_borrow_source_component_class_by_name_const(
      pl->ctf, "lttng-live");
  pl->muxer = bt_plugin_borrow_filter_component_class_by_name_const(pl->utils,
                                                                    "muxer");
  if (!pl->fs || !pl->live || !pl->muxer) {
    fprintf(stderr, PROG ": the babeltrace2 plugins lack src.ctf.fs, "
                         "src.ctf.lttng-live or flt.utils.muxer\n");
    return -1;
  }
  return 0;
}

static bt_value *source_params(const struct gha_input *input) {
  bt_value *params = bt_value_map_create();
  bt_value *inputs = NULL;
  if (!params ||
      bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) !=
          BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK ||
      bt_value_array_append_string_element(inputs, input->path) !=
          BT_VALUE_ARRAY_APPEND_ELEMENT_STATUS_OK ||
      (input->live && bt_value_map_insert_string_entry(
                          params, "session-not-found-action", "fail") !=
                          BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK)) {
    bt_value_put_ref(params);
    return NULL;
  }
  return params;
}

static const bt_port_input *free_muxer_port(const bt_component_filter *mux) {
  uint64_t n = bt_component_filter_get_input_port_count(mux);
  for (uint64_t i = 0; i < n; i++) {
    const bt_port_input *p =
        bt_component_filter_borrow_input_port_by_index_const(mux, i);
    if (!bt_port_is_connected(bt_port_input_as_port_const(p)))
      return p;
  }
  return NULL;
}

static int add_source(bt_graph *g, const struct plugins *pl,
                      const struct gha_inputs *in, size_t k,
                      const bt_component_filter *mux) {
  char name[32];
  snprintf(name, sizeof name, "src-%zu", k);
  gha_watchdog_subject(in->v[k].path); /* opening it reads its metadata */
  bt_value *params = source_params(&in->v[k]);
  const bt_component_source *src = NULL;
  if (!params)
    return -1;
  bt_graph_add_component_status st = bt_graph_add_source_component(
      g, in->v[k].live ? pl->live : pl->fs, name, params,
      BT_LOGGING_LEVEL_NONE, &src);
  bt_value_put_ref(params);
  if (st != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
    print_error(in, "cannot open the trace", k);
    return -1;
  }
  uint64_t nports = bt_component_source_get_output_port_count(src);
  for (uint64_t i = 0; i < nports; i++) {
    const bt_port_input *mp = free_muxer_port(mux);
    if (!mp || bt_graph_connect_ports(
                   g, bt_component_source_borrow_output_port_by_index_const(src, i),
                   mp, NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
      print_error(in, "cannot connect the trace's streams", k);
      return -1;
    }
  }
  return 0;
}

static int build(bt_graph *g, const struct plugins *pl,
                 const struct gha_inputs *in, struct gha_bt2 *cv,
                 bt_component_class_sink *sink_cls) {
  const bt_component_filter *mux = NULL;
  const bt_component_sink *sink = NULL;
  if (bt_graph_add_filter_component(g, pl->muxer, "muxer", NULL,
                                    BT_LOGGING_LEVEL_NONE, &mux) !=
      BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
    print_error(in, "cannot create the muxer", SIZE_MAX);
    return -1;
  }
  for (size_t k = 0; k < in->n; k++)
    if (add_source(g, pl, in, k, mux) < 0)
      return -1;
  if (bt_graph_add_sink_component_with_initialize_method_data(
          g, sink_cls, "genheap", NULL, cv, BT_LOGGING_LEVEL_NONE, &sink) !=
          BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
      bt_graph_connect_ports(
          g, bt_component_filter_borrow_output_port_by_index_const(mux, 0),
          bt_component_sink_borrow_input_port_by_index_const(sink, 0),
          NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
    print_error(in, "cannot create the analyzer sink", SIZE_MAX);
    return -1;
  }
  return 0;
}

/* SIGINT.  From disk, the report needs the whole trace (the idle analyses
 * measure up to its end): stop at once, say so, no report (130, as a shell
 * reports a SIGINT death).  From a live session it is the normal way to end:
 * stop reading and report what was seen; a second one ends at once. */
static volatile sig_atomic_t interrupted, live_input;
static const char *volatile restore_text; /* the view's, set per run */
static void on_sigint(int sig) {
  (void)sig;
  if (live_input && !interrupted) {
    interrupted = 1;
    return;
  }
  /* Two SIGINTs can run this on two threads at once (timeout(1) sends one
   * to the child and one to the group): say it once. */
  static int said;
  if (restore_text && !__atomic_load_n(&said, __ATOMIC_SEQ_CST))
    (void)!write(STDOUT_FILENO, restore_text, strlen(restore_text));
  static const char msg[] =
      PROG ": interrupted before the end of the trace: no report\n";
  if (!__atomic_exchange_n(&said, 1, __ATOMIC_SEQ_CST))
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  _exit(EXIT_INTERRUPTED);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs to the end; live sources answer AGAIN while they wait for data.
 * Each return from babeltrace2 is progress for the watchdog. */
static int run(bt_graph *g, const struct gha_inputs *in, struct gha_bt2 *cv,
               const struct gha_graph_opts *o) {
  bool progress = o->progress;
  double last = now_s();
  for (;;) {
    bt_graph_run_once_status st = bt_graph_run_once(g);
    gha_watchdog_progress();
    if (st == BT_GRAPH_RUN_ONCE_STATUS_END)
      break;
    if (o->stop && *o->stop)
      return 1;
    if (st == BT_GRAPH_RUN_ONCE_STATUS_AGAIN) {
      if (interrupted)
        break;
      usleep(20000);
    } else if (st != BT_GRAPH_RUN_ONCE_STATUS_OK) {
      if (cv->error[0]) {
        bt_current_thread_clear_error();
        fprintf(stderr, PROG ": ");
        print_inputs(in);
        fprintf(stderr, ": %s\n", cv->error);
      } else {
        print_error(in, "cannot read the trace (truncated or corrupt?)",
                    in->n == 1 ? 0 : SIZE_MAX);
      }
      return -1;
    }
    if (interrupted)
      break;
    if (o->tick)
      o->tick(o->ctx, cv->an);
    if (progress && now_s() - last > 0.25) {
      last = now_s();
      fprintf(stderr, "\r%llu genheap events", (unsigned long long)cv->genheap_events);
    }
  }
  if (progress)
    fputs("\r\033[K", stderr);
  return 0;
}

/* The pre-check of every trace folder: warnings printed, facts kept. */
static int precheck(struct gha_inputs *in) {
  for (size_t k = 0; k < in->n; k++) {
    if (in->v[k].live)
      continue;
    struct gha_precheck pc;
    gha_watchdog_subject(in->v[k].path);
    int rc = gha_precheck_trace(in->v[k].path, &pc);
    for (size_t i = 0; i < pc.nwarnings; i++)
      fprintf(stderr, PROG ": warning: %s\n", pc.warnings[i]);
    if (rc < 0)
      fprintf(stderr, PROG ": %s\n", pc.error);
    in->v[k].facts = pc.facts;
    gha_precheck_free(&pc);
    if (rc < 0)
      return -1;
  }
  return 0;
}

/* "A, B, C" for the watchdog's message while all inputs are read at once. */
static char *inputs_list(const struct gha_inputs *in) {
  size_t len = 1;
  for (size_t k = 0; k < in->n; k++)
    len += strlen(in->v[k].path) + 2;
  char *s = malloc(len);
  if (!s)
    return NULL;
  s[0] = '\0';
  for (size_t k = 0; k < in->n; k++) {
    if (k)
      strcat(s, ", ");
    strcat(s, in->v[k].path);
  }
  return s;
}

int gha_graph_run(struct gha_inputs *in, struct gha_analyzer *an,
                  const struct gha_graph_opts *opts) {
  static const struct gha_graph_opts none = {0};
  const struct gha_graph_opts *o = opts ? opts : &none;
  struct plugins pl = {0};
  struct gha_bt2 cv;
  struct gha_limits limits;
  struct sigaction sa = {.sa_handler = on_sigint}, old_sa;
  bt_current_thread_clear_error(); /* a caller's old error is not ours to report */
  if (gha_limits_from_env(&limits) < 0)
    return -1;
  live_input = 0;
  interrupted = 0;
  for (size_t k = 0; k < in->n; k++)
    if (in->v[k].live)
      live_input = 1;
  restore_text = o->restore;
  sigemptyset(&sa.sa_mask);
  if (!o->stop) /* else the caller handles SIGINT */
    sigaction(SIGINT, &sa, &old_sa);
  char *all = inputs_list(in);
  gha_bt2_init(&cv, an);
  bt_graph *g = NULL;
  bt_component_class_sink *sink_cls = NULL;
  int rc = -1;
  if (gha_watchdog_start(&limits) < 0 || (limits.precheck && precheck(in) < 0))
    goto out;
  g = bt_graph_create(0);
  sink_cls = gha_sink_class_create();
  if (!g || !sink_cls || !all)
    fprintf(stderr, PROG ": out of memory\n");
  else if (load_plugins(&pl) == 0 && build(g, &pl, in, &cv, sink_cls) == 0) {
    gha_watchdog_subject(all);
    rc = run(g, in, &cv, o);
  }
  if (rc == 1)
    goto out; /* stopped: the caller drops what was read */
  if (rc == 0 && cv.genheap_events == 0) {
    /* A live reader starts at the relay daemon's newest packet: what was
     * recorded before it attached is not "no events at all". */
    fprintf(stderr, PROG ": ");
    print_inputs(in);
    if (live_input)
      fprintf(stderr, ": no genheap events arrived while attached (a live "
                      "reader gets only what reaches the relay daemon after "
                      "it attaches; see genheap-analyze(1), LIVE SESSIONS)\n");
    else
      fprintf(stderr, ": no genheap events in the trace%s\n", in->n > 1 ? "s" : "");
    rc = -1;
  }
out:
  gha_watchdog_stop();
  if (!o->stop)
    sigaction(SIGINT, &old_sa, NULL);
  restore_text = NULL;
  bt_graph_put_ref(g);
  bt_component_class_sink_put_ref(sink_cls);
  bt_plugin_put_ref(pl.ctf);
  bt_plugin_put_ref(pl.utils);
  gha_bt2_fini(&cv);
  free(all);
  return rc;
}
