%% genheap_beam_cli -- the Erlang half of `genheap-beam record`: records a
%% running node from outside, through Erlang distribution, with no code
%% installed on it (genheap-beam(1)).
%%
%% It runs in a hidden node that the genheap-beam script starts.  It loads
%% the recorder's modules into the target node (code:load_binary/3), starts
%% the recorder there with a sink on this node, waits, stops it (end
%% sweeps), and unloads what it loaded.  Packets travel as messages, so the
%% trace is written here, on the machine that runs the command.  If this
%% node goes away, the recorder sees its sink die and turns tracing off.
-module(genheap_beam_cli).
-behaviour(gen_event).

-export([main/0, main/1]).
%% SIGTERM ends the recording as --seconds would (a gen_event handler of
%% erl_signal_server in place of the default one, which stops the node).
-export([init/1, handle_event/2, handle_call/2, handle_info/2, terminate/2]).

-define(RECORDER_MODULES, [genheap_beam_ctf, genheap_beam_tracer, genheap_beam]).

%% Exit statuses (genheap-beam(1)).
-define(EX_OK, 0).
-define(EX_RECORDING, 1).   % the recording failed or was cut short
-define(EX_CONNECT, 3).     % cannot reach or load into the node
-define(EX_USAGE, 125).

%% erl ... -s genheap_beam_cli main -extra ARGS...
main() ->
    main(init:get_plain_arguments()).

main(Args) ->
    Status = try run(Args)
             catch throw:{usage, Msg} ->
                     err("~ts (see genheap-beam --help)", [Msg]),
                     ?EX_USAGE;
                   throw:{fail, Code, Fmt, As} ->
                     err(Fmt, As),
                     Code
             end,
    erlang:halt(Status, [{flush, true}]).

err(Fmt, Args) ->
    io:format(standard_error, "genheap-beam: " ++ Fmt ++ "~n", Args).

info(Quiet, Fmt, Args) ->
    Quiet orelse io:format(standard_error, "genheap-beam: " ++ Fmt ++ "~n", Args).

run(["record" | Args]) ->
    record(parse(Args, #{opts => #{}, quiet => false}));
run(_) ->
    throw({usage, "unknown command"}).

parse([], A) -> A;
parse(["--node", N | R], A) -> parse(R, A#{node => N});
parse(["-o", D | R], A) -> parse(R, A#{output => D});
parse(["--output", D | R], A) -> parse(R, A#{output => D});
parse(["--seconds", S | R], A) -> parse(R, A#{seconds => number(S)});
parse(["--sweep" | R], A) -> parse(R, opt(end_sweep, true, A));
parse(["--no-sweep" | R], A) -> parse(R, opt(end_sweep, false, A));
parse(["--idle-sweep", Ms | R], A) -> parse(R, opt(idle_sweep_ms, int(Ms), A));
parse(["--drop-starts", W | R], A) ->
    parse(R, opt(drop_starts, list_to_atom(W), A));
parse(["--max-queue", N | R], A) -> parse(R, opt(max_queue, int(N), A));
parse(["--min-words", N | R], A) ->
    parse(R, opt(watch_words, max(1, int(N) div 2), opt(bloat_min_words, int(N), A)));
parse(["--bin-min-words", N | R], A) ->
    parse(R, opt(watch_bin_words, max(1, int(N) div 2), opt(binleak_min_words, int(N), A)));
parse(["--sample-ms", N | R], A) -> parse(R, opt(sample_ms, int(N), A));
parse(["--flush-ms", N | R], A) -> parse(R, opt(flush_ms, int(N), A));
parse(["--procs", L | R], A) ->
    parse(R, opt(procs, [list_to_atom(X) || X <- string:lexemes(L, ",")], A));
parse(["-q" | R], A) -> parse(R, A#{quiet => true});
parse(["--quiet" | R], A) -> parse(R, A#{quiet => true});
parse([X | _], _) -> throw({usage, "unknown option or missing value: " ++ X}).

opt(K, V, A = #{opts := O}) -> A#{opts => O#{K => V}}.

number(S) ->
    try list_to_integer(S)
    catch _:_ ->
            try list_to_float(S) catch _:_ -> throw({usage, "not a number: " ++ S}) end
    end.

int(S) ->
    try list_to_integer(S) catch _:_ -> throw({usage, "not an integer: " ++ S}) end.

record(#{node := NodeStr, output := Dir, seconds := Secs, opts := Opts, quiet := Q}) ->
    Node = node_name(NodeStr),
    case os:getenv("GENHEAP_BEAM_COOKIE") of
        false -> ok;
        "" -> ok;
        C -> erlang:set_cookie(Node, list_to_atom(C))
    end,
    net_kernel:connect_node(Node) orelse
        throw({fail, ?EX_CONNECT, "cannot connect to ~p (is it running, is the "
               "cookie right?)", [Node]}),
    erlang:monitor_node(Node, true),
    Release = rpc:call(Node, erlang, system_info, [otp_release]),
    Loaded = load_recorder(Node),
    info(Q, "recording ~p (OTP ~ts) for ~p s into ~ts", [Node, Release, Secs, Dir]),
    Sink = genheap_beam_sink:start(Dir, self()),
    case rpc:call(Node, genheap_beam, start_remote, [Sink, Opts]) of
        {ok, _Tracer} -> ok;
        Error ->
            unload(Node, Loaded),
            throw({fail, ?EX_RECORDING, "the recorder did not start on ~p: ~p",
                   [Node, Error]})
    end,
    catch_sigterm(),
    Result = receive
                 {nodedown, Node} -> {error, nodedown};
                 {genheap_beam_sink, Sink, Early} -> Early;
                 genheap_beam_sigterm ->
                     info(Q, "SIGTERM: stopping the recording", []),
                     stop_remote(Node, Sink)
             after round(Secs * 1000) ->
                 stop_remote(Node, Sink)
             end,
    unload(Node, Loaded),
    case Result of
        {ok, Summary} ->
            report(Q, Summary),
            io:format("~ts~n", [Dir]),
            ?EX_OK;
        {error, Why} ->
            Sink ! stop,
            receive {genheap_beam_sink, Sink, _} -> ok after 5000 -> ok end,
            err("the recording of ~p ended early (~p); the trace holds every "
                "packet that arrived", [Node, Why]),
            io:format("~ts~n", [Dir]),
            ?EX_RECORDING
    end;
record(A) ->
    Missing = [K || K <- [node, output, seconds], not maps:is_key(K, A)],
    throw({usage, lists:flatten(io_lib:format("missing ~ts",
                                              [lists:join(", ", [["--", atom_to_list(K)] || K <- Missing])]))}).

catch_sigterm() ->
    os:set_signal(sigterm, handle),
    catch gen_event:delete_handler(erl_signal_server, erl_signal_handler, []),
    ok = gen_event:add_handler(erl_signal_server, ?MODULE, self()).

init(Pid) -> {ok, Pid}.
handle_event(sigterm, Pid) ->
    Pid ! genheap_beam_sigterm,
    {ok, Pid};
handle_event(_, Pid) -> {ok, Pid}.
handle_call(_, Pid) -> {ok, ok, Pid}.
handle_info(_, Pid) -> {ok, Pid}.
terminate(_, _) -> ok.

stop_remote(Node, Sink) ->
    case rpc:call(Node, genheap_beam, stop, [], infinity) of
        {ok, _} ->
            receive
                {genheap_beam_sink, Sink, Done} -> Done;
                {nodedown, Node} -> {error, nodedown}
            after 60000 -> {error, sink_timeout}
            end;
        Error -> {error, Error}
    end.

node_name(S) ->
    case lists:member($@, S) of
        true -> list_to_atom(S);
        false ->
            [_, Host] = string:split(atom_to_list(node()), "@"),
            list_to_atom(S ++ "@" ++ Host)
    end.

%% Loads the recorder's object code into Node, unless the node has it
%% already (installed, or loaded by an earlier run); returns what it loaded.
load_recorder(Node) ->
    lists:foldl(
      fun(M, Acc) ->
              case rpc:call(Node, code, is_loaded, [M]) of
                  {file, _} -> Acc;
                  false ->
                      {M, Bin, File} = code:get_object_code(M),
                      case rpc:call(Node, code, load_binary, [M, File, Bin]) of
                          {module, M} -> [M | Acc];
                          Error ->
                              unload(Node, Acc),
                              throw({fail, ?EX_CONNECT, "cannot load ~p into ~p: ~p",
                                     [M, Node, Error]})
                      end;
                  Error ->
                      throw({fail, ?EX_CONNECT, "cannot reach ~p: ~p", [Node, Error]})
              end
      end, [], ?RECORDER_MODULES).

%% Leaves the node as it was: no recorder code once the recording is over.
unload(Node, Mods) ->
    [begin
         rpc:call(Node, code, purge, [M]),
         rpc:call(Node, code, delete, [M]),
         rpc:call(Node, code, purge, [M])
     end || M <- Mods],
    ok.

report(Q, S = #{events := E, discarded := D}) ->
    info(Q, "~p events, ~p lost~ts", [E, D, case maps:get(sheds, S, 0) of
                                              0 -> "";
                                              N -> io_lib:format(" (load shed ~p times)", [N])
                                          end]),
    [info(Q, "~ts sweep of ~ts: old heap ~p words, ~p kept after the sweep, "
          "~p freed; old refc binaries ~p words, ~p freed; quiet ~p ms",
          [W, N, Old, Kept, F, Bo, Fb, Qm])
     || #{why := W, name := N, old_heap_before := Old, kept := Kept,
          freed_old := F, bin_old_before := Bo, freed_bin := Fb,
          quiet_ms := Qm} <- maps:get(sweeps, S, [])],
    ok.
