/* plugin.c -- the `genheap` babeltrace2 plugin: one sink component class,
 * sink.genheap.analyze, usable as
 *   babeltrace2 --plugin-path DIR TRACE -c sink.genheap.analyze
 */
#include <babeltrace2/babeltrace.h>

#include "gha.h"
#include "sink.h"

BT_PLUGIN_MODULE();
BT_PLUGIN(genheap);
BT_PLUGIN_DESCRIPTION("Memory analyses of genheap (per-process generational "
                      "heap) traces");
BT_PLUGIN_AUTHOR("genheap");
BT_PLUGIN_LICENSE("MIT");
BT_PLUGIN_VERSION(PACKAGE_VERSION_MAJOR, PACKAGE_VERSION_MINOR,
                  PACKAGE_VERSION_PATCH, "");

BT_PLUGIN_SINK_COMPONENT_CLASS(analyze, gha_sink_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(
    analyze, "Find bloated processes, binary leaks and idle heaps; summarise GCs");
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(analyze, GHA_SINK_HELP);
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(analyze, gha_sink_initialize);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(analyze, gha_sink_finalize);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(
    analyze, gha_sink_graph_is_configured);
