/* sink.c -- the sink component: pulls messages from its one input port and
 * hands them to convert.c; in plugin mode it also owns the analyzer and
 * writes the reports when the trace ends. */
#include "sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

struct gha_sink {
  struct gha_bt2 *cv;        /* the CLI's, or own_cv */
  struct gha_bt2 own_cv;
  bool plugin_mode;          /* own analyzer, report at the end */
  bool json;
  char *junit, *html;
  struct gha_view view;      /* top, all */
  bt_message_iterator *iter;
  bt_self_component_port_input *port;
};

/* ---- parameters (plugin mode): the core's option table, validated ------- */

struct param_ctx {
  struct gha_sink *s;
  struct gha_options *o;
  char why[512];
};

/* top: a whole number from 1 to GHA_TOP_MAX, as genheap-analyze's --top. */
static void top_param(struct param_ctx *c, const bt_value *v) {
  uint64_t n = 0;
  if (bt_value_is_unsigned_integer(v))
    n = bt_value_integer_unsigned_get(v);
  else if (bt_value_is_signed_integer(v) && bt_value_integer_signed_get(v) > 0)
    n = (uint64_t)bt_value_integer_signed_get(v);
  if (n < 1 || n > GHA_TOP_MAX)
    snprintf(c->why, sizeof c->why, "top must be a whole number from 1 to %d",
             GHA_TOP_MAX);
  else
    c->s->view.top = (size_t)n;
}

static bool output_param(struct param_ctx *c, const char *key, const bt_value *v) {
  const char *str = bt_value_is_string(v) ? bt_value_string_get(v) : NULL;
  if (strcmp(key, "top") == 0) {
    top_param(c, v);
    return true;
  }
  if (strcmp(key, "all") == 0) {
    if (!bt_value_is_bool(v))
      snprintf(c->why, sizeof c->why, "all must be true or false");
    else
      c->s->view.all = bt_value_bool_get(v);
    return true;
  }
  if (strcmp(key, "format") == 0) {
    if (!str || (strcmp(str, "text") != 0 && strcmp(str, "json") != 0))
      snprintf(c->why, sizeof c->why, "format must be \"text\" or \"json\"");
    else
      c->s->json = strcmp(str, "json") == 0;
    return true;
  }
  char **slot = strcmp(key, "junit") == 0 ? &c->s->junit
                : strcmp(key, "html") == 0 ? &c->s->html
                                           : NULL;
  if (!slot)
    return false;
  if (!str || !str[0])
    snprintf(c->why, sizeof c->why, "%s must be a file path", key);
  else if (!(*slot = strdup(str)))
    snprintf(c->why, sizeof c->why, "out of memory");
  return true;
}

static bt_value_map_foreach_entry_const_func_status
one_param(const char *key, const bt_value *v, void *data) {
  struct param_ctx *c = data;
  if (output_param(c, key, v))
    return c->why[0] ? BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_INTERRUPT
                     : BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_OK;
  const struct gha_option_def *d = gha_option_find(key);
  if (!d)
    snprintf(c->why, sizeof c->why, "unknown parameter '%s' (%s)", key,
             GHA_SINK_HELP);
  else if (bt_value_is_string(v))
    gha_option_parse(c->o, d, bt_value_string_get(v), c->why, sizeof c->why);
  else if (bt_value_is_real(v))
    gha_option_set_number(c->o, d, bt_value_real_get(v), c->why, sizeof c->why);
  else if (bt_value_is_unsigned_integer(v))
    gha_option_set_number(c->o, d, (double)bt_value_integer_unsigned_get(v),
                          c->why, sizeof c->why);
  else if (bt_value_is_signed_integer(v))
    gha_option_set_number(c->o, d, (double)bt_value_integer_signed_get(v),
                          c->why, sizeof c->why);
  else
    snprintf(c->why, sizeof c->why, "%s must be a number or a string", key);
  return c->why[0] ? BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_INTERRUPT
                   : BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_OK;
}

/* Every parameter must be one this sink knows, with a valid value: a typo
 * or a bad value is an error, not a default silently used. */
static bool plugin_setup(bt_self_component_sink *self, struct gha_sink *s,
                         const bt_value *params) {
  struct gha_options o;
  gha_options_init(&o);
  struct param_ctx c = {s, &o, ""};
  if (params && bt_value_is_map(params))
    bt_value_map_foreach_entry_const(params, one_param, &c);
  bt_self_component *comp = bt_self_component_sink_as_self_component(self);
  if (c.why[0]) {
    BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(comp, "%s", c.why);
    return false;
  }
  struct gha_analyzer *an = gha_analyzer_new(&o);
  if (!an) {
    BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(comp, "out of memory");
    return false;
  }
  gha_bt2_init(&s->own_cv, an);
  s->cv = &s->own_cv;
  s->plugin_mode = true;
  return true;
}

static void sink_free(struct gha_sink *s) {
  if (s->plugin_mode) {
    struct gha_analyzer *an = s->own_cv.an;
    gha_bt2_fini(&s->own_cv);
    gha_analyzer_free(an);
  }
  free(s->junit);
  free(s->html);
  free(s);
}

bt_component_class_initialize_method_status gha_sink_initialize(
    bt_self_component_sink *self, bt_self_component_sink_configuration *config,
    const bt_value *params, void *init_data) {
  (void)config;
  struct gha_sink *s = calloc(1, sizeof *s);
  if (!s)
    return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
  if (init_data)
    s->cv = init_data;
  else if (!plugin_setup(self, s, params)) {
    sink_free(s);
    return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
  }
  if (bt_self_component_sink_add_input_port(self, "in", NULL, &s->port) !=
      BT_SELF_COMPONENT_ADD_PORT_STATUS_OK) {
    sink_free(s); /* the analyzer and the report paths too */
    return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
  }
  bt_self_component_set_data(bt_self_component_sink_as_self_component(self), s);
  return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

static struct gha_sink *sink_of(bt_self_component_sink *self) {
  return bt_self_component_get_data(
      bt_self_component_sink_as_self_component(self));
}

void gha_sink_finalize(bt_self_component_sink *self) {
  struct gha_sink *s = sink_of(self);
  if (!s)
    return;
  bt_message_iterator_put_ref(s->iter);
  sink_free(s);
}

bt_component_class_sink_graph_is_configured_method_status
gha_sink_graph_is_configured(bt_self_component_sink *self) {
  struct gha_sink *s = sink_of(self);
  if (bt_message_iterator_create_from_sink_component(self, s->port, &s->iter) !=
      BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_OK)
    return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
  return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

/* The writers' signature with the sink's view (JUnit has none). */
typedef int (*view_writer)(FILE *, const struct gha_analyzer *,
                           const struct gha_run_info *, const struct gha_view *);

static int junit_with_view(FILE *out, const struct gha_analyzer *an,
                           const struct gha_run_info *run, const struct gha_view *v) {
  (void)v;
  return gha_report_junit(out, an, run);
}

static int write_file(const char *path, const struct gha_analyzer *an,
                      view_writer writer, const struct gha_view *v) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  int rc = writer(f, an, NULL, v);
  return fclose(f) != 0 ? -1 : rc;
}

/* Plugin mode: the end of the trace is the end of the run. */
static int plugin_report(bt_self_component_sink *self, struct gha_sink *s) {
  struct gha_analyzer *an = s->cv->an;
  bt_self_component *comp = bt_self_component_sink_as_self_component(self);
  if (s->cv->genheap_events == 0) {
    BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
        comp, "no genheap events in the trace");
    return -1;
  }
  gha_finish(an);
  int rc = s->json ? gha_report_json(stdout, an, NULL)
                   : gha_report_text_view(stdout, an, NULL, &s->view);
  if (rc == 0 && s->junit)
    rc = write_file(s->junit, an, junit_with_view, &s->view);
  if (rc == 0 && s->html)
    rc = write_file(s->html, an, gha_report_html_view, &s->view);
  if (rc != 0) {
    BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
        comp, "cannot write the report");
    return rc;
  }
  /* Findings at or above fail-on make babeltrace2 exit with a failure, as
   * genheap-analyze exits 1: the only way a sink can say so is an error. */
  if (gha_exit_status(an) != 0) {
    fflush(stdout);
    BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
        comp, "genheap: findings at or above fail-on=%s (see the report)",
        gha_severity_name(gha_opts(an)->fail_on));
    return -1;
  }
  return 0;
}

static bt_component_class_sink_consume_method_status
consume_batch(bt_self_component_sink *self, struct gha_sink *s,
              bt_message_array_const msgs, uint64_t count) {
  int rc = 0;
  for (uint64_t i = 0; i < count; i++) {
    if (rc == 0)
      rc = gha_bt2_handle(s->cv, msgs[i]);
    bt_message_put_ref(msgs[i]);
  }
  if (rc == 0)
    return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
  BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
      bt_self_component_sink_as_self_component(self), "%s", s->cv->error);
  return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
}

/* babeltrace2 2.0's CTF source can append an error cause for a corrupt
 * stream and still report success upstream (found by tests/fuzz); the next
 * bt_graph_run_once would then abort on its "no error set" precondition.
 * Such a step is a failure: the error stays set for the caller to print. */
static bool thread_has_error(void) {
  const bt_error *err = bt_current_thread_take_error();
  if (!err)
    return false;
  bt_current_thread_move_error(err);
  return true;
}

bt_component_class_sink_consume_method_status
gha_sink_consume(bt_self_component_sink *self) {
  struct gha_sink *s = sink_of(self);
  bt_message_array_const msgs;
  uint64_t count = 0;
  bt_message_iterator_next_status st = bt_message_iterator_next(s->iter, &msgs, &count);
  if (st >= 0 && thread_has_error()) { /* the non-negative statuses claim success */
    for (uint64_t i = 0; st == BT_MESSAGE_ITERATOR_NEXT_STATUS_OK && i < count; i++)
      bt_message_put_ref(msgs[i]);
    return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
  }
  switch (st) {
  case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
    return consume_batch(self, s, msgs, count);
  case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
    if (s->plugin_mode && plugin_report(self, s) != 0)
      return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
    return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
  case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
    return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
  case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
    return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
  default:
    return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
  }
}

bt_component_class_sink *gha_sink_class_create(void) {
  bt_component_class_sink *cls =
      bt_component_class_sink_create("analyze", gha_sink_consume);
  if (!cls)
    return NULL;
  bt_component_class_sink_set_initialize_method(cls, gha_sink_initialize);
  bt_component_class_sink_set_finalize_method(cls, gha_sink_finalize);
  bt_component_class_sink_set_graph_is_configured_method(
      cls, gha_sink_graph_is_configured);
  return cls;
}
