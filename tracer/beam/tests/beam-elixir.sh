#!/bin/bash
# beam-elixir.sh -- the seed scenario as Elixir GenServers (Debian's
# elixir): a server that bursts at init and idles is flagged with measured
# waste; the same server started with hibernate_after: 200 is clean.  Two
# ways in: the recorder called from the program itself (:genheap_beam, as
# from iex), and genheap-beam run around `elixir seed.exs`.
. "$GH_SRCDIR/tests/lib.sh"
require_erlang
[ -n "${ELIXIR:-}" ] && [ -x "$ELIXIR" ] || skip "elixir is not installed"

check_report() { # REPORT WHAT
  local report=$1 what=$2 bloat
  findings "$report" | tee -a "$scratch/findings.txt"
  bloat=$(finding_for "$report" warning bloat Seed.Bloaty)
  [ -n "$bloat" ] || fail "$what: Seed.Bloaty is not flagged"
  set -- $bloat
  [ "$4" = recorder_sweep ] || fail "$what: Seed.Bloaty's evidence is $4"
  [ "$5" -ge 360000 ] || fail "$what: Seed.Bloaty's measured waste is $5 words"
  bloat_words=$5
  # The server that hibernates must be in the report, and not flagged.
  grep -q 'Seed\.Hibernating' "$report" || fail "$what: Seed.Hibernating is not in the report"
  findings "$report" | grep -q Seed.Hibernating && fail "$what: Seed.Hibernating is flagged"
  return 0
}

# ---- :genheap_beam from the program (what a user types in iex) -------------------
trace="$scratch/trace"
run_timeout 300 "$ELIXIR" --erl "-pa $ebin" "$GH_SRCDIR/tests/seed.exs" shell "$trace" 4000 \
  >"$scratch/shell.out" 2>&1 || { cat "$scratch/shell.out"; fail "elixir seed.exs shell failed"; }
grep -q '^summary' "$scratch/shell.out" || fail "no summary from :genheap_beam.stop()"
analyze_json "$trace" "$scratch/report.json"
check_report "$scratch/report.json" ":genheap_beam"
shell_words=$bloat_words
"$analyze" "$trace" >"$scratch/report.txt" 2>&1
grep -q 'BEAM process held' "$scratch/report.txt" || fail "the report does not say BEAM"
grep -q 'hibernate_after' "$scratch/report.txt" || fail "the report gives no BEAM fix"

# ---- genheap-beam run -- elixir seed.exs ------------------------------------------
out="$scratch/traces"
run_timeout 300 "$genheap_beam" run -o "$out" -- "$ELIXIR" "$GH_SRCDIR/tests/seed.exs" serve 5000 \
  >"$scratch/run.out" 2>"$scratch/run.err" || { cat "$scratch/run.err"; fail "genheap-beam run elixir failed"; }
run_trace=$(grep "^$out/" "$scratch/run.out" | head -1)
[ -n "$run_trace" ] || { cat "$scratch/run.out"; fail "run printed no trace folder"; }
analyze_json "$run_trace" "$scratch/report2.json"
check_report "$scratch/report2.json" "genheap-beam run"

pass "Elixir: Seed.Bloaty measured at $shell_words words (:genheap_beam) and $bloat_words (run); Seed.Hibernating clean"
