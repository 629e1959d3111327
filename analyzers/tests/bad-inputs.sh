#!/bin/sh
# bad-inputs.sh -- each kind of bad input gets its documented exit status
# (2) and a one-line error naming the file and the problem; usage errors
# too.  Uses hand-made CTF traces (make-ctf.sh): no LTTng needed.
. "$srcdir/tests/lib.sh"

mkctf() { sh "$srcdir/tests/make-ctf.sh" "$work/$1" "$1"; }

# a valid hand-made genheap trace is read (control: the checks can pass)
mkctf genheap
expect_status 0 "$ANALYZE" --all "$work/genheap"
grep -q 'handmade/4242/1(p)$' "$work/out" || fail "hand-made trace not analysed"

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

# report paths are checked before the trace is read (this one would make
# babeltrace2 spin if it were opened), and never onto the trace itself
stuck="env GENHEAP_ANALYZE_PRECHECK=0 GENHEAP_ANALYZE_STALL_TIMEOUT=0 $ANALYZE"
expect_status 2 timeout 20 $stuck --junit="$work/r.xml" --html="$work/./r.xml" \
  "$srcdir/tests/traces/metadata-cut"
expect_one_line_error "r.xml" "the same file for --junit and --html"
expect_status 2 timeout 20 $stuck --html="$work/nodir/r.html" "$srcdir/tests/traces/metadata-cut"
expect_one_line_error "nodir/r.html" "cannot write there"
cp -RL "$valid" "$work/t2"
expect_status 2 "$ANALYZE" --junit="$work/t2/genheap_0" "$work/t2"
expect_one_line_error "t2/genheap_0" "inside the trace folder"
expect_status 2 "$ANALYZE" --html="$work/t2/index/report.html" "$valid" "$work/t2"
expect_one_line_error "t2/index/report.html" "inside the trace folder"
expect_status 2 "$ANALYZE" --html="$work" "$valid"
expect_one_line_error "$work" "is a folder"
# a report is replaced whole or not at all: a write that fails (file size
# limit) leaves the old report and no temporary file
echo old >"$work/r.html"
# (stdout to /dev/null: the limit would cut the text report first)
(ulimit -f 1; trap '' XFSZ; exec "$ANALYZE" --html="$work/r.html" "$valid") >/dev/null 2>"$work/err"
[ $? = 2 ] || fail "failed report write: exit status not 2"
grep -q "r.html: write error" "$work/err" || fail "write error not reported: $(cat "$work/err")"
[ "$(cat "$work/r.html")" = old ] || fail "a failed write damaged the old report"
[ -z "$(ls -A "$work" | grep '^\.r\.html')" ] || fail "temporary report left behind"
expect_status 0 "$ANALYZE" --html="$work/r.html" "$valid"
grep -q "<html" "$work/r.html" || fail "report not written"

# every input error names the file: the stream (babeltrace2 names only its
# port) or the metadata (babeltrace2 only says "Cannot create trace")
cp -RL "$valid" "$work/badevent"
printf '\064\022' | dd of="$work/badevent/genheap_0" bs=1 seek=84 conv=notrunc 2>/dev/null
expect_status 2 "$ANALYZE" "$valid" "$work/badevent"
expect_one_line_error "badevent/genheap_0" "No event class"
cp -RL "$valid" "$work/badtsdl"
printf 'xx{{' | dd of="$work/badtsdl/metadata" bs=1 seek=4333 conv=notrunc 2>/dev/null
# babeltrace2 2.0.4's CTF source leaks 32 bytes when its TSDL parser fails
# (inside its own plugin, unloaded before LeakSanitizer can name it, so no
# suppression matches): under ASan, do not let that leak change the status
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  expect_status 2 "$ANALYZE" "$work/badtsdl"
expect_one_line_error "badtsdl/metadata" "not valid TSDL"

# --help and --version go to stdout and exit 0
expect_status 0 "$ANALYZE" --help
grep -q -- "--fail-on" "$work/out" || fail "--help lacks --fail-on"
expect_status 0 "$ANALYZE" --version
grep -q "^genheap-analyze [0-9]" "$work/out" || fail "--version output"
note "bad inputs: ok"
