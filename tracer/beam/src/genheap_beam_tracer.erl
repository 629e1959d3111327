%% genheap_beam_tracer -- the recorder's tracer process: turns BEAM's trace
%% messages into genheap events (docs/trace-events.md) and writes them as
%% CTF packets (genheap_beam_ctf).  Design: docs/beam.md.
%%
%% What BEAM tells, and what the recorder adds
%% -------------------------------------------
%% `erlang:trace(all, true, [garbage_collection, procs, monotonic_timestamp])`
%% makes the VM send this process one message per GC start and end (with
%% BEAM's 11 heap sizes), per spawn and per exit.  The recorder keeps, per
%% traced process (in this process's dictionary, keyed by pid), what the
%% GC-info block needs and BEAM does not say: counts of minor GCs, sweeps
%% and hibernations, words promoted (the old heap's growth across a minor GC
%% that ran: a minor GC grows the old heap only by promotion) and reclaimed,
%% and a printable name.
%%
%% A hibernation sends no GC message.  Processes whose heaps are large
%% enough to matter are *watched*: sampled every `sample_ms` with
%% process_info(P, [reductions, status, garbage_collection_info]), items
%% that the VM reads without disturbing the process (current_function or
%% memory would cost it a reduction).  A watched process whose heap blocks
%% shrank with no traced GC, while waiting, hibernated.
%%
%% Evidence: a process whose reductions did not change between two samples
%% did not run, so neither its heap nor its garbage changed.  The time since
%% its reductions last changed (and since its last traced GC) is the
%% `quiet_ms` of the sweep the recorder forces on it (reason 6, "recorder"):
%% at the end of the recording (`end_sweep`) or once it has been quiet for
%% `idle_sweep_ms`.  The sweep's before and after sizes are its measured
%% waste, which the analyzer turns into a finding with a duration.
%%
%% Overload: the VM sends trace messages whatever the tracer can take.
%% Past `max_queue` waiting messages the recorder turns GC tracing off at
%% the source, drops what is queued (counting every dropped event), and
%% turns it back on once the queue has drained and a back-off time has
%% passed (50 ms, doubled each time load is shed again within a second, up
%% to 5 s): a node that collects faster than any tracer can follow spends
%% most of its time untraced rather than sending messages that would be
%% dropped.  The GCs it did not see are counted from
%% statistics(garbage_collection).  Both counts go into the packets'
%% events_discarded, which readers report as lost.
-module(genheap_beam_tracer).

-export([start/3]).
-export([init/4]). % spawned

-define(U64(X), X:64/little).
-define(S32(X), X:32/little-signed).
%% how long GC tracing stays off when load is shed (ns)
-define(BACKOFF_MIN, 50000000).
-define(BACKOFF_MAX, 5000000000).

%% Per traced process (process dictionary, key: its pid).
-record(p, {id,                 % u64 `pid` of the events
            name,               % NUL-terminated binary
            minor = 0, full = 0, hib = 0, prom = 0, recl = 0, gen = 0,
            info,               % last known sizes (11-tuple), or undefined
            last = none,        % last GC event: minor_start | failed_minor | ...
            last_gc = 0,        % end of its last GC (trace ns)
            reason = 3,         % reason of the open major GC
            fsa,                % fullsweep_after, fetched on first need
            watched = false}).

%% The tracer's state.
-record(s, {o,                  % options (map)
            sink,               % {file, Dir} | {remote, Pid}
            uuid, ctx, base,    % trace uuid, event context, monotonic ns of ts 0
            buf = [], bytes = 0, nev = 0,
            pbegin = 0,         % timestamp_begin of the open packet
            last = 0,           % last timestamp written: events never go back
            seq = 0,
            discarded = 0,      % events lost so far (packets' events_discarded)
            lost_packets = 0,
            tracing = on,       % on | gc_off | off (shedding load)
            shed_gc0 = 0,       % GC count when GC tracing was turned off
            resumed_at = 0,     % when tracing last came back on (trace ns)
            shed_at = 0,        % when it was last turned off
            backoff = ?BACKOFF_MIN, % how long it stays off (ns)
            sheds = 0,
            watch = #{},        % pid => {Reductions, QuietSince, Swept}
            prev_tick = 0,
            count = 0,          % messages since the last look at the queue
            events = 0,
            hibernations = 0,
            sweeps = [],        % what the recorder's sweeps measured
            gc_flags, procs_flags, targets}).

-define(CHECK_EVERY, 512).
%% An idle recording writes an empty packet this often (its end is the
%% recording's end so far, for a live reader).
-define(IDLE_FLUSH_NS, 5000000000).
-define(SAMPLE_BACKLOG, 1000).

%% ---- starting ------------------------------------------------------------

%% Sink: {file, Dir} (writes Dir/metadata and Dir/stream_0 on this node) or
%% {remote, Pid} (sends {genheap_beam_metadata, Bin}, {genheap_beam_packet,
%% Bin} and {genheap_beam_done, Summary} to Pid, usually on another node).
start(Sink, Opts, Caller) ->
    Ref = make_ref(),
    Pid = proc_lib:spawn_opt(?MODULE, init, [Sink, Opts, Caller, Ref],
                             [{priority, high},
                              {message_queue_data, off_heap},
                              {max_heap_size, #{size => 1 bsl 26, kill => true,
                                                error_logger => true}}]),
    MRef = erlang:monitor(process, Pid),
    receive
        {Ref, Result} ->
            erlang:demonitor(MRef, [flush]),
            Result;
        {'DOWN', MRef, process, Pid, Why} ->
            {error, {recorder_died, Why}}
    end.

init(Sink, O, Caller, Ref) ->
    case catch register(genheap_beam_tracer, self()) of
        true ->
            case catch open(Sink, O) of
                {ok, S} ->
                    S1 = attach(S),
                    Caller ! {Ref, {ok, self()}},
                    erlang:send_after(maps:get(sample_ms, O), self(), tick),
                    try loop(S1)
                    catch Class:Why:Stack ->
                        untrace(S1),
                        exit({Class, Why, Stack})
                    end;
                {error, _} = E -> Caller ! {Ref, E};
                Other -> Caller ! {Ref, {error, Other}}
            end;
        _ ->
            Caller ! {Ref, {error, already_recording}}
    end.

open(Sink, O) ->
    Uuid = rand:bytes(16),
    Base = erlang:monotonic_time(nanosecond),
    OsPid = list_to_integer(os:getpid()),
    Meta = genheap_beam_ctf:metadata(
             #{uuid => Uuid, env => env(O, OsPid),
               clock_offset_ns => Base + erlang:time_offset(nanosecond)}),
    Procname = <<"beam.smp", 0>>,
    S0 = #s{o = O, uuid = Uuid, base = Base,
            ctx = <<?S32(OsPid), Procname/binary>>},
    case Sink of
        {file, Dir} ->
            ok = genheap_beam_ctf:write_metadata(Dir, Meta),
            {ok, S0#s{sink = {file, Dir}}};
        {remote, Pid} ->
            erlang:monitor(process, Pid),
            Pid ! {genheap_beam_metadata, self(), Meta},
            {ok, S0#s{sink = {remote, Pid}}}
    end.

%% Where the trace came from: the trace environment (docs/trace-events.md).
env(O, OsPid) ->
    {ok, Host} = inet:gethostname(),
    #{hostname => maps:get(hostname, O, Host),
      domain => "beam",
      tracer_name => "genheap-beam",
      tracer_major => 0, tracer_minor => 1,
      genheap_runtime => "BEAM",
      genheap_schema => 2,
      otp_release => erlang:system_info(otp_release),
      erts_version => erlang:system_info(version),
      node => atom_to_list(node()),
      os_pid => OsPid,
      recorder_options => lists:flatten(io_lib:format("~0p", [maps:without([hostname], O)]))}.

%% Trace flags: GC and process life of every process (or of the chosen
%% ones), timestamped by the VM, sent to this process.
attach(S = #s{o = O}) ->
    Self = self(),
    Gc = [garbage_collection, monotonic_timestamp, {tracer, Self}],
    Procs = [procs, monotonic_timestamp, {tracer, Self}],
    Targets = case maps:get(procs, O) of
                  all -> all;
                  L -> [P || P <- [resolve(X) || X <- L], is_pid(P)]
              end,
    S1 = snapshot(S#s{gc_flags = Gc, procs_flags = Procs, targets = Targets}),
    set_trace(true, Gc, S1),
    set_trace(true, Procs, S1),
    S1#s{prev_tick = now_ts(S1)}.

resolve(P) when is_pid(P) -> P;
resolve(A) when is_atom(A) -> whereis(A);
resolve(_) -> undefined.

set_trace(How, Flags, #s{targets = all}) ->
    erlang:trace(all, How, Flags),
    %% tracing `all` traces the tracer too
    erlang:trace(self(), false, [all]);
set_trace(How, Flags, #s{targets = L}) ->
    [catch erlang:trace(P, How, Flags) || P <- L, P =/= self()].

untrace(S = #s{gc_flags = Gc}) when Gc =/= undefined ->
    catch set_trace(false, [garbage_collection, procs, monotonic_timestamp], S);
untrace(_) -> ok.

%% ---- the loop ----------------------------------------------------------------

loop(S) ->
    receive
        {trace_ts, Pid, gc_minor_start, Info, Ts} ->
            loop(check(gc(gc_minor_start, Pid, Info, Ts, S)));
        {trace_ts, Pid, gc_minor_end, Info, Ts} ->
            loop(check(gc(gc_minor_end, Pid, Info, Ts, S)));
        {trace_ts, Pid, gc_major_start, Info, Ts} ->
            loop(check(gc(gc_major_start, Pid, Info, Ts, S)));
        {trace_ts, Pid, gc_major_end, Info, Ts} ->
            loop(check(gc(gc_major_end, Pid, Info, Ts, S)));
        {trace_ts, Pid, spawned, _Parent, MFA, Ts} ->
            loop(check(spawned(Pid, MFA, Ts, S)));
        {trace_ts, Pid, exit, Reason, Ts} ->
            loop(check(exited(Pid, Reason, Ts, S)));
        {trace_ts, Pid, register, Name, Ts} ->
            loop(check(registered(Pid, Name, Ts, S)));
        {trace_ts, _, _, _, _} ->        % link, unlink, unregister, ...
            loop(check(S));
        {trace_ts, _, _, _, _, _} ->     % spawn (from the parent)
            loop(check(S));
        tick ->
            erlang:send_after(maps:get(sample_ms, S#s.o), self(), tick),
            loop(tick(S));
        {'$genheap_beam', status, From, Ref} ->
            From ! {Ref, status(S)},
            loop(S);
        {'$genheap_beam', stop, From, Ref} ->
            Summary = finish(S),
            From ! {Ref, {ok, Summary}};
        {'DOWN', _, process, SinkPid, _} when S#s.sink =:= {remote, SinkPid} ->
            %% the node that asked for the trace is gone: leave the node as
            %% it was
            untrace(S);
        _ ->
            loop(S)
    end.

%% Every ?CHECK_EVERY messages, a look at the queue (docs/beam.md, overload).
check(S = #s{count = C}) when C < ?CHECK_EVERY -> S#s{count = C + 1};
check(S) -> overload(S#s{count = 0}).

overload(S = #s{tracing = T, o = #{max_queue := Max}}) ->
    {message_queue_len, N} = process_info(self(), message_queue_len),
    if T =:= on, N > Max -> shed_gc(S);
       T =:= gc_off, N > 4 * Max -> shed_all(S);
       T =/= on, N =< Max div 8 ->
           case now_ts(S) - S#s.shed_at >= S#s.backoff of
               true -> resume(S);
               false -> S
           end;
       true -> S
    end.

shed_gc(S) ->
    set_trace(false, [garbage_collection], S),
    Now = now_ts(S),
    Backoff = case Now - S#s.resumed_at < 1000000000 andalso S#s.sheds > 0 of
                  true -> min(2 * S#s.backoff, ?BACKOFF_MAX);
                  false -> ?BACKOFF_MIN
              end,
    S#s{tracing = gc_off, shed_gc0 = gc_count(), sheds = S#s.sheds + 1,
        shed_at = Now, backoff = Backoff}.

shed_all(S) ->
    set_trace(false, [procs], S),
    S#s{tracing = off}.

resume(S = #s{tracing = T}) ->
    %% two events (start and end) for each GC the node ran untraced
    Unseen = 2 * max(0, gc_count() - S#s.shed_gc0),
    T =:= off andalso set_trace(true, S#s.procs_flags, S),
    set_trace(true, S#s.gc_flags, S),
    S#s{tracing = on, discarded = S#s.discarded + Unseen,
        resumed_at = now_ts(S)}.

gc_count() ->
    {N, _, _} = statistics(garbage_collection),
    N.

%% ---- GC events -------------------------------------------------------------------

gc(Tag, Pid, Info, Ts, S = #s{tracing = on}) ->
    case Info of
        [{wordsize, W}, {old_heap_block_size, A}, {heap_block_size, B},
         {mbuf_size, C}, {recent_size, D}, {stack_size, E},
         {old_heap_size, F}, {heap_size, G}, {bin_vheap_size, H},
         {bin_vheap_block_size, I}, {bin_old_vheap_size, J},
         {bin_old_vheap_block_size, K}] ->
            gc(Tag, Pid, W, {A, B, C, D, E, F, G, H, I, J, K}, ts(Ts, S), S);
        _ ->
            W = proplists:get_value(wordsize, Info, 0),
            gc(Tag, Pid, W, genheap_beam_ctf:sizes_from_info(Info), ts(Ts, S), S)
    end;
gc(_, _, _, _, S) ->
    S#s{discarded = S#s.discarded + 1}.

gc(gc_minor_start, Pid, W, Sz, T, S) ->
    P = proc(Pid, S),
    put(Pid, P#p{info = Sz, last = minor_start}),
    case maps:get(drop_starts, S#s.o) of
        none ->
            emit(<<2:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
                   (P#p.name)/binary, ?U64(W), (gci(Sz, P))/binary>>, T, S);
        _ ->
            S
    end;
gc(gc_minor_end, Pid, W, Sz, T, S) ->
    P0 = proc(Pid, S),
    case W =:= 0 andalso P0#p.last =:= minor_start andalso same_heap(P0#p.info, Sz) of
        true ->
            %% a minor GC that could not run: the sweep follows (as in
            %% genheap, minor_gcs does not move)
            P = P0#p{info = Sz, last = failed_minor},
            put(Pid, P),
            emit(<<3:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
                   (P#p.name)/binary, ?U64(0), (gci(Sz, P))/binary>>, T, S);
        false ->
            {Prom, BinProm} = promoted(P0#p.info, Sz),
            P = P0#p{minor = P0#p.minor + 1, gen = P0#p.gen + 1,
                     prom = P0#p.prom + Prom, recl = P0#p.recl + W,
                     info = Sz, last = minor_end, last_gc = T},
            put(Pid, P),
            S1 = case Prom > 0 orelse BinProm > 0 of
                     true ->
                         emit(<<6:16/little, ?U64(T), (S#s.ctx)/binary,
                                ?U64((P#p.id)), ?U64(Prom), ?U64(BinProm)>>, T, S);
                     false -> S
                 end,
            S2 = emit(<<3:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
                        (P#p.name)/binary, ?U64(W), (gci(Sz, P))/binary>>, T, S1),
            watch_check(Pid, P, Sz, T, S2)
    end;
gc(gc_major_start, Pid, W, Sz, T, S) ->
    P0 = proc(Pid, S),
    {Reason, P1} = sweep_reason(Pid, P0, Sz),
    P = P1#p{info = Sz, last = major_start, reason = Reason},
    put(Pid, P),
    case maps:get(drop_starts, S#s.o) of
        all -> S;
        _ ->
            emit(<<4:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
                   (P#p.name)/binary, ?U64(W), ?S32(Reason), ?U64(0), ?U64(0),
                   ?S32(0), (gci(Sz, P))/binary>>, T, S)
    end;
gc(gc_major_end, Pid, W, Sz, T, S) ->
    P0 = proc(Pid, S),
    P = P0#p{full = P0#p.full + 1, gen = 0, recl = P0#p.recl + W, info = Sz,
             last = major_end, last_gc = T},
    put(Pid, P),
    S1 = emit(<<5:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
                (P#p.name)/binary, ?U64(W), ?S32((P0#p.reason)),
                (gci(Sz, P))/binary>>, T, S),
    watch_check(Pid, P, Sz, T, S1).

%% A failed minor GC changes no size that matters (mbuf_size may grow).
same_heap({A, B, _, D, _, F, G, _, _, J, _}, {A, B, _, D, _, F, G, _, _, J, _}) -> true;
same_heap(_, _) -> false.

%% Old-heap growth across a minor GC is promotion; refc-binary words too
%% (reported in bytes).
promoted(undefined, _) -> {0, 0};
promoted(Before, After) ->
    {max(0, element(6, After) - element(6, Before)),
     8 * max(0, element(10, After) - element(10, Before))}.

%% BEAM never says why it swept; this is the inference of docs/beam.md.
sweep_reason(Pid, P = #p{last = failed_minor}, Sz) ->
    R = if element(1, Sz) =:= 0 -> 5;                      % no_old_heap
           element(10, Sz) >= element(11, Sz) -> 2;        % vheap_overflow
           true -> 1                                       % old_heap_full
        end,
    put(Pid, P),
    {R, P};
sweep_reason(Pid, P0, Sz) ->
    P = case P0#p.fsa of
            undefined -> P0#p{fsa = fullsweep_after(Pid)};
            _ -> P0
        end,
    R = if P#p.gen >= P#p.fsa -> 0;                          % fullsweep_after
           element(10, Sz) >= element(11, Sz) -> 2;
           true -> 3                                         % explicit
        end,
    {R, P}.

fullsweep_after(Pid) ->
    case process_info(Pid, garbage_collection) of
        {garbage_collection, L} -> proplists:get_value(fullsweep_after, L, 65535);
        _ -> 65535
    end.

%% The GC-info block of the event (docs/trace-events.md); message queue
%% length and ProcBin count are not in BEAM's GC trace (0).
gci({A, B, C, D, E, F, G, H, I, J, K}, #p{minor = M, full = Fs, hib = Hb,
                                         prom = Pr, recl = Rc, gen = Gn}) ->
    <<?U64(A), ?U64(B), ?U64(C), ?U64(D), ?U64(E), ?U64(F), ?U64(G), ?U64(H),
      ?U64(I), ?U64(J), ?U64(K), ?U64(M), ?U64(Fs), ?U64(Hb), ?U64(Pr),
      ?U64(Rc), ?U64(Gn), ?U64(0), ?U64(0)>>.

proc(Pid, S) ->
    case get(Pid) of
        undefined -> new_proc(Pid, lazy_name(Pid), S);
        P -> P
    end.

new_proc(Pid, Label, _S) ->
    P = #p{id = pid_id(Pid), name = name_bin(Pid, Label)},
    put(Pid, P),
    P.

%% ---- process life ----------------------------------------------------------------

spawned(Pid, MFA, Ts, S = #s{tracing = T}) when T =/= off ->
    P = new_proc(Pid, mfa_label(MFA), S),
    T1 = ts(Ts, S),
    #{min_heap_size := Mh, min_bin_vheap_size := Mb, fullsweep_after := Fa} =
        maps:get(defaults, S#s.o),
    emit(<<0:16/little, ?U64(T1), (S#s.ctx)/binary, ?U64((P#p.id)),
           (P#p.name)/binary, ?U64(2), ?U64(Mh), ?U64(Mb), ?U64(Fa), ?U64(0),
           ?U64(0)>>, T1, S);
spawned(_, _, _, S) ->
    S#s{discarded = S#s.discarded + 1}.

exited(Pid, Reason, Ts, S = #s{tracing = T}) when T =/= off ->
    T1 = ts(Ts, S),
    P = proc(Pid, S),
    erase(Pid),
    S1 = case P#p.watched of
             true -> S#s{watch = maps:remove(Pid, S#s.watch)};
             false -> S
         end,
    Sz = case P#p.info of undefined -> genheap_beam_ctf:zero_sizes(); I -> I end,
    emit(<<1:16/little, ?U64(T1), (S#s.ctx)/binary, ?U64((P#p.id)),
           (P#p.name)/binary, ?S32((exit_code(Reason))), (gci(Sz, P))/binary>>,
         T1, S1);
exited(Pid, _, _, S) ->
    erase(Pid),
    S#s{discarded = S#s.discarded + 1, watch = maps:remove(Pid, S#s.watch)}.

%% 0 normal, 2 any other reason (BEAM cannot tell a max_heap_size kill from
%% another `killed`).
exit_code(normal) -> 0;
exit_code(shutdown) -> 0;
exit_code({shutdown, _}) -> 0;
exit_code(_) -> 2.

%% A registered name is the best name: say it with a proc_info event.
registered(Pid, Name, Ts, S = #s{tracing = T}) when T =/= off ->
    T1 = ts(Ts, S),
    P0 = proc(Pid, S),
    P = P0#p{name = name_bin(Pid, atom_label(Name))},
    put(Pid, P),
    proc_info(P, 1, T1, S);
registered(_, _, _, S) -> S.

%% genheap:proc_info: trigger 0 attach, 1 named, 2 before a recorder sweep.
proc_info(P, Trigger, T, S) ->
    Sz = case P#p.info of undefined -> genheap_beam_ctf:zero_sizes(); I -> I end,
    emit(<<8:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
           (P#p.name)/binary, ?S32(Trigger), (gci(Sz, P))/binary>>, T, S).

%% ---- names -----------------------------------------------------------------------

pid_id(Pid) ->
    [_, N, Ser] = string:lexemes(pid_to_list(Pid), "<.>"),
    list_to_integer(N) bor (list_to_integer(Ser) bsl 32).

name_bin(Pid, Label) ->
    Full = case unicode:characters_to_binary(Label) of
               <<>> -> list_to_binary(pid_to_list(Pid));
               L when is_binary(L) -> <<(list_to_binary(pid_to_list(Pid)))/binary, " ", L/binary>>;
               _ -> list_to_binary(pid_to_list(Pid))
           end,
    <<(binary:part(Full, 0, min(63, byte_size(Full))))/binary, 0>>.

atom_label(A) when is_atom(A) -> strip_elixir(atom_to_list(A));
atom_label(_) -> "".

strip_elixir("Elixir." ++ Rest) -> Rest;
strip_elixir(S) -> S.

mfa_label({M, F, A}) when is_atom(M), is_atom(F), is_integer(A) ->
    case F =:= init andalso A =:= 1 of
        true -> atom_label(M);
        false -> atom_label(M) ++ ":" ++ atom_to_list(F) ++ "/" ++ integer_to_list(A)
    end;
%% gen_server, gen_statem, ... started through proc_lib
mfa_label({proc_lib, init_p, [_, _, gen, init_it, [_Gen, _, _, Name, Mod | _]]})
  when is_atom(Mod) ->
    case Name of
        {local, N} -> atom_label(N);
        {global, N} -> lists:flatten(io_lib:format("~0p", [N]));
        _ -> atom_label(Mod)
    end;
mfa_label({proc_lib, init_p, [_, _, gen, init_it, [_Gen, _, _, Mod | _]]})
  when is_atom(Mod) ->
    atom_label(Mod);
mfa_label({proc_lib, init_p, [_, _, M, F, A]}) when is_list(A) ->
    mfa_label({M, F, length(A)});
mfa_label({proc_lib, init_p, [_, _, Fun]}) when is_function(Fun) ->
    fun_label(Fun);
mfa_label({erlang, apply, [Fun, []]}) when is_function(Fun) ->
    fun_label(Fun);
mfa_label({M, F, A}) when is_list(A) ->
    mfa_label({M, F, length(A)});
mfa_label(_) -> "".

fun_label(Fun) ->
    {module, M} = erlang:fun_info(Fun, module),
    {name, N} = erlang:fun_info(Fun, name),
    atom_label(M) ++ ":" ++ atom_to_list(N).

%% A process seen before its spawn (it was there before the recording):
%% what the VM can say without disturbing it.
lazy_name(Pid) ->
    case process_info(Pid, registered_name) of
        {registered_name, N} -> atom_label(N);
        _ -> ""
    end.

%% Name of a process at attach time; may read its dictionary (proc_lib's
%% '$initial_call'), which costs it a reduction: call before sampling.
attach_label(Pid) ->
    case process_info(Pid, [registered_name, initial_call]) of
        [{registered_name, N}, _] when is_atom(N) -> atom_label(N);
        [_, {initial_call, {proc_lib, init_p, 5}}] ->
            case process_info(Pid, dictionary) of
                {dictionary, D} ->
                    case lists:keyfind('$initial_call', 1, D) of
                        {_, MFA} -> mfa_label(MFA);
                        false -> "proc_lib:init_p/5"
                    end;
                _ -> ""
            end;
        [_, {initial_call, MFA}] -> mfa_label(MFA);
        _ -> ""
    end.

%% ---- the attach-time snapshot ----------------------------------------------------

snapshot(S = #s{o = #{snapshot := false}}) -> S;
snapshot(S) ->
    Pids = case S#s.targets of all -> processes(); L -> L end,
    lists:foldl(fun(Pid, Acc) when Pid =:= self() -> Acc;
                   (Pid, Acc) -> snapshot_one(Pid, Acc)
                end, S, Pids).

snapshot_one(Pid, S) ->
    Label = attach_label(Pid),
    case process_info(Pid, [garbage_collection, garbage_collection_info,
                            reductions, message_queue_len]) of
        [{garbage_collection, Gc}, {garbage_collection_info, GI},
         {reductions, R}, {message_queue_len, Q}] ->
            T = now_ts(S),
            Sz = genheap_beam_ctf:sizes_from_info(GI),
            Minor = proplists:get_value(minor_gcs, Gc, 0),
            P = (new_proc(Pid, Label, S))#p{
                  info = Sz, minor = Minor, gen = Minor,
                  fsa = proplists:get_value(fullsweep_after, Gc, 65535)},
            put(Pid, P),
            S1 = emit(<<8:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
                        (P#p.name)/binary, ?S32(0),
                        (gci(Sz, P))/binary>>, T, S),
            %% the snapshot has the queue length; later events do not
            _ = Q,
            S2 = watch_check(Pid, P, Sz, T, S1),
            case maps:is_key(Pid, S2#s.watch) of
                true -> S2#s{watch = maps:put(Pid, {R, T, false}, S2#s.watch)};
                false -> S2
            end;
        _ ->
            S
    end.

%% ---- watching: hibernations, quiet processes, idle sweeps --------------------------

%% Watched: what could be flagged (old heap or old binaries at half the
%% analyzer's thresholds, or large heap blocks).
big(Sz, #{watch_words := Ww, watch_bin_words := Wb}) ->
    element(6, Sz) >= Ww orelse element(10, Sz) >= Wb orelse
        element(1, Sz) + element(2, Sz) + element(3, Sz) >= 2 * Ww.

watch_check(Pid, P = #p{watched = W}, Sz, _T, S) ->
    case big(Sz, S#s.o) of
        W -> S;
        true ->
            put(Pid, P#p{watched = true}),
            S#s{watch = maps:put(Pid, {undefined, 0, false}, S#s.watch)};
        false ->
            put(Pid, P#p{watched = false}),
            S#s{watch = maps:remove(Pid, S#s.watch)}
    end.

tick(S0) ->
    Now = now_ts(S0),
    S1 = overload(S0),
    %% sampling writes events at the present time: not while older trace
    %% messages wait (their times would be pushed forward)
    S2 = case S1#s.tracing =:= on andalso backlog() < ?SAMPLE_BACKLOG of
             true -> sample(Now, S1);
             false -> S1
         end,
    S3 = case Now - S2#s.pbegin >= maps:get(flush_ms, S2#s.o) * 1000000 of
             true when S2#s.nev > 0; Now - S2#s.pbegin >= ?IDLE_FLUSH_NS ->
                 %% with trace messages still queued the packet ends at its
                 %% last event: ending it now would push their (earlier)
                 %% times forward
                 flush(case backlog() of 0 -> Now; _ -> S2#s.last end, S2);
             _ -> S2
         end,
    S3#s{prev_tick = Now}.

backlog() ->
    element(2, process_info(self(), message_queue_len)).

sample(Now, S = #s{watch = W, o = O}) ->
    Max = maps:get(max_sampled, O),
    Pids = case map_size(W) > Max of
               true -> lists:sublist(shuffle(maps:keys(W)), Max);
               false -> maps:keys(W)
           end,
    lists:foldl(fun(Pid, Acc) -> sample_one(Pid, Now, Acc) end, S, Pids).

shuffle(L) -> [X || {_, X} <- lists:sort([{rand:uniform(), X} || X <- L])].

sample_one(Pid, Now, S) ->
    case process_info(Pid, [reductions, status, garbage_collection_info]) of
        [{reductions, R}, {status, St}, {garbage_collection_info, GI}] ->
            {R0, Since0, Swept0} = maps:get(Pid, S#s.watch),
            {Since, Swept} = case R =:= R0 of
                                 true -> {Since0, Swept0};
                                 false -> {Now, false}
                             end,
            S1 = S#s{watch = maps:put(Pid, {R, Since, Swept}, S#s.watch)},
            Sz = genheap_beam_ctf:sizes_from_info(GI),
            case hibernated(Pid, St, Sz, S1) of
                true -> hibernation(Pid, Sz, S1);
                false -> maybe_idle_sweep(Pid, R, Since, Swept, St, Now, S1)
            end;
        undefined ->
            S#s{watch = maps:remove(Pid, S#s.watch)}
    end.

%% Its heap blocks shrank and no traced GC says why: only a hibernation
%% collects without a trace message.  Its last traced GC must be older
%% than the last tick (not a message still on its way) and after the last
%% time tracing came back (no GC was lost).
hibernated(Pid, St, Sz, S) ->
    P = get(Pid),
    St =:= waiting andalso is_record(P, p) andalso P#p.info =/= undefined
        andalso P#p.last_gc < S#s.prev_tick andalso P#p.last_gc >= S#s.resumed_at
        andalso shrunk(P#p.info, Sz).

shrunk(Before, After) ->
    (element(1, Before) > 0 andalso element(1, After) =:= 0)
        orelse element(2, After) < element(2, Before).

%% A hibernation seen by sampling: genheap's shape (a reason-4 sweep pair,
%% then genheap:hibernate), at the time it was seen.  Nothing says how long
%% before it happened, so it carries no evidence.
hibernation(Pid, After, S) ->
    T = now_ts(S),
    P0 = get(Pid),
    Before = P0#p.info,
    S1 = emit(<<4:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P0#p.id)),
                (P0#p.name)/binary, ?U64(0), ?S32(4), ?U64(0), ?U64(0), ?S32(0),
                (gci(Before, P0))/binary>>, T, S),
    Rec = live_total(Before) - live_total(After),
    P = P0#p{full = P0#p.full + 1, hib = P0#p.hib + 1, gen = 0,
             recl = P0#p.recl + max(0, Rec), info = After, last = hibernate,
             last_gc = T},
    put(Pid, P),
    S2 = emit(<<5:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
                (P#p.name)/binary, ?U64((max(0, Rec))), ?S32(4),
                (gci(After, P))/binary>>, T, S1),
    {HB, OB, MB} = {element(2, Before), element(1, Before), element(3, Before)},
    S3 = emit(<<7:16/little, ?U64(T), (S#s.ctx)/binary, ?U64((P#p.id)),
                (P#p.name)/binary, ?U64(HB), ?U64(OB), ?U64(MB),
                ?U64((HB + OB + MB)), (gci(After, P))/binary>>, T, S2),
    watch_check(Pid, P, After, T, S3#s{hibernations = S3#s.hibernations + 1}).

live_total(Sz) -> element(3, Sz) + element(6, Sz) + element(7, Sz).

maybe_idle_sweep(Pid, R, Since, false, St, Now, S = #s{o = #{idle_sweep_ms := Ms}})
  when is_integer(Ms) ->
    P = get(Pid),
    Quiet = Now - max(Since, P#p.last_gc),
    case Quiet >= Ms * 1000000 andalso candidate(P#p.info, S#s.o) of
        true ->
            S1 = sweep(Pid, {Since, St}, idle, S),
            S1#s{watch = maps:update_with(Pid, fun({_, Si, _}) -> {R, Si, true} end,
                                          {R, Since, true}, S1#s.watch)};
        false -> S
    end;
maybe_idle_sweep(_, _, _, _, _, _, S) -> S.

%% Worth a sweep: what the analyses would flag if it were garbage.
candidate(undefined, _) -> false;
candidate(Sz, #{bloat_min_words := Bw, binleak_min_words := Bb}) ->
    element(6, Sz) >= Bw orelse element(10, Sz) >= Bb.

%% ---- the recorder's sweep (reason 6) -----------------------------------------------

%% Forces a full sweep of Pid and records it: before and after sizes as BEAM
%% reports them, and the evidence of how long its garbage was there.
%% Quiet = {Since, Status}: its reductions had not changed since Since.
sweep(Pid, {Since, Status0}, Why, S) ->
    P0 = get(Pid),
    Traced = S#s.tracing =:= on andalso Why =:= idle,
    Traced andalso catch set_trace_one(Pid, false, [garbage_collection]),
    T0 = now_ts(S),
    Res = case process_info(Pid, [garbage_collection_info, reductions, status]) of
              [{garbage_collection_info, GI0}, {reductions, R0}, {status, St}] ->
                  case catch erlang:garbage_collect(Pid) of
                      true ->
                          case process_info(Pid, garbage_collection_info) of
                              {garbage_collection_info, GI1} -> {ok, GI0, GI1, R0, St};
                              _ -> gone
                          end;
                      _ -> gone
                  end;
              _ -> gone
          end,
    T1 = now_ts(S),
    Traced andalso catch set_trace_one(Pid, true, S#s.gc_flags),
    case {Res, P0} of
        {{ok, GIb, GIa, _, St1}, #p{}} ->
            Before = genheap_beam_ctf:sizes_from_info(GIb),
            After = genheap_beam_ctf:sizes_from_info(GIa),
            QuietNs = max(0, T0 - max(Since, P0#p.last_gc)),
            QuietMs = QuietNs div 1000000,
            WaitingMs = case Status0 =:= waiting andalso St1 =:= waiting of
                            true -> QuietMs;
                            false -> 0
                        end,
            S1 = proc_info(P0#p{info = Before}, 2, T0, S),
            S2 = emit(<<4:16/little, ?U64(T0), (S1#s.ctx)/binary, ?U64((P0#p.id)),
                        (P0#p.name)/binary, ?U64(0), ?S32(6), ?U64(WaitingMs),
                        ?U64(QuietMs), ?S32(0), (gci(Before, P0))/binary>>, T0, S1),
            Rec = max(0, live_total(Before) - live_total(After)),
            P = P0#p{full = P0#p.full + 1, gen = 0, recl = P0#p.recl + Rec,
                     info = After, last = major_end, last_gc = T1},
            put(Pid, P),
            S3 = emit(<<5:16/little, ?U64(T1), (S2#s.ctx)/binary, ?U64((P#p.id)),
                        (P#p.name)/binary, ?U64(Rec), ?S32(6),
                        (gci(After, P))/binary>>, T1, S2),
            Old = element(6, Before),
            Kept = element(6, After) + element(7, After),
            Rec1 = #{pid => pid_to_list(Pid),
                     name => binary_to_list(binary:part(P#p.name, 0, byte_size(P#p.name) - 1)),
                     why => Why, quiet_ms => QuietMs,
                     old_heap_before => Old, heap_before => element(7, Before),
                     kept => Kept, freed_old => max(0, Old - Kept),
                     bin_old_before => element(10, Before),
                     bin_after => element(8, After),
                     freed_bin => max(0, element(10, Before) - element(8, After))},
            S3#s{sweeps = [Rec1 | S3#s.sweeps]};
        _ ->
            S
    end.

set_trace_one(Pid, How, Flags) -> erlang:trace(Pid, How, Flags).

%% ---- the end of a recording ---------------------------------------------------------

finish(S00) ->
    %% 0. GCs that ran untraced since load was last shed are lost events
    S0 = case S00#s.tracing of
             on -> S00;
             _ -> S00#s{discarded = S00#s.discarded +
                            2 * max(0, gc_count() - S00#s.shed_gc0)}
         end,
    %% 1. no more trace messages; every one already sent is delivered
    untrace(S0),
    Ref = erlang:trace_delivered(all),
    receive {trace_delivered, all, Ref} -> ok after 10000 -> ok end,
    S1 = drain(S0),
    Now = now_ts(S1),
    %% 2. hibernations since the last sample (every GC is known now)
    S2 = case S1#s.tracing of
             on -> lists:foldl(fun(Pid, Acc) -> end_hibernation(Pid, Acc) end,
                               S1#s{prev_tick = Now + 1}, maps:keys(S1#s.watch));
             _ -> S1
         end,
    %% 3. the end sweep of candidates
    S3 = case maps:get(end_sweep, S2#s.o) of
             true -> end_sweeps(S2);
             false -> S2
         end,
    %% 4. the last packet ends now, whatever was emitted
    S4 = flush(now_ts(S3), S3),
    Summary = #{events => S4#s.events, discarded => S4#s.discarded,
                packets => S4#s.seq, lost_packets => S4#s.lost_packets,
                sheds => S4#s.sheds, hibernations => S4#s.hibernations,
                sweeps => lists:reverse(S4#s.sweeps),
                end_sweep => maps:get(end_sweep, S4#s.o)},
    close(S4, Summary),
    Summary.

end_hibernation(Pid, S) ->
    case process_info(Pid, [status, garbage_collection_info]) of
        [{status, St}, {garbage_collection_info, GI}] ->
            Sz = genheap_beam_ctf:sizes_from_info(GI),
            case hibernated(Pid, St, Sz, S) of
                true -> hibernation(Pid, Sz, S);
                false -> S
            end;
        _ -> S
    end.

%% Everything queued, handled as in the loop.
drain(S) ->
    receive
        {trace_ts, Pid, Tag, Info, Ts} when Tag =:= gc_minor_start;
                                           Tag =:= gc_minor_end;
                                           Tag =:= gc_major_start;
                                           Tag =:= gc_major_end ->
            drain(gc(Tag, Pid, Info, Ts, S));
        {trace_ts, Pid, spawned, _, MFA, Ts} -> drain(spawned(Pid, MFA, Ts, S));
        {trace_ts, Pid, exit, Reason, Ts} -> drain(exited(Pid, Reason, Ts, S));
        {trace_ts, Pid, register, Name, Ts} -> drain(registered(Pid, Name, Ts, S));
        {trace_ts, _, _, _, _} -> drain(S);
        {trace_ts, _, _, _, _, _} -> drain(S)
    after 0 ->
        S
    end.

%% Candidates: every process whose old heap (or old binaries) reaches the
%% analyzer's thresholds now, largest first, at most max_sweeps.
end_sweeps(S = #s{o = O}) ->
    Pids = case S#s.targets of all -> processes(); L -> L end,
    Cands0 = lists:foldl(
               fun(Pid, Acc) when Pid =:= self() -> Acc;
                  (Pid, Acc) ->
                       case process_info(Pid, garbage_collection_info) of
                           {garbage_collection_info, GI} ->
                               Sz = genheap_beam_ctf:sizes_from_info(GI),
                               case candidate(Sz, O) of
                                   true -> [{element(6, Sz) + element(10, Sz), Pid} | Acc];
                                   false -> Acc
                               end;
                           _ -> Acc
                       end
               end, [], Pids),
    Cands = lists:sublist(lists:reverse(lists:sort(Cands0)), maps:get(max_sweeps, O)),
    lists:foldl(fun({_, Pid}, Acc) -> end_sweep(Pid, Acc) end, S, Cands).

end_sweep(Pid, S) ->
    Now = now_ts(S),
    case get(Pid) of
        #p{} -> ok;
        undefined -> new_proc(Pid, attach_label(Pid), S)
    end,
    %% quiet since the first sample that saw today's reductions
    Evidence = case {maps:get(Pid, S#s.watch, none),
                     process_info(Pid, [reductions, status])} of
                   {{R, Since, _}, [{reductions, R}, {status, St}]} -> {Since, St};
                   {_, [{reductions, _}, {status, St}]} -> {Now, St};
                   _ -> {Now, running}
               end,
    sweep(Pid, Evidence, 'end', S).

%% ---- packets -----------------------------------------------------------------------

ts(Mono, #s{base = B, last = L}) -> max(Mono - B, L).

now_ts(S) -> ts(erlang:monotonic_time(nanosecond), S).

emit(Bin, T, S = #s{buf = Buf, bytes = B, nev = N, events = E}) ->
    Bytes = B + byte_size(Bin),
    S1 = S#s{buf = [Bin | Buf], bytes = Bytes, nev = N + 1, last = T, events = E + 1},
    case Bytes >= maps:get(packet_bytes, S#s.o) of
        true -> flush(T, S1);
        false -> S1
    end.

%% Closes the open packet at End and writes it.  It ends after it began, so
%% that packet beginnings strictly increase (genheap_beam_ctf).
flush(End0, S = #s{pbegin = Begin, last = Last}) ->
    End = max(End0, max(Begin + 1, Last)),
    Packet = genheap_beam_ctf:packet(S#s.uuid, S#s.seq, {Begin, End}, S#s.discarded,
                                     S#s.bytes, lists:reverse(S#s.buf)),
    S1 = write(Packet, S),
    S1#s{buf = [], bytes = 0, nev = 0, pbegin = End, last = End, seq = S#s.seq + 1}.

write(Packet, S = #s{sink = {file, Dir}}) ->
    ok = genheap_beam_ctf:write_packet(Dir, S#s.seq, Packet),
    S;
write(Packet, S = #s{sink = {remote, Pid}}) ->
    case erlang:send(Pid, {genheap_beam_packet, self(), S#s.seq,
                           iolist_to_binary(Packet)}, [nosuspend]) of
        ok -> S;
        _ ->
            %% the distribution link is busy: lose the packet, never block
            S#s{discarded = S#s.discarded + S#s.nev,
                lost_packets = S#s.lost_packets + 1}
    end.

close(#s{sink = {file, _}}, _) ->
    ok;
close(#s{sink = {remote, Pid}}, Summary) ->
    Pid ! {genheap_beam_done, self(), Summary}.

status(S) ->
    #{events => S#s.events, discarded => S#s.discarded, packets => S#s.seq,
      watched => map_size(S#s.watch), tracing => S#s.tracing,
      sheds => S#s.sheds, hibernations => S#s.hibernations,
      sweeps => length(S#s.sweeps),
      queue => element(2, process_info(self(), message_queue_len))}.
