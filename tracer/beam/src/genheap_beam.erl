%% genheap_beam -- record a BEAM node's GCs and process life as a genheap
%% trace, for genheap-analyze (docs/beam.md, genheap-beam(1)).
%%
%% From the node's shell:
%%
%%   1> genheap_beam:start("/tmp/trace", #{end_sweep => true}).
%%   {ok,"/tmp/trace"}
%%   2> genheap_beam:stop().
%%   {ok,#{events => 1234, sweeps => [...], ...}}
%%
%% and from Elixir's iex: `:genheap_beam.start(~c"/tmp/trace", end_sweep: true)`.
%% Options are a map or a property (keyword) list; see options/0.
-module(genheap_beam).

-export([start/1, start/2, stop/0, status/0, record/3, options/0]).
%% used by genheap-beam (the command) and the application
-export([start_remote/2, boot/0, version/0]).

-define(TRACER, genheap_beam_tracer).

%% The options, with their defaults.
options() ->
    #{procs => all,               % all | [pid() | atom()]: what to trace
      end_sweep => false,         % sweep the candidates when the recording stops
      idle_sweep_ms => infinity,  % sweep a candidate quiet for that long
      sample_ms => 500,           % how often watched processes are sampled
      flush_ms => 1000,           % a packet is written at least this often
      packet_bytes => 262144,     % ... or when it holds this much
      max_queue => 20000,         % trace messages waiting before load is shed
      drop_starts => none,        % none | minor | all: *_start events not written
      bloat_min_words => 65536,   % a candidate's old heap (the analyzer's default)
      binleak_min_words => 16384, % ... or its old refc-binary words
      watch_words => 32768,       % watched from this old heap size
      watch_bin_words => 8192,    % ... or these old binary words
      max_sampled => 2000,        % watched processes sampled per tick
      max_sweeps => 1000,         % candidates swept at the end
      snapshot => true}.          % a proc_info event per process at attach

-ifndef(GENHEAP_VERSION).
-define(GENHEAP_VERSION, "unknown").
-endif.
version() -> ?GENHEAP_VERSION.

start(Dir) -> start(Dir, #{}).

%% Starts recording into Dir (created; must not hold a trace already).
start(Dir, Opts) ->
    case normalize(Opts) of
        {ok, O} ->
            D = unicode:characters_to_list(Dir),
            case filelib:is_regular(filename:join(D, "metadata")) of
                true -> {error, {trace_exists, D}};
                false ->
                    case genheap_beam_tracer:start({file, D}, O, self()) of
                        {ok, _} -> {ok, D};
                        Error -> Error
                    end
            end;
        Error -> Error
    end.

%% Started by genheap-beam over distribution: the packets go to Sink, a
%% process on the node that runs the command.
start_remote(Sink, Opts) ->
    case normalize(Opts) of
        {ok, O} -> genheap_beam_tracer:start({remote, Sink}, O, self());
        Error -> Error
    end.

%% Stops the recording: end sweeps (when asked), the last packet, the files
%% closed.  Returns what the recording saw.
stop() ->
    call(stop, infinity).

status() ->
    call(status, 10000).

call(What, Timeout) ->
    case whereis(?TRACER) of
        undefined -> {error, not_recording};
        Pid ->
            Ref = erlang:monitor(process, Pid),
            Pid ! {'$genheap_beam', What, self(), Ref},
            receive
                {Ref, Reply} ->
                    erlang:demonitor(Ref, [flush]),
                    Reply;
                {'DOWN', Ref, process, Pid, Why} ->
                    {error, {recorder_died, Why}}
            after Timeout ->
                erlang:demonitor(Ref, [flush]),
                {error, timeout}
            end
    end.

%% Records for Seconds, then stops.
record(Dir, Seconds, Opts) ->
    case start(Dir, Opts) of
        {ok, _} ->
            timer:sleep(round(Seconds * 1000)),
            stop();
        Error -> Error
    end.

%% ---- options ---------------------------------------------------------------

normalize(Opts) when is_list(Opts) ->
    try maps:from_list([case X of {K, V} -> {K, V}; K when is_atom(K) -> {K, true} end
                        || X <- Opts]) of
        M -> normalize(M)
    catch _:_ -> {error, {bad_options, Opts}}
    end;
normalize(Opts) when is_map(Opts) ->
    Known = options(),
    case [K || K <- maps:keys(Opts), not maps:is_key(K, Known), K =/= hostname] of
        [] ->
            O = maps:merge(Known, Opts),
            case valid(O) of
                true -> {ok, O#{defaults => node_defaults()}};
                false -> {error, {bad_options, Opts}}
            end;
        Unknown -> {error, {unknown_options, Unknown}}
    end;
normalize(Opts) -> {error, {bad_options, Opts}}.

valid(#{procs := P, end_sweep := E, idle_sweep_ms := I, sample_ms := Sm,
        flush_ms := F, packet_bytes := Pb, max_queue := Q, drop_starts := D,
        max_sampled := Ms, max_sweeps := Mw, snapshot := Sn} = O) ->
    (P =:= all orelse is_list(P)) andalso is_boolean(E) andalso is_boolean(Sn)
        andalso (I =:= infinity orelse pos(I)) andalso pos(Sm) andalso pos(F)
        andalso pos(Pb) andalso Pb >= 4096 andalso pos(Q) andalso pos(Ms)
        andalso is_integer(Mw) andalso Mw >= 0
        andalso lists:member(D, [none, minor, all])
        andalso lists:all(fun(K) -> pos(maps:get(K, O)) end,
                          [bloat_min_words, binleak_min_words, watch_words,
                           watch_bin_words]).

pos(X) -> is_integer(X) andalso X > 0.

node_defaults() ->
    {min_heap_size, Mh} = erlang:system_info(min_heap_size),
    {min_bin_vheap_size, Mb} = erlang:system_info(min_bin_vheap_size),
    {fullsweep_after, Fa} = erlang:system_info(fullsweep_after),
    #{min_heap_size => Mh, min_bin_vheap_size => Mb, fullsweep_after => Fa}.

%% ---- the wrapper (genheap-beam run) ----------------------------------------

%% `erl ... -s genheap_beam boot`: records from the node's start, into
%% $GENHEAP_BEAM_OUTPUT/NODE-OSPID, with the options of
%% $GENHEAP_BEAM_OPTIONS (an Erlang term: a map or a list).  The recording
%% stops when the node stops (init:stop/0, System.stop/1: the application
%% genheap_beam is stopped), when $GENHEAP_BEAM_SECONDS have passed, or at
%% genheap_beam:stop().
boot() ->
    case os:getenv("GENHEAP_BEAM_OUTPUT") of
        false -> ok;
        Out ->
            Opts = case os:getenv("GENHEAP_BEAM_OPTIONS") of
                       false -> #{};
                       "" -> #{};
                       Text ->
                           {ok, Toks, _} = erl_scan:string(Text ++ "."),
                           {ok, Term} = erl_parse:parse_term(Toks),
                           Term
                   end,
            Dir = filename:join(Out, atom_to_list(node()) ++ "-" ++ os:getpid()),
            application:set_env(genheap_beam, boot_recording, true),
            {ok, _} = application:ensure_all_started(genheap_beam),
            case start(Dir, Opts) of
                {ok, _} ->
                    case os:getenv("GENHEAP_BEAM_SECONDS") of
                        false -> ok;
                        "" -> ok;
                        Secs ->
                            Ms = round(list_to_float_or_int(Secs) * 1000),
                            spawn(fun() -> timer:sleep(Ms), stop() end)
                    end,
                    ok;
                Error ->
                    io:format(standard_error, "genheap_beam: cannot record into ~ts: ~p~n",
                              [Dir, Error])
            end
    end.

list_to_float_or_int(S) ->
    try list_to_integer(S) catch _:_ -> list_to_float(S) end.
