%% genheap_beam_sink -- writes a trace that a recorder on another node sends
%% over Erlang distribution (genheap-beam record): the metadata first, then
%% whole packets, each a file of its own as they arrive
%% (genheap_beam_ctf:write_packet/3), so the folder is a readable CTF trace
%% at every moment (live view) and after a lost connection.
-module(genheap_beam_sink).

-export([start/2]).
-export([init/2]). % spawned

%% Owner gets {genheap_beam_sink, Sink, Result} once the trace is closed:
%% Result is {ok, Summary} or {error, Why} (the recorder or its node went
%% away; the files hold every packet that arrived).
start(Dir, Owner) ->
    spawn_link(?MODULE, init, [Dir, Owner]).

init(Dir, Owner) ->
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    wait_metadata(Dir, Owner).

wait_metadata(Dir, Owner) ->
    receive
        {genheap_beam_metadata, From, Meta} ->
            ok = genheap_beam_ctf:write_metadata(Dir, Meta),
            MRef = erlang:monitor(process, From),
            loop(Dir, From, MRef, Owner, 0);
        stop ->
            Owner ! {genheap_beam_sink, self(), {error, no_recording}}
    end.

loop(Dir, From, MRef, Owner, Packets) ->
    receive
        {genheap_beam_packet, From, Seq, Bin} ->
            ok = genheap_beam_ctf:write_packet(Dir, Seq, Bin),
            loop(Dir, From, MRef, Owner, Packets + 1);
        {genheap_beam_done, From, Summary} ->
            Owner ! {genheap_beam_sink, self(), {ok, Summary#{received_packets => Packets}}};
        {'DOWN', MRef, process, From, Why} ->
            Owner ! {genheap_beam_sink, self(), {error, {recorder_down, Why, Packets}}};
        stop ->
            Owner ! {genheap_beam_sink, self(), {error, {stopped, Packets}}}
    end.
