/* print_seed.c -- genheap's side of beam-seed.sh: the seed scenario built
 * cell by cell, printed in seed_build.erl's format. */
#include <stdio.h>

#include "genheap.h"

static int run(void) {
  gh_runtime *rt;
  gh_proc *p;
  gh_gc_info i;
  if (gh_runtime_new(NULL, &rt) != GH_OK || gh_spawn(rt, NULL, &p) != GH_OK ||
      gh_push(p, GH_NIL) != GH_OK)
    return 1;
  for (int r = 0; r < 20; r++) {
    if (gh_slot_set(p, 0, GH_NIL) != GH_OK)
      return 1;
    for (int n = 20000; n > 0; n--) {
      gh_term l, c;
      if (gh_slot_get(p, 0, &l) != GH_OK || gh_cons(p, gh_small(n), l, &c) != GH_OK ||
          gh_slot_set(p, 0, c) != GH_OK)
        return 1;
    }
  }
  gh_pop(p, 1);
  gh_proc_info(p, &i);
  printf("idle heap_block_size %zu old_heap_block_size %zu\n", i.heap_block_size,
         i.old_heap_block_size);
  gh_hibernate(p);
  gh_proc_info(p, &i);
  printf("hibernated old_heap_block_size %zu\n", i.old_heap_block_size);
  gh_runtime_free(rt);
  return 0;
}

int main(void) { return run(); }
