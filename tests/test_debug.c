/* test_debug.c -- a debug build (./configure --enable-debug) checks the
 * library's internal invariants: a broken one stops the program at once,
 * naming the file, the line and the condition.  Other builds skip this
 * test (GH_ASSERT compiles to nothing there).
 *
 * Each case breaks an invariant in a child process, by writing to the heap
 * as memory corruption would, and expects the child to die of SIGABRT after
 * printing "genheap: FILE:LINE: assertion failed: CONDITION" (FILE as the
 * compiler names it, maybe with a path). */
#include "config.h"

#include "common.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef GH_DEBUG
/* Runs fn in a child with stderr captured; returns the child's wait status
 * and its stderr (NUL-terminated, truncated to size). */
static int run_child(void (*fn)(void), char *err, size_t size) {
  int fds[2];
  assert_int_equal(0, pipe(fds));
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 2);
    fn();
    _exit(0); /* the invariant held, or nothing checked it */
  }
  close(fds[1]);
  size_t len = 0;
  ssize_t n;
  while (len + 1 < size && (n = read(fds[0], err + len, size - 1 - len)) > 0)
    len += (size_t)n;
  err[len] = '\0';
  close(fds[0]);
  int status;
  assert_int_equal(pid, waitpid(pid, &status, 0));
  return status;
}
#endif

static void expect_assertion(void (*fn)(void), const char *file, const char *cond) {
#ifdef GH_DEBUG
  char err[1024];
  int status = run_child(fn, err, sizeof err);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
    fail_msg("expected an abort, the child %s %d; stderr: %s",
             WIFSIGNALED(status) ? "died of signal" : "exited with",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), err);
  char where[64]; /* __FILE__ may carry a path: "genheap: ../src/gc.c:90: " */
  snprintf(where, sizeof where, "%s:", file);
  const char *at = strstr(err, where);
  if (strncmp(err, "genheap: ", 9) != 0 || !at ||
      !(at[strlen(where)] >= '1' && at[strlen(where)] <= '9') ||
      !strstr(err, "assertion failed: ") || !strstr(err, cond))
    fail_msg("stderr does not name %s and '%s': %s", file, cond, err);
#else
  (void)fn, (void)file, (void)cond;
#endif
}

/* A process whose runtime does not verify: the assertion, not gh_verify,
 * must be what stops it. */
static gh_proc *unverified_process(void) {
  gh_runtime *rt;
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  if (gh_runtime_new(&o, &rt) != GH_OK)
    _exit(2);
  gh_proc *p;
  if (gh_spawn(rt, NULL, &p) != GH_OK)
    _exit(2);
  return p;
}

/* A tuple's header overwritten: the collector finds a boxed pointer that
 * does not point at a header. */
static void collect_a_tuple_whose_header_was_overwritten(void) {
  gh_proc *p = unverified_process();
  gh_term t;
  if (gh_tuple(p, 2, NULL, &t) != GH_OK || gh_push(p, t) != GH_OK ||
      gh_slot_get(p, 0, &t) != GH_OK) /* gh_push may have moved it */
    _exit(2);
  ((gh_term *)(uintptr_t)(t & ~(gh_term)3))[0] = gh_small(1);
  gh_gc(p, GH_GC_MAJOR);
}

static void a_boxed_pointer_not_at_a_header_aborts_the_collection(void **state) {
  expect_assertion(collect_a_tuple_whose_header_was_overwritten, "gc.c",
                   "is_header(h)");
}

/* The young block's pointers out of order (htop above stop). */
static void collect_with_htop_above_stop(void) {
  gh_proc *p = unverified_process();
  gh_proc_fast *f = (gh_proc_fast *)p;
  f->htop = f->stop + 1;
  gh_gc(p, GH_GC_MINOR);
}

static void young_block_pointers_out_of_order_abort_the_next_collection(void **state) {
  expect_assertion(collect_with_htop_above_stop, "gc.c", "young_block_ordered(p)");
}

int main(void) {
#ifndef GH_DEBUG
  printf("not a debug build (./configure --enable-debug): no assertion to test\n");
  return 77; /* SKIP */
#endif
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_boxed_pointer_not_at_a_header_aborts_the_collection),
      cmocka_unit_test(young_block_pointers_out_of_order_abort_the_next_collection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
