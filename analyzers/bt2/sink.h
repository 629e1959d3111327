/* sink.h -- the genheap analyze sink component class, shared by the
 * babeltrace2 plugin (plugin.c) and the genheap-analyze CLI.
 *
 * From the CLI, the initialize method data is the CLI's struct gha_bt2 and
 * the CLI writes the reports.  From a plugin graph (no method data), the
 * sink builds its own analyzer from the component parameters and prints the
 * report on stdout when the trace ends.
 */
#ifndef GHA_SINK_H
#define GHA_SINK_H

#include <babeltrace2/babeltrace.h>

#include "convert.h"

bt_component_class_initialize_method_status gha_sink_initialize(
    bt_self_component_sink *self, bt_self_component_sink_configuration *config,
    const bt_value *params, void *init_data);
void gha_sink_finalize(bt_self_component_sink *self);
bt_component_class_sink_graph_is_configured_method_status
gha_sink_graph_is_configured(bt_self_component_sink *self);
bt_component_class_sink_consume_method_status
gha_sink_consume(bt_self_component_sink *self);

/* The class for a CLI graph (a new reference), or NULL. */
bt_component_class_sink *gha_sink_class_create(void);

#define GHA_SINK_HELP                                                          \
  "Parameters: format (\"text\" or \"json\"), junit (path), html (path), "     \
  "top (names, findings and charts singled out), all (true: every one), "      \
  "fail-on (info, warning, error, never), min-idle (seconds), idle-factor, "   \
  "bloat-min-words, binleak-min-words, binleak-min-steps, burst-min-gcs, "     \
  "burst-min-words.  See genheap-analyze(1)."

#endif /* GHA_SINK_H */
