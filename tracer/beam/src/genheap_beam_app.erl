%% genheap_beam_app -- the OTP application genheap_beam.  It runs nothing by
%% itself: it exists so that a node started with recording on (genheap-beam
%% run, genheap_beam:boot/0) closes its trace, with the end sweeps, when the
%% node stops cleanly (init:stop/0, Elixir's System.stop/1).  Applications
%% stop in the reverse order of their start, and this one starts first, so
%% the program's own applications are gone by then; the processes it
%% started outside applications are still there.
-module(genheap_beam_app).
-behaviour(application).
-behaviour(supervisor).

-export([start/2, prep_stop/1, stop/1]).
-export([init/1]).

start(_Type, _Args) ->
    supervisor:start_link(?MODULE, []).

prep_stop(State) ->
    case application:get_env(genheap_beam, boot_recording) of
        {ok, true} -> _ = genheap_beam:stop();
        _ -> ok
    end,
    State.

stop(_State) -> ok.

init([]) ->
    {ok, {#{strategy => one_for_one}, []}}.
