/* convert.c -- decodes genheap events from babeltrace2 messages.
 *
 * Looking fields up by name for every event would cost more than decoding
 * the trace, so the first event of each event class builds a plan (which
 * event type, which member index holds which field) and every later event
 * of that class reads the members by index.  The plan holds a reference to
 * its event class so the pointer it is keyed by cannot be reused.
 */
#include "convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_PID, F_NAME, F_RECLAIMED, F_NEED, F_REASON, F_WORDS, F_BIN_BYTES,
       F_HIB_AFTER, F_FULLSWEEP_AFTER, F_SCHEMA, F_TRIGGER, F_WAITING_MS,
       F_QUIET_MS, F_ROOTS_UNCHANGED, F_COUNT };
static const char *const field_names[F_COUNT] = {
    "pid", "name", "reclaimed", "need", "reason", "words", "bin_bytes",
    "hibernate_after_ms", "fullsweep_after", "schema", "trigger", "waiting_ms",
    "quiet_ms", "roots_unchanged"};

static const char *const event_names[GHA_EV_COUNT] = {
    [GHA_EV_SPAWN] = "genheap:proc_spawn",
    [GHA_EV_EXIT] = "genheap:proc_exit",
    [GHA_EV_MINOR_START] = "genheap:gc_minor_start",
    [GHA_EV_MINOR_END] = "genheap:gc_minor_end",
    [GHA_EV_MAJOR_START] = "genheap:gc_major_start",
    [GHA_EV_MAJOR_END] = "genheap:gc_major_end",
    [GHA_EV_PROMOTION] = "genheap:promotion",
    [GHA_EV_HIBERNATE] = "genheap:hibernate",
    [GHA_EV_MAX_HEAP_KILL] = "genheap:max_heap_kill",
    [GHA_EV_BINARY_ALLOC] = "genheap:binary_alloc",
    [GHA_EV_BINARY_FREE] = "genheap:binary_free",
    [GHA_EV_CENSUS] = "genheap:census",
    [GHA_EV_PROC_INFO] = "genheap:proc_info"};

/* A member to read: its index (-1 absent) and how (asking each field its
 * class type would cost as much as the rest of the decoding). */
struct member {
  int64_t index;
  enum { M_UNSIGNED, M_SIGNED, M_OTHER } kind;
};

struct gha_ec_entry {
  const bt_event_class *ec;   /* NULL: empty slot; a reference is held */
  int type;                   /* enum gha_event_type, -1 not genheap */
  struct member field[F_COUNT];
  struct member info[GHA_GCINFO_FIELDS];
  bool has_info;
  struct member census[GHA_CENSUS_FIELDS];
  bool has_census;
  struct member vpid;         /* in the common context */
  bool has_clock;
};

struct gha_trace_entry {
  const bt_trace *trace;      /* a reference is held */
  uint32_t host;
  uint8_t runtime;            /* enum gha_runtime */
};

void gha_bt2_init(struct gha_bt2 *cv, struct gha_analyzer *an) {
  memset(cv, 0, sizeof *cv);
  cv->an = an;
}

void gha_bt2_fini(struct gha_bt2 *cv) {
  for (size_t i = 0; i < cv->ecs_cap; i++)
    if (cv->ecs[i].ec)
      bt_event_class_put_ref(cv->ecs[i].ec);
  for (size_t i = 0; i < cv->ntraces; i++)
    bt_trace_put_ref(cv->traces[i].trace);
  free(cv->ecs);
  free(cv->traces);
  cv->ecs = NULL;
  cv->traces = NULL;
}

static struct member member_of(const bt_field_class *st, const char *name) {
  struct member none = {-1, M_OTHER};
  if (!st || bt_field_class_get_type(st) != BT_FIELD_CLASS_TYPE_STRUCTURE)
    return none;
  uint64_t n = bt_field_class_structure_get_member_count(st);
  for (uint64_t i = 0; i < n; i++) {
    const bt_field_class_structure_member *m =
        bt_field_class_structure_borrow_member_by_index_const(st, i);
    if (strcmp(bt_field_class_structure_member_get_name(m), name) != 0)
      continue;
    bt_field_class_type t = bt_field_class_get_type(
        bt_field_class_structure_member_borrow_field_class_const(m));
    struct member found = {(int64_t)i, M_OTHER};
    if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER))
      found.kind = M_SIGNED;
    else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER))
      found.kind = M_UNSIGNED;
    return found;
  }
  return none;
}

static void plan_event_class(struct gha_ec_entry *e, const bt_event_class *ec) {
  const char *name = bt_event_class_get_name(ec);
  e->type = -1;
  for (int t = 0; name && t < GHA_EV_COUNT; t++)
    if (strcmp(name, event_names[t]) == 0)
      e->type = t;
  if (e->type < 0)
    return;
  const bt_field_class *payload = bt_event_class_borrow_payload_field_class_const(ec);
  for (int f = 0; f < F_COUNT; f++)
    e->field[f] = member_of(payload, field_names[f]);
  e->has_info = true;
  for (int i = 0; i < GHA_GCINFO_FIELDS; i++) {
    e->info[i] = member_of(payload, gha_gcinfo_names[i]);
    if (e->info[i].kind == M_OTHER)
      e->has_info = false;
  }
  e->has_census = e->type == GHA_EV_CENSUS;
  for (int i = 0; i < GHA_CENSUS_FIELDS; i++) {
    e->census[i] = member_of(payload, gha_census_names[i]);
    if (e->census[i].kind == M_OTHER)
      e->has_census = false;
  }
  const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);
  e->vpid = member_of(
      bt_stream_class_borrow_event_common_context_field_class_const(sc), "vpid");
  e->has_clock = bt_stream_class_borrow_default_clock_class_const(sc) != NULL;
}

static bool ecs_grow(struct gha_bt2 *cv) {
  size_t cap = cv->ecs_cap ? cv->ecs_cap * 2 : 64;
  struct gha_ec_entry *fresh = calloc(cap, sizeof *fresh);
  if (!fresh)
    return false;
  for (size_t i = 0; i < cv->ecs_cap; i++) {
    if (!cv->ecs[i].ec)
      continue;
    size_t j = ((uintptr_t)cv->ecs[i].ec >> 4) & (cap - 1);
    while (fresh[j].ec)
      j = (j + 1) & (cap - 1);
    fresh[j] = cv->ecs[i];
  }
  free(cv->ecs);
  cv->ecs = fresh;
  cv->ecs_cap = cap;
  return true;
}

static struct gha_ec_entry *plan_for(struct gha_bt2 *cv, const bt_event_class *ec) {
  if ((cv->ecs_len + 1) * 2 > cv->ecs_cap && !ecs_grow(cv))
    return NULL;
  size_t mask = cv->ecs_cap - 1;
  size_t j = ((uintptr_t)ec >> 4) & mask;
  while (cv->ecs[j].ec && cv->ecs[j].ec != ec)
    j = (j + 1) & mask;
  struct gha_ec_entry *e = &cv->ecs[j];
  if (!e->ec) {
    bt_event_class_get_ref(ec);
    e->ec = ec;
    cv->ecs_len++;
    plan_event_class(e, ec);
  }
  return e;
}

static const char *env_string(const bt_trace *trace, const char *key) {
  const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(trace, key);
  return v && bt_value_is_string(v) ? bt_value_string_get(v) : "";
}

/* The runtime the trace came from (genheap-beam writes "BEAM" and where
 * from), noted once per trace for the reports. */
static uint8_t runtime_of(struct gha_bt2 *cv, const bt_trace *trace) {
  if (strcmp(env_string(trace, "genheap_runtime"), "BEAM") != 0)
    return GHA_RUNTIME_GENHEAP;
  char origin[256];
  snprintf(origin, sizeof origin, "BEAM, OTP %s (erts %s), node %s, host %s",
           env_string(trace, "otp_release"), env_string(trace, "erts_version"),
           env_string(trace, "node"), env_string(trace, "hostname"));
  gha_note_origin(cv->an, GHA_RUNTIME_BEAM, origin);
  return GHA_RUNTIME_BEAM;
}

/* The host id and trace index of a trace, cached by trace pointer. */
static int host_for(struct gha_bt2 *cv, const bt_trace *trace, uint32_t *host,
                    uint32_t *index, uint8_t *runtime) {
  for (size_t i = 0; i < cv->ntraces; i++)
    if (cv->traces[i].trace == trace) {
      *host = cv->traces[i].host;
      *index = (uint32_t)i;
      if (runtime)
        *runtime = cv->traces[i].runtime;
      return 0;
    }
  *index = (uint32_t)cv->ntraces;
  struct gha_trace_entry *grown =
      realloc(cv->traces, (cv->ntraces + 1) * sizeof *grown);
  if (!grown)
    return -1;
  cv->traces = grown;
  const bt_value *v =
      bt_trace_borrow_environment_entry_value_by_name_const(trace, "hostname");
  const char *name = v && bt_value_is_string(v) ? bt_value_string_get(v) : "";
  bt_trace_get_ref(trace);
  cv->traces[cv->ntraces].trace = trace;
  cv->traces[cv->ntraces].host = *host = gha_host_id(cv->an, name);
  cv->traces[cv->ntraces].runtime = runtime_of(cv, trace);
  if (runtime)
    *runtime = cv->traces[cv->ntraces].runtime;
  cv->ntraces++;
  return 0;
}

static uint64_t member_u64(const bt_field *st, struct member m) {
  if (m.kind == M_OTHER)
    return 0;
  const bt_field *f =
      bt_field_structure_borrow_member_field_by_index_const(st, (uint64_t)m.index);
  return m.kind == M_UNSIGNED ? bt_field_integer_unsigned_get_value(f)
                              : (uint64_t)bt_field_integer_signed_get_value(f);
}

static void read_payload(const struct gha_ec_entry *e, const bt_field *payload,
                         struct gha_event *ev) {
  ev->pid = member_u64(payload, e->field[F_PID]);
  ev->reclaimed = member_u64(payload, e->field[F_RECLAIMED]);
  ev->need = member_u64(payload, e->field[F_NEED]);
  ev->reason = member_u64(payload, e->field[F_REASON]);
  ev->words = member_u64(payload, e->field[F_WORDS]);
  ev->bin_bytes = member_u64(payload, e->field[F_BIN_BYTES]);
  ev->hibernate_after_ms = member_u64(payload, e->field[F_HIB_AFTER]);
  ev->fullsweep_after = member_u64(payload, e->field[F_FULLSWEEP_AFTER]);
  ev->schema = member_u64(payload, e->field[F_SCHEMA]);
  ev->trigger = member_u64(payload, e->field[F_TRIGGER]);
  ev->waiting_ms = member_u64(payload, e->field[F_WAITING_MS]);
  ev->quiet_ms = member_u64(payload, e->field[F_QUIET_MS]);
  ev->roots_unchanged = member_u64(payload, e->field[F_ROOTS_UNCHANGED]) != 0;
  ev->name = NULL;
  if (e->field[F_NAME].index >= 0) {
    const bt_field *nf = bt_field_structure_borrow_member_field_by_index_const(
        payload, (uint64_t)e->field[F_NAME].index);
    /* babeltrace2 2.0 hands back the previous event's bytes for an empty
     * string: its length is right, so an empty name stays empty. */
    if (bt_field_get_class_type(nf) == BT_FIELD_CLASS_TYPE_STRING)
      ev->name = bt_field_string_get_length(nf) ? bt_field_string_get_value(nf) : "";
  }
  ev->has_info = e->has_info;
  if (e->has_info) {
    uint64_t *slots = gha_gcinfo_slots(&ev->info);
    for (int i = 0; i < GHA_GCINFO_FIELDS; i++)
      slots[i] = member_u64(payload, e->info[i]);
  }
  if (e->has_census) {
    uint64_t *slots = gha_census_slots(&ev->census);
    for (int i = 0; i < GHA_CENSUS_FIELDS; i++)
      slots[i] = member_u64(payload, e->census[i]);
  }
}

static int fail(struct gha_bt2 *cv, const char *what, const char *event) {
  if (!cv->error[0])
    snprintf(cv->error, sizeof cv->error, "event %s %s", event, what);
  return -1;
}

static int handle_event(struct gha_bt2 *cv, const bt_message *msg) {
  const bt_event *event = bt_message_event_borrow_event_const(msg);
  const bt_event_class *ec = bt_event_borrow_class_const(event);
  struct gha_ec_entry *e = plan_for(cv, ec);
  if (!e)
    return fail(cv, "could not be decoded: out of memory", "");
  if (e->type < 0)
    return 0;
  const char *name = event_names[e->type];
  if (e->vpid.kind == M_OTHER)
    return fail(cv, "lacks the vpid context (record with "
                    "`lttng add-context -u -t vpid`)", name);
  if (e->field[F_PID].kind == M_OTHER && e->type != GHA_EV_BINARY_FREE)
    return fail(cv, "lacks the pid field (not a genheap trace)", name);
  if (!e->has_clock)
    return fail(cv, "has no timestamp (stream class without a clock)", name);
  if (e->type == GHA_EV_CENSUS && !e->has_census)
    return fail(cv, "lacks the census fields (not genheap trace schema 2)", name);
  struct gha_event ev;
  memset(&ev, 0, sizeof ev); /* an event class may lack the GC-info block */
  ev.type = (enum gha_event_type)e->type;
  int64_t ns = 0;
  bt_clock_snapshot_get_ns_from_origin(
      bt_message_event_borrow_default_clock_snapshot_const(msg), &ns);
  ev.ts_ns = (uint64_t)ns;
  const bt_stream *stream = bt_event_borrow_stream_const(event);
  if (host_for(cv, bt_stream_borrow_trace_const(stream), &ev.host, &ev.trace,
               &ev.runtime) < 0)
    return fail(cv, "could not be decoded: out of memory", name);
  ev.vpid = (int64_t)member_u64(bt_event_borrow_common_context_field_const(event),
                                e->vpid);
  read_payload(e, bt_event_borrow_payload_field_const(event), &ev);
  if (ev.type == GHA_EV_SPAWN && ev.schema &&
      (ev.schema < GHA_TRACE_SCHEMA_MIN || ev.schema > GHA_TRACE_SCHEMA_MAX)) {
    char why[160];
    snprintf(why, sizeof why,
             "is of genheap trace schema %llu; this analyzer reads schemas "
             "%d to %d",
             (unsigned long long)ev.schema, GHA_TRACE_SCHEMA_MIN,
             GHA_TRACE_SCHEMA_MAX);
    return fail(cv, why, name);
  }
  cv->genheap_events++;
  if (!gha_feed(cv->an, &ev))
    return fail(cv, "could not be recorded: out of memory", name);
  return 0;
}

/* A packet's beginning or end: the recording covered that time, events or
 * not (LTTng closes every packet when the session stops). */
static int handle_packet(struct gha_bt2 *cv, const bt_message *msg, bool end) {
  const bt_packet *packet = end ? bt_message_packet_end_borrow_packet_const(msg)
                                : bt_message_packet_beginning_borrow_packet_const(msg);
  const bt_stream *stream = bt_packet_borrow_stream_const(packet);
  const bt_stream_class *sc = bt_stream_borrow_class_const(stream);
  if (end ? !bt_stream_class_packets_have_end_default_clock_snapshot(sc)
          : !bt_stream_class_packets_have_beginning_default_clock_snapshot(sc))
    return 0;
  const bt_clock_snapshot *cs =
      end ? bt_message_packet_end_borrow_default_clock_snapshot_const(msg)
          : bt_message_packet_beginning_borrow_default_clock_snapshot_const(msg);
  int64_t ns = 0;
  if (bt_clock_snapshot_get_ns_from_origin(cs, &ns) !=
          BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK ||
      ns < 0)
    return 0;
  uint32_t host, trace;
  if (host_for(cv, bt_stream_borrow_trace_const(stream), &host, &trace, NULL) < 0)
    return fail(cv, "could not be decoded: out of memory", "packet");
  gha_note_time(cv->an, trace, (uint64_t)ns);
  return 0;
}

int gha_bt2_handle(struct gha_bt2 *cv, const bt_message *msg) {
  switch (bt_message_get_type(msg)) {
  case BT_MESSAGE_TYPE_EVENT:
    return handle_event(cv, msg);
  case BT_MESSAGE_TYPE_PACKET_BEGINNING:
    return handle_packet(cv, msg, false);
  case BT_MESSAGE_TYPE_PACKET_END:
    return handle_packet(cv, msg, true);
  case BT_MESSAGE_TYPE_DISCARDED_EVENTS: {
    uint64_t count = 0;
    if (bt_message_discarded_events_get_count(msg, &count) !=
        BT_PROPERTY_AVAILABILITY_AVAILABLE)
      count = 1; /* some were lost, the tracer did not say how many */
    gha_note_discarded(cv->an, count);
    return 0;
  }
  default:
    return 0;
  }
}
