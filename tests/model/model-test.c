/* model-test.c -- model-based randomized test of genheap (issue 8).
 *
 * Runs seeded random operation sequences through the engine (ops.c), which
 * checks genheap against a reference model after every step.  `make check`
 * runs a fixed set of seeds; a failure prints its seed and step and the
 * command that replays it with every operation printed.
 *
 *   model-test                      seeds 1..200, 400 steps each
 *   model-test --seed N [--steps K] [--verbose]   one sequence
 *   model-test --seeds M --steps K  seeds 1..M
 *   GENHEAP_MODEL_SEEDS=M GENHEAP_MODEL_STEPS=K   the same, for long runs
 *   GENHEAP_MODEL_FIRST_SEED=S      start at seed S instead of 1
 *
 * Under GENHEAP_GC_STRESS=1 every allocation collects, so the default run is
 * reduced (fewer seeds and steps) unless the seeds or steps are given.
 */
#include "ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run_config {
  uint64_t first_seed;
  uint64_t seeds;
  uint64_t steps;
  bool verbose;
  bool sized_by_user; /* seeds or steps given: no reduction under stress */
} run_config;

static uint64_t parse_u64(const char *s, const char *what) {
  char *end;
  unsigned long long v = strtoull(s, &end, 0);
  if (!*s || *end) {
    fprintf(stderr, "model-test: bad %s '%s'\n", what, s);
    exit(2);
  }
  return v;
}

static void from_env(run_config *c) {
  const char *v;
  if ((v = getenv("GENHEAP_MODEL_SEEDS")) && *v) {
    c->seeds = parse_u64(v, "GENHEAP_MODEL_SEEDS");
    c->sized_by_user = true;
  }
  if ((v = getenv("GENHEAP_MODEL_STEPS")) && *v) {
    c->steps = parse_u64(v, "GENHEAP_MODEL_STEPS");
    c->sized_by_user = true;
  }
  if ((v = getenv("GENHEAP_MODEL_FIRST_SEED")) && *v)
    c->first_seed = parse_u64(v, "GENHEAP_MODEL_FIRST_SEED");
}

static void usage(void) {
  fprintf(stderr, "usage: model-test [--seed N | --seeds M] [--steps K] [--verbose]\n");
  exit(2);
}

static void parse_args(run_config *c, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
      c->verbose = true;
      continue;
    }
    if (i + 1 >= argc)
      usage();
    if (!strcmp(a, "--seed")) {
      c->first_seed = parse_u64(argv[++i], "seed");
      c->seeds = 1;
    } else if (!strcmp(a, "--seeds")) {
      c->seeds = parse_u64(argv[++i], "seed count");
    } else if (!strcmp(a, "--steps")) {
      c->steps = parse_u64(argv[++i], "step count");
    } else {
      usage();
    }
    c->sized_by_user = true;
  }
}

/* One sequence; 0 on success, else prints the failure and how to replay. */
static int run_seed(const run_config *c, uint64_t seed, uint64_t steps,
                    engine_coverage *cov) {
  engine_options o;
  engine_options_init(&o);
  o.verbose = c->verbose;
  engine *e = engine_new(&o);
  if (!e)
    return 1;
  choice_src src;
  choice_from_seed(&src, seed);
  bool ok = true;
  uint64_t step = 0;
  while (ok && step < steps) {
    step++;
    ok = engine_step(e, &src);
  }
  if (ok)
    ok = engine_finish(e);
  if (!ok) {
    printf("FAIL seed %" PRIu64 ": %s\n", seed, engine_failure(e));
    printf("replay: tests/model/model-test --seed %" PRIu64 " --steps %" PRIu64
           " --verbose\n", seed, step);
  }
  engine_add_coverage(e, cov);
  engine_free(e);
  return ok ? 0 : 1;
}

static bool gc_stress_on(void) {
  engine_options o;
  engine_options_init(&o);
  engine *e = engine_new(&o);
  bool stress = e && engine_gc_stress(e);
  engine_free(e);
  return stress;
}

int main(int argc, char **argv) {
  run_config c = {.first_seed = 1, .seeds = 200, .steps = 400};
  from_env(&c);
  parse_args(&c, argc, argv);
  if (!c.sized_by_user && gc_stress_on()) {
    c.seeds = 100; /* every allocation collects: keep `make check` short */
    c.steps = 300;
  }
  printf("model-test: seeds %" PRIu64 "..%" PRIu64 ", %" PRIu64 " steps each\n",
         c.first_seed, c.first_seed + c.seeds - 1, c.steps);
  int failures = 0;
  engine_coverage cov = {0};
  for (uint64_t i = 0; i < c.seeds; i++)
    failures += run_seed(&c, c.first_seed + i, c.steps, &cov);
  printf("model-test: %" PRIu64 " steps: %" PRIu64 " minor GCs, %" PRIu64
         " full sweeps, %" PRIu64 " hibernations (%" PRIu64 " when idle), %" PRIu64
         " messages received, %" PRIu64 " refc binaries, %" PRIu64
         " exact binary counts\n", cov.steps, cov.minor_gcs, cov.full_sweeps,
         cov.hibernations, cov.idle_hibernations, cov.messages_received,
         cov.refc_binaries, cov.exact_binary_checks);
  printf("model-test: %" PRIu64 " resources (%" PRIu64 " destroyed before the end), %"
         PRIu64 " reserved builds (%" PRIu64 " past their room)\n", cov.resources,
         cov.resources_destroyed, cov.reserved_builds, cov.put_overflows);
  printf("model-test: %d of %" PRIu64 " sequences failed\n", failures, c.seeds);
  return failures ? 1 : 0;
}
