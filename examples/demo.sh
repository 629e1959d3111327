#!/bin/sh
# demo.sh -- genheap's main demo: the problem and its fix, in one command.
#
#   examples/demo.sh BUILD_DIR [OUT_DIR]
#
# Records a trace of the router example (examples/router/router.c) with
# genheap-trace, analyses it with genheap-analyze, which flags the router
# (its old heap still references binaries long dead: BEAM's refc-binary
# leak), then does the same with --hibernate-after, and nothing is flagged.
# Writes the traces, the reports, an HTML report of each run (a chart per
# flagged process) and one of both side by side (--compare) to OUT_DIR
# (default BUILD_DIR/demo) and says where they are.
#
# `dev/run demo` builds into build/default, makes sure an lttng-sessiond
# runs, then runs this script.  Needs a build with LTTng-UST and
# babeltrace2 (tracer/genheap-trace, analyzers/genheap-analyze).
#
# Environment: GENHEAP_DEMO_ROUTER_ARGS replaces the router's load options
# (default: --requests 2000 --idle-ms 1500); GENHEAP_DEMO_HIBERNATE_MS the
# fixed run's hibernate_after (default 200).
#
# Exit status: 0 the leak was flagged and the fixed run was not; 1 the
# demo did not show that, or a step failed (the message says which);
# 2 usage error.
set -u

prog=demo.sh
die() { echo "$prog: $*" >&2; exit 1; }
usage_error() { echo "$prog: $* (usage: $prog BUILD_DIR [OUT_DIR])" >&2; exit 2; }

case "${1:-}" in
  -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") usage_error "no build folder given" ;;
esac
[ $# -le 2 ] || usage_error "too many arguments"
[ -d "$1" ] || usage_error "build folder '$1' does not exist"
build=$(cd "$1" && pwd)
out=${2:-$build/demo}
router_args=${GENHEAP_DEMO_ROUTER_ARGS:---requests 2000 --idle-ms 1500}
hibernate_ms=${GENHEAP_DEMO_HIBERNATE_MS:-200}

recorder=$build/tracer/genheap-trace
analyzer=$build/analyzers/genheap-analyze
router=$build/examples/router/router
[ -x "$router" ] || die "$router is not built (run make in $build)"
[ -x "$recorder" ] || die "$recorder is not built: configure found no lttng-ust (install liblttng-ust-dev and lttng-tools, then configure again)"
[ -x "$analyzer" ] || die "$analyzer is not built: configure found no babeltrace2 (install libbabeltrace2-dev, then configure again)"
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)

say() { printf '%s\n' "$*"; }
rule() { say ""; say "== $*"; }

# stat FILE LINE KEY: a value from the router's "stats LINE k=v..." output.
stat() {
  awk -v line="$2" -v key="$3" '$1 == "stats" && $2 == line {
    for (i = 3; i <= NF; i++) {
      eq = index($i, "=")
      if (substr($i, 1, eq - 1) == key) print substr($i, eq + 1)
    }
  }' "$1"
}

# record NAME ARGS...: runs the router under genheap-trace into OUT/NAME.
record() {
  name=$1; shift
  rm -rf "$out/$name" # the recorder wants a new or empty folder
  # shellcheck disable=SC2086 # router_args is a list of words
  "$recorder" -q -o "$out/$name" -- "$router" $router_args "$@" \
    >"$out/$name.stats" 2>"$out/$name.err"
  st=$?
  case $st in
    0) ;;
    123 | 124) cat "$out/$name.err" >&2
               die "recording failed: LTTng is not usable here (is an lttng-sessiond running? 'dev/run demo' starts one)" ;;
    *) cat "$out/$name.err" >&2; die "recording the router failed (exit status $st)" ;;
  esac
  s=$out/$name.stats
  say "The router's own statistics at the end of its idle time (gh_proc_info):"
  say "  binaries still allocated:  $(stat "$s" runtime binaries_alive) ($(stat "$s" runtime binary_bytes) bytes)"
  say "  refc binaries it refers to: $(stat "$s" router refc_binaries), of which old heap: $(stat "$s" router bin_old_vheap_size) words"
  say "  heap blocks: young $(stat "$s" router heap_block_size), old $(stat "$s" router old_heap_block_size) words; hibernations: $(stat "$s" router hibernations)"
  say "  trace: $out/$name"
}

# analyse NAME: genheap-analyze on OUT/NAME; prints the router's row and the
# findings; sets $flagged to yes when the router was flagged.
analyse() {
  name=$1
  "$analyzer" --html "$out/$name.html" "$out/$name" >"$out/$name.report" 2>"$out/$name.analyze.err"
  st=$?
  # 0: no finding, 1: findings (the analyzer's documented exit statuses)
  [ "$st" -le 1 ] || { cat "$out/$name.analyze.err" >&2; die "genheap-analyze failed on $out/$name (exit status $st)"; }
  say ""
  say "genheap-analyze $out/$name  (exit status $st; full report: $out/$name.report)"
  # the report is short: findings first, then one row per process name
  # (the 2,000 workers are one row)
  sed 's/^/  /' "$out/$name.report"
  if grep -q '^warning *binleak .*(router)' "$out/$name.report"; then flagged=yes; else flagged=no; fi
}

rule "1. The problem: a long-lived router that forwards large binaries, then idles"
say "router $router_args: 2 client threads send 32 KiB binaries to the router,"
say "which hands each to a short-lived worker and keeps the last 64 requests"
say "for 50 ms.  Kept requests outlive two collections, so their binary"
say "handles are promoted to the old heap; there they die, and only a full"
say "sweep would notice.  The idle router never collects again."
say ""
record leak
analyse leak
leak_flagged=$flagged

rule "2. The fix: hibernate the router when it idles (--hibernate-after $hibernate_ms)"
say "The router is spawned with hibernate_after_ms = $hibernate_ms, calls gh_wait() while it"
say "waits for mail, and a timer thread calls gh_runtime_hibernate_idle()."
say ""
record fixed --hibernate-after "$hibernate_ms"
analyse fixed
fixed_flagged=$flagged

rule "Result"
# both runs side by side: the same processes, matched by name
"$analyzer" --compare --html "$out/compare.html" "$out/leak" "$out/fixed" \
  >"$out/compare.report" 2>"$out/compare.err"
[ $? -le 1 ] || { cat "$out/compare.err" >&2; die "genheap-analyze --compare failed"; }
sed 's/^/  /' "$out/compare.report"
say ""
say "HTML reports (the router's heaps and measured waste over time):"
say "  $out/leak.html"
say "  (the fixed run: $out/fixed.html; both side by side: $out/compare.html)"
if [ "$leak_flagged" = yes ] && [ "$fixed_flagged" = no ]; then
  say "The leaking router was flagged; with --hibernate-after nothing was."
  exit 0
fi
[ "$leak_flagged" = yes ] || die "the analyzer did not flag the leaking router (see $out/leak.report)"
die "the analyzer flagged the hibernating router (see $out/fixed.report)"
