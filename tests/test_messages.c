/* test_messages.c -- copying terms between processes, mailbox order,
 * fragments (mbuf_size) merged by the receiver's next GC. */
#include "common.h"

/* {1, [2, 3], 4.5, <<"hi">>} */
static gh_term build_sample(gh_proc *p) {
  gh_term l, f, b, t;
  gh_term items[2] = {gh_small(2), gh_small(3)};
  OK(gh_list(p, 2, items, &l));
  OK(gh_push(p, l));
  OK(gh_float(p, 4.5, &f));
  OK(gh_push(p, f));
  OK(gh_binary(p, "hi", 2, &b));
  gh_term elems[4] = {gh_small(1), GH_NIL, GH_NIL, b};
  OK(gh_slot_get(p, gh_depth(p) - 2, &elems[1]));
  OK(gh_slot_get(p, gh_depth(p) - 1, &elems[2]));
  OK(gh_tuple(p, 4, elems, &t));
  OK(gh_pop(p, 2));
  return t;
}

static void message_is_copied_into_a_fragment_then_merged(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_term t = build_sample(p), m;
  OK(gh_push(p, t));
  OK(gh_send(p, gh_self(q), slot(p, 0)));
  assert_int_equal(1, gh_message_queue_len(q));
  OK(gh_receive(q, &m));
  OK(gh_push(q, m));
  assert_int_equal(0, gh_message_queue_len(q));
  assert_int_not_equal(slot(p, 0), slot(q, 0));
  size_t words = flat_size(q, slot(q, 0));
  assert_int_equal(5 + 4 + 2 + 3, words); /* tuple, two cons, float, heap bin */
  if (!stress(rt))
    assert_int_equal(words, info_of(q).mbuf_size);
  gh_term expect = build_sample(q); /* the original, built again on q */
  assert_true(terms_equal(q, slot(q, 0), expect));
  OK(gh_gc(q, GH_GC_MAJOR));
  assert_int_equal(0, info_of(q).mbuf_size);
  assert_int_equal(words, info_of(q).heap_size);
  expect = build_sample(q);
  assert_true(terms_equal(q, slot(q, 0), expect));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

static void messages_are_received_in_the_order_sent(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  for (int i = 0; i < 100; i++)
    OK(gh_send(p, gh_self(q), gh_small(i)));
  for (int i = 0; i < 100; i++) {
    gh_term m;
    OK(gh_receive(q, &m));
    assert_int_equal(i, gh_small_value(m));
  }
  gh_term m;
  assert_int_equal(GH_ERR_EMPTY, gh_receive(q, &m));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

static void sharing_inside_a_message_is_not_preserved(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 100);
  gh_term both[2] = {slot(p, 0), slot(p, 0)}, t, m;
  OK(gh_tuple(p, 2, both, &t));
  OK(gh_send(p, gh_self(q), t));
  OK(gh_receive(q, &m));
  assert_int_equal(3 + 2 * 200, flat_size(q, m)); /* as BEAM's copy */
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

static void many_received_messages_survive_collections(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  OK(gh_push(q, GH_NIL)); /* q accumulates every message in a list */
  for (int i = 0; i < 500; i++) {
    gh_term pair[2] = {gh_small(i), gh_small(-i)}, t, m, c;
    OK(gh_tuple(p, 2, pair, &t));
    OK(gh_send(p, gh_self(q), t));
    OK(gh_receive(q, &m));
    OK(gh_cons(q, m, slot(q, 0), &c));
    OK(gh_slot_set(q, 0, c));
  }
  gh_term l = slot(q, 0);
  for (int i = 499; i >= 0; i--, l = gh_cdr(l)) {
    assert_int_equal(i, gh_small_value(gh_tuple_element(gh_car(l), 0)));
    assert_int_equal(-i, gh_small_value(gh_tuple_element(gh_car(l), 1)));
  }
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

static void send_to_an_exited_process_fails_cleanly(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_pid qpid = gh_self(q);
  OK(gh_exit(q));
  gh_term b;
  OK(gh_binary(p, NULL, 1000, &b));
  assert_int_equal(GH_ERR_NOPROC, gh_send(p, qpid, b));
  OK(gh_exit(p));
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  assert_int_equal(0, s.binaries_alive); /* the discarded copy let go */
  gh_runtime_free(rt);
}

static void unread_messages_are_released_at_exit(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_term b;
  OK(gh_binary(p, NULL, 1000, &b));
  OK(gh_send(p, gh_self(q), b));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  assert_int_equal(0, s.binaries_alive);
  assert_int_equal(0, s.heap_words);
  gh_runtime_free(rt);
}

/* gh_receive is a [GC] call: when the received fragment does not fit the
 * free space it collects at once, so a term held in a C variable across it
 * is stale (here: its tuple moved), and the message it returns is valid. */
static void receive_collects_and_moves_the_receivers_terms(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_term held, m;
  OK(gh_tuple(q, 2, NULL, &held));
  OK(gh_push(q, held));
  held = slot(q, 0); /* the C copy: stale once q collects */
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 300); /* 600 words: more than q's free space */
  OK(gh_send(p, gh_self(q), slot(p, 0)));
  gh_gc_info before = info_of(q);
  OK(gh_receive(q, &m));
  gh_gc_info after = info_of(q);
  assert_true(after.minor_gcs + after.full_sweeps > before.minor_gcs + before.full_sweeps);
  assert_int_not_equal(held, slot(q, 0)); /* the tuple moved */
  assert_int_equal(600, flat_size(q, m)); /* the message is read after the GC */
  OK(gh_push(q, m));
  assert_list(q, 1, 1, 300);
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

static int kills_seen;
static void count_kill(void *ctx, gh_proc *p, gh_pid pid, size_t total, size_t limit) {
  kills_seen++;
}

/* ... and like any collection it can find the process over max_heap_size:
 * gh_receive then returns GH_ERR_KILLED. */
static void receive_can_kill_the_receiver(void **state) {
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  o.verify = true;
  o.on_kill = count_kill;
  gh_runtime *rt;
  OK(gh_runtime_new(&o, &rt));
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.max_heap_size = 1000;
  gh_proc *p = spawn_default(rt), *q;
  OK(gh_spawn(rt, &so, &q));
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 1000); /* 2,000 words */
  OK(gh_send(p, gh_self(q), slot(p, 0)));
  kills_seen = 0;
  gh_term m;
  assert_int_equal(GH_ERR_KILLED, gh_receive(q, &m));
  assert_int_equal(1, kills_seen);
  assert_false(gh_is_alive(q));
  assert_int_equal(GH_ERR_DEAD, gh_receive(q, &m)); /* later calls: dead */
  OK(gh_exit(q));
  OK(gh_exit(p));
  gh_runtime_stats st;
  gh_runtime_stats_get(rt, &st);
  assert_int_equal(0, st.heap_words); /* the fragment went with q */
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(message_is_copied_into_a_fragment_then_merged),
      cmocka_unit_test(messages_are_received_in_the_order_sent),
      cmocka_unit_test(sharing_inside_a_message_is_not_preserved),
      cmocka_unit_test(many_received_messages_survive_collections),
      cmocka_unit_test(send_to_an_exited_process_fails_cleanly),
      cmocka_unit_test(unread_messages_are_released_at_exit),
      cmocka_unit_test(receive_collects_and_moves_the_receivers_terms),
      cmocka_unit_test(receive_can_kill_the_receiver),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
