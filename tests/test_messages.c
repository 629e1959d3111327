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

/* ---- Where message memory comes from ------------------------------------- */

/* Small messages are carved from the sender's send buffer: the allocator
 * is called once per buffer, not once per message, and every byte goes
 * back to it when the processes are gone. */
static void small_messages_cost_no_allocation_each(void **state) {
  counting_alloc c = {0};
  gh_allocator a = counting_allocator(&c);
  gh_runtime *rt = new_runtime_on(&a);
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  enum { N = 2000 };
  gh_term t, elems[3] = {gh_small(1), gh_small(2), GH_NIL};
  OK(gh_tuple(p, 3, elems, &t)); /* 4 words: a fragment of 96 bytes */
  OK(gh_push(p, t));
  long before = c.calls;
  for (int i = 0; i < N; i++)
    OK(gh_send(p, gh_self(q), slot(p, 0))); /* sends never collect */
  long sends = c.calls - before;
  assert_true(sends * 20 < N);
  for (int i = 0; i < N; i++) {
    gh_term m;
    OK(gh_receive(q, &m));
    assert_int_equal(2, gh_small_value(gh_tuple_element(m, 1)));
  }
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
  assert_int_equal(0, c.live_bytes);
}

/* A sender's buffer outlives the sender while its messages wait: the
 * receiver reads them intact after the sender has exited (the poisoning
 * allocator would show freed memory), and the buffer goes back once they
 * are collected. */
static void messages_outlive_their_sender(void **state) {
  gh_runtime *rt = new_poisoning_runtime(false);
  gh_runtime_stats base;
  gh_runtime_stats_get(rt, &base);
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  for (int i = 0; i < 50; i++) {
    build_list_in_slot(p, 0, i, 10);
    OK(gh_send(p, gh_self(q), slot(p, 0)));
  }
  OK(gh_exit(p));
  OK(gh_push(q, GH_NIL));
  for (int i = 0; i < 50; i++) {
    gh_term m;
    OK(gh_receive(q, &m));
    OK(gh_slot_set(q, 0, m));
    assert_list(q, 0, i, 10);
  }
  OK(gh_gc(q, GH_GC_MAJOR)); /* the fragments are merged: the buffer is free */
  OK(gh_exit(q));
  gh_runtime_stats st;
  gh_runtime_stats_get(rt, &st);
  assert_int_equal(base.bytes_allocated, st.bytes_allocated);
  gh_runtime_free(rt);
}

/* The memory a steady stream of messages holds does not grow with the
 * number sent: buffers go back to the allocator as receivers collect. */
static void message_memory_stays_bounded(void **state) {
  gh_runtime *rt = new_runtime();
  gh_runtime_stats base;
  gh_runtime_stats_get(rt, &base);
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  uint64_t peak = 0;
  for (int i = 0; i < 20000; i++) {
    build_list_in_slot(p, 0, i, 8);
    OK(gh_send(p, gh_self(q), slot(p, 0)));
    gh_term m;
    OK(gh_receive(q, &m));
    assert_int_equal(i, gh_small_value(gh_car(m)));
    gh_runtime_stats st;
    gh_runtime_stats_get(rt, &st);
    if (st.bytes_allocated - base.bytes_allocated > peak)
      peak = st.bytes_allocated - base.bytes_allocated;
  }
  /* Two processes' heaps and a few send buffers, never 20,000 messages
   * (about 3 MB of fragments). */
  assert_true(peak < 200 * 1024);
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

/* Hibernation lets go of the send buffer too: the process keeps nothing
 * it does not need while it sleeps. */
static void hibernation_lets_go_of_the_send_buffer(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  OK(gh_send(p, gh_self(q), gh_small(1)));
  gh_term m;
  OK(gh_receive(q, &m));
  OK(gh_gc(q, GH_GC_MAJOR)); /* the fragment is merged and freed */
  gh_runtime_stats before, after;
  gh_runtime_stats_get(rt, &before);
  OK(gh_hibernate(p));
  gh_runtime_stats_get(rt, &after);
  assert_true(after.bytes_allocated + 4096 <= before.bytes_allocated);
  OK(gh_send(p, gh_self(q), gh_small(2))); /* and takes a new one */
  OK(gh_receive(q, &m));
  assert_int_equal(2, gh_small_value(m));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

/* Messages of every size from 0 to 700 words, back to back, so that send
 * buffers end at every offset and the largest ones get fragments of their
 * own: each arrives intact (ASan would see a fragment past its buffer). */
static void messages_of_every_size_arrive_intact(void **state) {
  gh_runtime *rt = new_poisoning_runtime(false);
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  OK(gh_push(q, GH_NIL));
  for (int round = 0; round < 3; round++) {
    for (size_t n = 0; n <= 350; n++) { /* a list of n cells: 2n words */
      build_list_in_slot(p, 0, (int64_t)n, n);
      OK(gh_send(p, gh_self(q), slot(p, 0)));
      if (n % 3 == 0) /* and immediates, which take a bare fragment */
        OK(gh_send(p, gh_self(q), gh_small((int64_t)n)));
    }
    for (size_t n = 0; n <= 350; n++) {
      gh_term m;
      OK(gh_receive(q, &m));
      OK(gh_slot_set(q, 0, m));
      assert_list(q, 0, (int64_t)n, n);
      if (n % 3 == 0) {
        OK(gh_receive(q, &m));
        assert_int_equal((int64_t)n, gh_small_value(m));
      }
    }
  }
  for (int i = 0; i < 1000; i++) /* bare fragments fill buffers exactly */
    OK(gh_send(p, gh_self(q), gh_small(i)));
  for (int i = 0; i < 1000; i++) {
    gh_term m;
    OK(gh_receive(q, &m));
    assert_int_equal(i, gh_small_value(m));
  }
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

/* message_queue_len counts what is queued and not yet received, from any
 * thread's point of view, and a dead process's queue is empty. */
static void queue_length_counts_what_waits(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  for (int i = 0; i < 10; i++)
    OK(gh_send(p, gh_self(q), gh_small(i)));
  assert_int_equal(10, gh_message_queue_len(q));
  assert_int_equal(10, info_of(q).message_queue_len);
  gh_term m;
  for (int i = 0; i < 4; i++)
    OK(gh_receive(q, &m));
  assert_int_equal(6, gh_message_queue_len(q));
  OK(gh_send(p, gh_self(q), gh_small(10))); /* behind the 6 already taken */
  assert_int_equal(7, info_of(q).message_queue_len);
  for (int i = 4; i <= 10; i++) {
    OK(gh_receive(q, &m));
    assert_int_equal(i, gh_small_value(m));
  }
  assert_int_equal(0, gh_message_queue_len(q));
  OK(gh_exit(p));
  OK(gh_exit(q));
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
      cmocka_unit_test(small_messages_cost_no_allocation_each),
      cmocka_unit_test(messages_outlive_their_sender),
      cmocka_unit_test(message_memory_stays_bounded),
      cmocka_unit_test(hibernation_lets_go_of_the_send_buffer),
      cmocka_unit_test(messages_of_every_size_arrive_intact),
      cmocka_unit_test(queue_length_counts_what_waits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
