/* fuzz_ops.c -- libFuzzer harness: genheap operation sequences from bytes.
 *
 * The input bytes are the choices of the model test's engine
 * (tests/model/ops.c): which operation, on which process, with which
 * arguments.  Each step is checked against the reference model, as in
 * model-test; a mismatch aborts, which libFuzzer reports as a crash with the
 * input that reproduces it.  GENHEAP_VERIFY-style checking is on (the
 * engine's runtime sets `verify`), so a broken heap invariant aborts inside
 * the collector.  Build and run: tests/fuzz/run-fuzz.sh.
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>

/* Long inputs only repeat what shorter ones cover, slower. */
#define MAX_STEPS 2000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  engine_options o;
  engine_options_init(&o);
  o.verbose = getenv("GENHEAP_FUZZ_VERBOSE") != NULL; /* replays */
  engine *e = engine_new(&o);
  if (!e)
    abort();
  choice_src src;
  choice_from_bytes(&src, data, size);
  bool ok = true;
  for (unsigned step = 0; ok && !src.exhausted && step < MAX_STEPS; step++)
    ok = engine_step(e, &src);
  if (ok)
    ok = engine_finish(e);
  if (!ok) {
    fprintf(stderr, "fuzz_ops: genheap disagrees with the model: %s\n",
            engine_failure(e));
    abort();
  }
  engine_free(e);
  return 0;
}
