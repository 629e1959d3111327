/* bench_driver.c -- runs every contender of every workload and prints tables.
 *
 * Each contender is a separate program (bench-genheap, bench-glibc, ...), run
 * as a child process so that its peak RSS (ru_maxrss from wait4) is its own.
 * Runs are interleaved: repetition r starts with contender r mod n, so a
 * load change on the machine hits every contender alike.  The table shows
 * medians over the repetitions and ratios to genheap; it refuses results
 * whose checksums differ (the contenders did not do the same work).
 *
 * Usage: bench-driver [--reps N] [--scale S] [--bindir DIR] [workload...]
 * Workloads: lists tuples growing messages pause (default: all).
 * pause runs bench-genheap's own series (see bench_genheap.c).
 */
#include "bench_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_REPS 31
#define OUTPUT_MAX 65536
#define CHILD_TIMEOUT_S 600

/* "genheap" runs each workload in the idiom the README teaches (reserve,
 * then put builders).  The variants are bench-genheap running
 * "<workload>-<suffix>", the same work written another way: "slots" keeps
 * every term in a stack slot across checked [GC] calls (the idiom taught
 * before reservations), "args" passes the list back as gh_cons's argument. */
static const char *const contenders[] = {"genheap", "glibc", "jemalloc",
                                         "mimalloc", "boehm", "genheap-slots",
                                         "genheap-args"};
#define N_CONTENDERS (sizeof contenders / sizeof contenders[0])

/* The workloads each variant exists for. */
static const struct variant {
  const char *contender, *suffix, *workloads;
} variants[] = {{"genheap-slots", "slots", " lists tuples growing "},
                {"genheap-args", "args", " lists "}};

static const char *const table_workloads[] = {"lists", "tuples", "growing",
                                              "messages"};

typedef struct run_result {
  uint64_t ns, ops, check;
  long maxrss_kb;
  char extra[256]; /* key=value pairs after the standard ones */
} run_result;

typedef struct options {
  int reps;
  const char *scale;
  const char *bindir;
} options;

static void die(const char *what) {
  fprintf(stderr, "bench-driver: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* Reads all of fd into buf (NUL-terminated, truncated at OUTPUT_MAX). */
static void read_all(int fd, char *buf, size_t cap) {
  size_t len = 0;
  ssize_t n;
  while ((n = read(fd, buf + len, cap - 1 - len)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      die("read");
    len += (size_t)n;
    if (len == cap - 1) {
      char sink[4096]; /* keep the child from blocking on a full pipe */
      while (read(fd, sink, sizeof sink) > 0) {
      }
      break;
    }
  }
  buf[len] = '\0';
}

/* Forks `path argv...` with stdout to a pipe and the GC stress and verify
 * switches removed from its environment (they would measure the tests' mode,
 * not the library).  Returns the exit status; output and rusage filled. */
static int run_child(char *const argv[], char *out, size_t cap,
                     struct rusage *ru) {
  int fds[2];
  if (pipe(fds) != 0)
    die("pipe");
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    unsetenv("GENHEAP_GC_STRESS");
    unsetenv("GENHEAP_VERIFY");
    alarm(CHILD_TIMEOUT_S); /* a hung contender fails instead of hanging */
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv);
    fprintf(stderr, "bench-driver: cannot run %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  read_all(fds[0], out, cap);
  close(fds[0]);
  int status;
  while (wait4(pid, &status, 0, ru) < 0)
    if (errno != EINTR)
      die("wait4");
  return status;
}

static bool parse_result(const char *out, run_result *r) {
  const char *line = strstr(out, "RESULT ");
  int used = 0;
  if (line == NULL ||
      sscanf(line, "RESULT ns=%" SCNu64 " ops=%" SCNu64 " check=%" SCNu64 "%n",
             &r->ns, &r->ops, &r->check, &used) != 3)
    return false;
  const char *rest = line + used;
  size_t n = strcspn(rest, "\n");
  if (n >= sizeof r->extra)
    n = sizeof r->extra - 1;
  memcpy(r->extra, rest, n);
  r->extra[n] = '\0';
  return true;
}

static char *program_path(const options *o, const char *contender) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/bench-%s", o->bindir, contender);
  return path;
}

static const struct variant *variant_of(const char *contender) {
  for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
    if (strcmp(contender, variants[i].contender) == 0)
      return &variants[i];
  return NULL;
}

static bool is_variant(const char *contender) { return variant_of(contender) != NULL; }

/* Whether a variant is written for this workload. */
static bool variant_has(const char *contender, const char *workload) {
  char word[64];
  snprintf(word, sizeof word, " %s ", workload);
  return strstr(variant_of(contender)->workloads, word) != NULL;
}

static bool run_one(const options *o, const char *contender,
                    const char *workload, run_result *r) {
  static char out[OUTPUT_MAX];
  char variant[64];
  const struct variant *v = variant_of(contender);
  if (v)
    snprintf(variant, sizeof variant, "%s-%s", workload, v->suffix);
  char *argv[] = {program_path(o, v ? "genheap" : contender),
                  v ? variant : (char *)workload, (char *)o->scale, NULL};
  struct rusage ru;
  int status = run_child(argv, out, sizeof out, &ru);
  r->maxrss_kb = ru.ru_maxrss;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !parse_result(out, r)) {
    fprintf(stderr, "bench-driver: %s %s failed (status %d):\n%s\n",
            contender, workload, status, out);
    return false;
  }
  return true;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t median_u64(uint64_t *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_u64);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct contender_runs {
  bool present, failed;
  uint64_t ns[MAX_REPS], rss[MAX_REPS];
  run_result last;
} contender_runs;

static bool checks_agree(const contender_runs *runs) {
  const run_result *first = NULL;
  bool ok = true;
  for (size_t c = 0; c < N_CONTENDERS; c++) {
    if (!runs[c].present || runs[c].failed)
      continue;
    if (first == NULL)
      first = &runs[c].last;
    else if (runs[c].last.check != first->check ||
             runs[c].last.ops != first->ops) {
      fprintf(stderr, "bench-driver: %s did different work (check %" PRIu64
                      ", ops %" PRIu64 ")\n",
              contenders[c], runs[c].last.check, runs[c].last.ops);
      ok = false;
    }
  }
  return ok;
}

static void print_table(const char *workload, contender_runs *runs, int reps) {
  uint64_t med_ns[N_CONTENDERS], med_rss[N_CONTENDERS];
  for (size_t c = 0; c < N_CONTENDERS; c++)
    if (runs[c].present && !runs[c].failed) {
      med_ns[c] = median_u64(runs[c].ns, reps);
      med_rss[c] = median_u64(runs[c].rss, reps);
    }
  bool have_gh = runs[0].present && !runs[0].failed;
  uint64_t ops = 0;
  for (size_t c = 0; c < N_CONTENDERS && ops == 0; c++)
    ops = runs[c].last.ops;
  printf("\n### %s (median of %d, ops = %" PRIu64 ")\n\n", workload, reps,
         ops);
  printf("| contender | time ms | M ops/s | time / genheap | peak RSS MB | "
         "RSS / genheap |\n|---|---:|---:|---:|---:|---:|\n");
  for (size_t c = 0; c < N_CONTENDERS; c++) {
    if (is_variant(contenders[c]) && !runs[c].present)
      continue;
    if (!runs[c].present || runs[c].failed) {
      printf("| %s | %s | | | | |\n", contenders[c],
             runs[c].present ? "failed" : "not built");
      continue;
    }
    double ms = med_ns[c] / 1e6, mops = runs[c].last.ops / (med_ns[c] / 1e3);
    printf("| %s | %.1f | %.1f | ", contenders[c], ms, mops);
    if (have_gh)
      printf("%.2f | %.1f | %.2f |\n", (double)med_ns[c] / med_ns[0],
             med_rss[c] / 1024.0, (double)med_rss[c] / med_rss[0]);
    else
      printf("- | %.1f | - |\n", med_rss[c] / 1024.0);
  }
  if (have_gh && runs[0].last.extra[0] != '\0')
    printf("\ngenheap, last run:%s\n", runs[0].last.extra);
}

static bool run_table(const options *o, const char *workload) {
  static contender_runs runs[N_CONTENDERS];
  memset(runs, 0, sizeof runs);
  for (size_t c = 0; c < N_CONTENDERS; c++)
    runs[c].present =
        is_variant(contenders[c])
            ? variant_has(contenders[c], workload) && runs[0].present
            : access(program_path(o, contenders[c]), X_OK) == 0;
  for (int r = 0; r < o->reps; r++)
    for (size_t k = 0; k < N_CONTENDERS; k++) {
      size_t c = (k + (size_t)r) % N_CONTENDERS;
      if (!runs[c].present || runs[c].failed)
        continue;
      run_result res;
      if (!run_one(o, contenders[c], workload, &res)) {
        runs[c].failed = true;
        continue;
      }
      runs[c].ns[r] = res.ns;
      runs[c].rss[r] = (uint64_t)res.maxrss_kb;
      runs[c].last = res;
    }
  bool ok = checks_agree(runs);
  print_table(workload, runs, o->reps);
  return ok;
}

/* The pause series is genheap's (and Boehm's) own table: pass it through. */
static bool run_series(const options *o, const char *contender,
                       const char *workload) {
  static char out[OUTPUT_MAX];
  char *argv[] = {program_path(o, contender), (char *)workload,
                  (char *)o->scale, NULL};
  if (access(argv[0], X_OK) != 0)
    return true;
  struct rusage ru;
  int status = run_child(argv, out, sizeof out, &ru);
  fputs(out, stdout);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void print_machine(int argc, char **argv) {
  struct utsname u;
  uname(&u);
  char model[256] = "unknown", line[512], load[128] = "";
  FILE *f = fopen("/proc/cpuinfo", "r");
  while (f != NULL && fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, "model name", 10) == 0) {
      snprintf(model, sizeof model, "%s", strchr(line, ':') + 2);
      model[strcspn(model, "\n")] = '\0';
      break;
    }
  if (f != NULL)
    fclose(f);
  f = fopen("/proc/loadavg", "r");
  if (f != NULL && fgets(load, sizeof load, f) != NULL)
    load[strcspn(load, "\n")] = '\0';
  if (f != NULL)
    fclose(f);
  printf("machine: %s %s, nproc %ld, CPU %s, compiler gcc %s, load %s\n",
         u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN), model,
         __VERSION__, load);
  printf("command:");
  for (int i = 0; i < argc; i++)
    printf(" %s", argv[i]);
  printf("\n");
}

static bool is_table_workload(const char *w) {
  for (size_t i = 0; i < sizeof table_workloads / sizeof *table_workloads; i++)
    if (strcmp(w, table_workloads[i]) == 0)
      return true;
  return false;
}

static bool run_workload(const options *o, const char *w) {
  if (is_table_workload(w))
    return run_table(o, w);
  if (strcmp(w, "pause") == 0 || strcmp(w, "census") == 0)
    return run_series(o, "genheap", w);
  fprintf(stderr, "bench-driver: unknown workload %s\n", w);
  return false;
}

int main(int argc, char **argv) {
  options o = {5, "1.0", "."};
  int i = 1;
  for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
    if (strcmp(argv[i], "--reps") == 0)
      o.reps = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--scale") == 0)
      o.scale = argv[i + 1];
    else if (strcmp(argv[i], "--bindir") == 0)
      o.bindir = argv[i + 1];
  }
  if (o.reps < 1 || o.reps > MAX_REPS) {
    fprintf(stderr, "bench-driver: --reps must be 1..%d\n", MAX_REPS);
    return 2;
  }
  print_machine(argc, argv);
  bool ok = true;
  if (i == argc) { /* no workload named: all of them */
    for (size_t w = 0; w < sizeof table_workloads / sizeof *table_workloads; w++)
      ok = run_workload(&o, table_workloads[w]) && ok;
    ok = run_workload(&o, "pause") && ok;
    ok = run_workload(&o, "census") && ok;
  }
  for (; i < argc; i++)
    ok = run_workload(&o, argv[i]) && ok;
  return ok ? 0 : 1;
}
