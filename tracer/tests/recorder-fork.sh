#!/bin/sh
# recorder-fork.sh -- a child forked by the command is traced under its own vpid.
#
# LTTng-UST caches the vpid, and a forked child keeps writing into what it
# inherited unless the fork helper liblttng-ust-fork.so is preloaded too:
# the child's events then carried the parent's vpid.  fork-workload forks
# after its parent has fired events; every event of the child's genheap
# process ("fork-child") must carry the child's pid, the parent's
# ("fork-parent") the parent's.
. "$GH_SRCDIR/tests/lib.sh"
require_lttng

out="$scratch/trace"
"$recorder" -q --session "$(session_name fork)" -o "$out" -- \
  "$GH_BUILDDIR/tests/fork-workload" >"$scratch/stdout" 2>"$scratch/stderr" </dev/null ||
  fail "genheap-trace exited $?: $(cat "$scratch/stderr")"
parent=$(sed -n 's/^fork parent_os_pid=\([0-9]*\) .*/\1/p' "$scratch/stdout")
child=$(sed -n 's/^fork .* child_os_pid=\([0-9]*\)$/\1/p' "$scratch/stdout")
if [ -z "$parent" ] || [ -z "$child" ]; then
  fail "fork-workload printed no pids: $(cat "$scratch/stdout")"
fi
"$BABELTRACE2" "$out" >"$scratch/trace.txt" 2>"$scratch/bt2.err" ||
  fail "babeltrace2 could not read $out: $(head -n 3 "$scratch/bt2.err")"

# vpids_of NAME: the vpids of the proc_spawn events of genheap process NAME
# (pids of genheap processes restart at the same value in each runtime, so
# the name tells the two apart).
vpids_of() {
  grep 'genheap:proc_spawn:' "$scratch/trace.txt" | grep "name = \"$1\"" |
    sed -n 's/.*vpid = \([0-9]*\),.*/\1/p' | sort -u | tr '\n' ' '
}
# Other genheap programs may be traced into our session at the same time;
# ours are the ones with our pids.
got=$(vpids_of fork-child)
case " $got" in
  *" $child "*) ;;
  *) fail "fork-child's proc_spawn has vpid(s) '$got', not the child's pid $child" ;;
esac
case " $got" in *" $parent "*) fail "fork-child's proc_spawn carries the parent's vpid $parent" ;; esac
case " $(vpids_of fork-parent)" in
  *" $parent "*) ;;
  *) fail "fork-parent's proc_spawn has vpid(s) '$(vpids_of fork-parent)', not $parent" ;;
esac
n=$(grep -c "vpid = $child," "$scratch/trace.txt")
pass "$n events of the forked child $child under its own vpid"
