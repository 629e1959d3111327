#!/bin/sh
# bad-inputs.sh -- each kind of bad input gets its documented exit status
# (2) and a one-line error naming the file and the problem; usage errors
# too.  Uses hand-made CTF traces (make-ctf.sh): no LTTng needed.
. "$srcdir/tests/lib.sh"

mkctf() { sh "$srcdir/tests/make-ctf.sh" "$work/$1" "$1"; }

# a valid hand-made genheap trace is read (control: the checks can pass)
mkctf genheap
expect_status 0 "$ANALYZE" "$work/genheap"
grep -q 'handmade/4242/1(p)' "$work/out" || fail "hand-made trace not analysed"

# not a trace: a regular file, an empty folder, garbage metadata
echo hello >"$work/file.txt"
expect_status 2 "$ANALYZE" "$work/file.txt"
expect_one_line_error "$work/file.txt" "not a trace"
mkdir "$work/empty"
expect_status 2 "$ANALYZE" "$work/empty"
expect_one_line_error "$work/empty" "no CTF metadata"
mkdir "$work/garbage" && echo "not ctf" >"$work/garbage/metadata"
expect_status 2 "$ANALYZE" "$work/garbage"
expect_one_line_error "$work/garbage" "cannot open the trace"
expect_status 2 "$ANALYZE" "$work/does-not-exist"
expect_one_line_error "$work/does-not-exist" "no such file"

# truncated: the stream ends in the middle of an event
mkctf truncated
expect_status 2 "$ANALYZE" "$work/truncated"
expect_one_line_error "$work/truncated" "truncated"

# a valid trace with no genheap events
mkctf nogenheap
expect_status 2 "$ANALYZE" "$work/nogenheap"
expect_one_line_error "$work/nogenheap" "no genheap events"

# genheap events without the vpid context
mkctf novpid
expect_status 2 "$ANALYZE" "$work/novpid"
expect_one_line_error "$work/novpid" "lacks the vpid context"

# usage errors
expect_status 2 "$ANALYZE"
expect_one_line_error "genheap-analyze" "no trace given"
expect_status 2 "$ANALYZE" --format=xml "$work/genheap"
expect_one_line_error "xml" "invalid value"
expect_status 2 "$ANALYZE" --fail-on=sometimes "$work/genheap"
expect_one_line_error "sometimes" "invalid value"
expect_status 2 "$ANALYZE" --junit="$work/no/such/dir/x.xml" "$work/genheap"
grep -q "no/such/dir/x.xml" "$work/err" || fail "unwritable report not named"

# each trace is read once: symbolic links loop or fan out, arguments
# overlap; a trace given twice is noted
valid=$srcdir/tests/traces/valid
events() { "$FLATTEN" <"$work/out" | awk '$1 == "meta" { print $2 }'; }
expect_status 0 "$ANALYZE" --format=json "$valid"
once=$(events)
mkdir -p "$work/links/sub" && cp -RL "$valid" "$work/links/sub/t"
ln -s . "$work/links/self" && ln -s .. "$work/links/sub/up"
for i in 1 2 3 4 5; do ln -s . "$work/links/sub/fan$i"; done
expect_status 0 timeout 20 "$ANALYZE" --format=json "$work/links"
[ "$(events)" = "$once" ] || fail "links: $(events) events, want $once"
[ ! -s "$work/err" ] || fail "links: unexpected stderr: $(cat "$work/err")"
expect_status 0 "$ANALYZE" --format=json "$work/links" "$work/links/sub/t"
[ "$(events)" = "$once" ] || fail "overlapping arguments: $(events) events, want $once"
[ "$(wc -l <"$work/err")" -eq 1 ] && grep -q "note: $work/links/sub/t: .*read once" "$work/err" ||
  fail "duplicate not noted: $(cat "$work/err")"

# --help and --version go to stdout and exit 0
expect_status 0 "$ANALYZE" --help
grep -q -- "--fail-on" "$work/out" || fail "--help lacks --fail-on"
expect_status 0 "$ANALYZE" --version
grep -q "^genheap-analyze [0-9]" "$work/out" || fail "--version output"
note "bad inputs: ok"
