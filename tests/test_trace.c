/* test_trace.c -- what the trace events say, checked without LTTng.
 *
 * This program is linked with its own build of the library's sources,
 * compiled with GH_TRACE_HOOK (liballoc/src/trace.h): every tracepoint then
 * calls the gh_test_trace_* function of the same name defined here, which
 * records the event.  The tracer's integration tests (tracer/tests) check
 * the real LTTng events; these check the choices behind them, here the
 * `reason` of each full sweep (gh_sweep_reason, docs/trace-events.md). */
#include "trace.h"

#include "common.h"

typedef struct event {
  const char *name;
  uint64_t pid;
  int reason; /* gc_major_*: the sweep reason; else -1 */
  uint64_t id; /* binary_* and resource_*: the object */
  const char *type; /* resource_*: the type's name */
} event;

static event events[16384];
static size_t nevents;

static void record_object(const char *name, uint64_t pid, uint64_t id, const char *type) {
  if (nevents < sizeof events / sizeof events[0])
    events[nevents] = (event){name, pid, -1, id, type};
  nevents++;
}

static void record(const char *name, uint64_t pid, int reason) {
  if (nevents < sizeof events / sizeof events[0])
    events[nevents] = (event){name, pid, reason, 0, NULL};
  nevents++;
}

void gh_test_trace_proc_spawn(uint64_t pid, const char *name, uint64_t min_heap_size,
                              uint64_t min_bin_vheap_size, uint64_t fullsweep_after,
                              uint64_t max_heap_size, uint64_t hibernate_after_ms) {
  record("proc_spawn", pid, -1);
}
void gh_test_trace_proc_exit(uint64_t pid, const char *name, int reason,
                             const gh_gc_info *info) {
  record("proc_exit", pid, -1);
}
void gh_test_trace_gc_minor_start(uint64_t pid, const char *name, uint64_t need,
                                  const gh_gc_info *info) {
  record("gc_minor_start", pid, -1);
}
void gh_test_trace_gc_minor_end(uint64_t pid, const char *name, uint64_t reclaimed,
                                const gh_gc_info *info) {
  record("gc_minor_end", pid, -1);
}
void gh_test_trace_gc_major_start(uint64_t pid, const char *name, uint64_t need,
                                  int reason, uint64_t waiting_ms, uint64_t quiet_ms,
                                  int roots_unchanged, const gh_gc_info *info) {
  record("gc_major_start", pid, reason);
}
void gh_test_trace_gc_major_end(uint64_t pid, const char *name, uint64_t reclaimed,
                                int reason, const gh_gc_info *info) {
  record("gc_major_end", pid, reason);
}
void gh_test_trace_promotion(uint64_t pid, uint64_t words, uint64_t bin_bytes) {
  record("promotion", pid, -1);
}
void gh_test_trace_hibernate(uint64_t pid, const char *name, uint64_t heap_block_before,
                             uint64_t old_block_before, uint64_t mbuf_before,
                             const gh_gc_info *info) {
  record("hibernate", pid, -1);
}
void gh_test_trace_max_heap_kill(uint64_t pid, const char *name, uint64_t total,
                                 uint64_t limit, const gh_gc_info *info) {
  record("max_heap_kill", pid, -1);
}
void gh_test_trace_census(uint64_t pid, const char *name, int trigger,
                          uint64_t waiting_ms, uint64_t quiet_ms, int roots_unchanged,
                          const gh_census_info *census, const gh_gc_info *info) {
  record("census", pid, -1);
}
void gh_test_trace_binary_alloc(uint64_t bin, uint64_t size, uint64_t owner) {
  record_object("binary_alloc", owner, bin, NULL);
}
void gh_test_trace_binary_free(uint64_t bin, uint64_t size) {
  record_object("binary_free", 0, bin, NULL);
}
void gh_test_trace_resource_alloc(uint64_t res, const char *type, uint64_t size,
                                  uint64_t owner) {
  record_object("resource_alloc", owner, res, type);
}
void gh_test_trace_resource_free(uint64_t res, const char *type, uint64_t size) {
  record_object("resource_free", 0, res, type);
}

/* How many events called `name` since mark are about object id (0: any). */
static size_t count_events(size_t mark, const char *name, uint64_t id) {
  assert_true(nevents <= sizeof events / sizeof events[0]);
  size_t n = 0;
  for (size_t i = mark; i < nevents; i++)
    n += strcmp(events[i].name, name) == 0 && (!id || events[i].id == id);
  return n;
}

/* Forgets what was recorded; returns the mark the checks below start at. */
static size_t start_recording(void) {
  nevents = 0;
  return 0;
}

/* The reason of the last gc_major_start, or -1 if none since mark. */
static int last_sweep_reason(size_t mark) {
  assert_true(nevents <= sizeof events / sizeof events[0]);
  for (size_t i = nevents; i-- > mark;)
    if (strcmp(events[i].name, "gc_major_start") == 0)
      return events[i].reason;
  return -1;
}

/* Whether the sweep that started since mark also ended, with that reason. */
static bool sweep_ended(size_t mark, int reason) {
  assert_true(nevents <= sizeof events / sizeof events[0]);
  for (size_t i = mark; i < nevents; i++)
    if (strcmp(events[i].name, "gc_major_end") == 0 && events[i].reason == reason)
      return true;
  return false;
}

/* An allocator that fails every call while `failing` is set. */
typedef struct switchable {
  bool failing;
} switchable;

static void *switch_alloc(void *ctx, size_t bytes) {
  return ((switchable *)ctx)->failing ? NULL : malloc(bytes);
}
static void switch_free(void *ctx, void *ptr, size_t bytes) { free(ptr); }

static void explicit_major_gc_is_traced_explicit(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  size_t mark = start_recording();
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(GH_SWEEP_EXPLICIT, last_sweep_reason(mark));
  assert_true(sweep_ended(mark, GH_SWEEP_EXPLICIT));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void fullsweep_after_0_is_traced_fullsweep_after(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_with(rt, 0);
  size_t mark = start_recording();
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(GH_SWEEP_FULLSWEEP_AFTER, last_sweep_reason(mark));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* A fresh process has no old heap: its first minor GC becomes a full sweep
 * (gc_minor_start, gc_minor_end, then the major pair, as BEAM's t2.out). */
static void first_gc_of_a_fresh_process_is_traced_no_old_heap(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  size_t mark = start_recording();
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(GH_SWEEP_NO_OLD_HEAP, last_sweep_reason(mark));
  assert_true(sweep_ended(mark, GH_SWEEP_NO_OLD_HEAP));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* When the full sweep a minor GC turned into fails (here: no memory for
 * the new block), the process keeps GH_F_NEED_FULLSWEEP, and the next
 * collection is that sweep: it must be traced with the reason it had, not
 * as an explicit one. */
static void retried_sweep_keeps_the_reason_it_had_when_it_failed(void **state) {
  switchable sw = {false};
  gh_allocator a = {switch_alloc, NULL, switch_free, &sw};
  gh_runtime *rt = new_runtime_on(&a);
  gh_proc *p = spawn_default(rt);
  size_t mark = start_recording();
  sw.failing = true;
  assert_int_equal(GH_ERR_NOMEM, gh_gc(p, GH_GC_MINOR));
  assert_int_equal(GH_SWEEP_NO_OLD_HEAP, last_sweep_reason(mark));
  assert_false(sweep_ended(mark, GH_SWEEP_NO_OLD_HEAP));
  sw.failing = false;
  mark = start_recording();
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(GH_SWEEP_NO_OLD_HEAP, last_sweep_reason(mark));
  assert_true(sweep_ended(mark, GH_SWEEP_NO_OLD_HEAP));
  mark = start_recording(); /* done: the flag is gone, a later explicit GC says so */
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(GH_SWEEP_EXPLICIT, last_sweep_reason(mark));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* The same with a mature list too big for the old heap (old_heap_full), the
 * retry coming from an allocation rather than gh_gc. */
static void retried_old_heap_full_sweep_is_traced_old_heap_full(void **state) {
  switchable sw = {false};
  gh_allocator a = {switch_alloc, NULL, switch_free, &sw};
  gh_runtime *rt = new_runtime_on(&a);
  SKIP_UNDER_STRESS(rt); /* the GC sequence below is the normal one */
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 20);
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_gc(p, GH_GC_MINOR)); /* a small old heap, that list on it */
  build_list_in_slot(p, 1, 1, 100); /* 200 words: fits the young heap */
  gh_gc_info i = info_of(p);
  assert_int_equal(1, i.full_sweeps);
  assert_true(i.old_heap_block_size > 0);
  OK(gh_gc(p, GH_GC_MINOR)); /* the new list survives once: mature */
  i = info_of(p);
  assert_int_equal(1, i.full_sweeps);
  assert_true(i.recent_size > i.old_heap_block_size - i.old_heap_size);
  size_t mark = start_recording();
  sw.failing = true;
  assert_int_equal(GH_ERR_NOMEM, gh_gc(p, GH_GC_MINOR));
  assert_int_equal(GH_SWEEP_OLD_HEAP_FULL, last_sweep_reason(mark));
  sw.failing = false;
  mark = start_recording();
  churn(p, 2 * info_of(p).heap_block_size); /* allocations until one collects */
  assert_int_equal(GH_SWEEP_OLD_HEAP_FULL, last_sweep_reason(mark));
  assert_true(sweep_ended(mark, GH_SWEEP_OLD_HEAP_FULL));
  assert_list(p, 1, 1, 100);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static int destroyed;
static void count_destroy(void *ctx, void *obj) { destroyed++; }

/* resource_alloc once when made, resource_free once when the last holder
 * lets go: not at a send (a reference, not a copy), not at the sender's
 * exit while the receiver still holds it; no binary events for it. */
static void a_resource_is_traced_once_made_and_once_freed(void **state) {
  static const gh_resource_type type = {"socket", count_destroy, NULL};
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  size_t mark = start_recording();
  int obj;
  OK(gh_push_resource(p, &type, &obj, 100));
  assert_int_equal(1, count_events(mark, "resource_alloc", 0));
  uint64_t id = events[nevents - 1].id;
  assert_int_equal(gh_self(p), events[nevents - 1].pid);
  assert_string_equal("socket", events[nevents - 1].type);
  OK(gh_send(p, gh_self(q), slot(p, 0)));
  OK(gh_exit(p));
  assert_int_equal(0, count_events(mark, "resource_free", 0));
  OK(gh_exit(q)); /* the message was never read: its reference goes too */
  assert_int_equal(1, count_events(mark, "resource_free", id));
  assert_int_equal(1, count_events(mark, "resource_alloc", 0));
  assert_int_equal(0, count_events(mark, "binary_alloc", 0) +
                          count_events(mark, "binary_free", 0));
  assert_int_equal(1, destroyed);
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_resource_is_traced_once_made_and_once_freed),
      cmocka_unit_test(explicit_major_gc_is_traced_explicit),
      cmocka_unit_test(fullsweep_after_0_is_traced_fullsweep_after),
      cmocka_unit_test(first_gc_of_a_fresh_process_is_traced_no_old_heap),
      cmocka_unit_test(retried_sweep_keeps_the_reason_it_had_when_it_failed),
      cmocka_unit_test(retried_old_heap_full_sweep_is_traced_old_heap_full),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
