/* ops.h -- the operation engine shared by the model-based test and the
 * libFuzzer harness (issue 8).
 *
 * An engine runs a sequence of genheap calls (spawn, build terms -- checked,
 * pushed, or reserved and put --, resources, keep or drop roots by absolute
 * or relative slot, send, receive, collect, hibernate, hibernate_after with
 * an injected clock, exit) against a genheap runtime and, side by side,
 * against a reference model kept in plain C structures.  After every step it
 * checks that each process's roots equal the model's (structurally), that
 * mailbox lengths, refc-binary counts and resource destructions agree, and
 * that gh_verify passes.
 *
 * Where the choices come from is the caller's business: a seeded PRNG
 * (model-test) or the fuzzer's input bytes (fuzz_ops).  The same bytes or
 * seed always give the same sequence, so any failure can be replayed.
 */
#ifndef GH_MODEL_OPS_H
#define GH_MODEL_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A source of choices: a PRNG stream, or a byte buffer that runs out. */
typedef struct choice_src {
  bool from_bytes;
  uint64_t rng;          /* xorshift state (PRNG mode) */
  const uint8_t *bytes;  /* input (byte mode) */
  size_t len, pos;
  bool exhausted;        /* byte mode: no input left */
} choice_src;

void choice_from_seed(choice_src *src, uint64_t seed);
void choice_from_bytes(choice_src *src, const uint8_t *bytes, size_t len);

typedef struct engine engine;

/* What a run exercised, so a reader can see the test is not vacuous. */
typedef struct engine_coverage {
  uint64_t steps, minor_gcs, full_sweeps, hibernations, idle_hibernations,
      messages_received, refc_binaries, exact_binary_checks, resources,
      resources_destroyed, reserved_builds, put_overflows;
} engine_coverage;

typedef struct engine_options {
  bool verbose;        /* print each operation to stderr (replays) */
  size_t max_procs;    /* live processes at once (default 5) */
  size_t max_depth;    /* root slots per process (default 24) */
  size_t max_nodes;    /* largest term tree the engine builds (default 300) */
} engine_options;

void engine_options_init(engine_options *o);
/* NULL if the runtime could not be created (the reason is printed). */
engine *engine_new(const engine_options *o);
/* Runs one operation and checks everything.  false: a check failed, and
 * engine_failure() says which. */
bool engine_step(engine *e, choice_src *src);
/* Exits every process, checks nothing is left (binaries, heap words,
 * allocator bytes), frees the runtime.  false: a check failed. */
bool engine_finish(engine *e);
const char *engine_failure(const engine *e);
/* Adds this engine's counts to *sum (collections: of exited processes). */
void engine_add_coverage(const engine *e, engine_coverage *sum);
/* Collections happen at every allocation (GENHEAP_GC_STRESS). */
bool engine_gc_stress(const engine *e);
void engine_free(engine *e);

#endif
