/* fork-workload.c -- a genheap program that forks, for the recorder's tests.
 *
 * The parent makes a genheap process "fork-parent" and collects it (so the
 * LTTng-UST tracer in it is recording, and has its vpid cached) before it
 * forks; the child then makes its own runtime and process "fork-child" and
 * collects it, and the parent collects once more after the child ended.
 * A recorder that traces forked children right gives the child's events
 * the child's pid as vpid.  It prints, for the test:
 *
 *   fork parent_os_pid=N child_os_pid=N
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "genheap.h"

/* Any failure is a bug in the library or this program: say where, exit 1. */
#define CHECK(call)                                                            \
  do {                                                                         \
    gh_status check_status_ = (call);                                          \
    if (check_status_ != GH_OK) {                                              \
      fprintf(stderr, "fork-workload: %s:%d: %s: %s\n", __FILE__, __LINE__,    \
              #call, gh_strerror(check_status_));                              \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* A runtime with one named process that has built some garbage and been
 * collected: proc_spawn, gc_minor_start and gc_minor_end at least. */
static gh_proc *busy_process(gh_runtime **rt, const char *name) {
  gh_runtime_options ropts;
  gh_runtime_options_init(&ropts);
  CHECK(gh_runtime_new(&ropts, rt));
  gh_spawn_options sopts;
  gh_spawn_options_init(&sopts);
  sopts.name = name;
  gh_proc *p = NULL;
  CHECK(gh_spawn(*rt, &sopts, &p));
  CHECK(gh_push(p, GH_NIL));
  for (int i = 0; i < 100; i++) {
    gh_term tail, cell;
    CHECK(gh_slot_get(p, 0, &tail));
    CHECK(gh_cons(p, gh_small(i), tail, &cell));
    CHECK(gh_slot_set(p, 0, cell));
  }
  CHECK(gh_gc(p, GH_GC_MINOR));
  return p;
}

static void finish(gh_runtime *rt, gh_proc *p) {
  CHECK(gh_gc(p, GH_GC_MINOR));
  CHECK(gh_exit(p));
  gh_runtime_free(rt);
}

int main(void) {
  gh_runtime *rt;
  gh_proc *parent = busy_process(&rt, "fork-parent");
  fflush(stdout);
  pid_t child = fork();
  if (child < 0) {
    perror("fork-workload: fork");
    return 1;
  }
  if (child == 0) {
    gh_runtime *child_rt;
    gh_proc *p = busy_process(&child_rt, "fork-child");
    finish(child_rt, p);
    _exit(0);
  }
  int status;
  if (waitpid(child, &status, 0) != child) {
    perror("fork-workload: waitpid");
    return 1;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "fork-workload: the child failed (status %#x)\n", status);
    return 1;
  }
  finish(rt, parent);
  printf("fork parent_os_pid=%ld child_os_pid=%ld\n", (long)getpid(),
         (long)child);
  return 0;
}
