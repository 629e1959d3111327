%% genheap_beam_ctf -- the CTF 1.8 side of the BEAM recorder: the trace's
%% metadata (TSDL text) and the binary layout of packets and events.
%%
%% The events are genheap's schema (docs/trace-events.md, schema 2), so that
%% genheap-analyze, babeltrace2 and Trace Compass read a BEAM recording as
%% they read a libgenheap one.  Every integer is byte-aligned and
%% little-endian, so an event is one binary construction and nothing is ever
%% padded.  The event table below is the single source of the metadata; the
%% encoders in genheap_beam_tracer follow it field for field (the tests read
%% every event back with babeltrace2).
%%
%% Each packet is a stream file of its own (stream_0_SEQ, SEQ counting
%% from 0), written under a hidden name and renamed: a reader never sees
%% part of a packet, whether it reads while the recording goes on (live
%% view) or after the node was killed in the middle of a write (babeltrace2
%% refuses a whole stream whose last packet is cut short; it ignores hidden
%% files).  babeltrace2 puts the files of one stream in order by their
%% first timestamp, so packet beginnings strictly increase.
-module(genheap_beam_ctf).

-export([metadata/1, event_id/1, events/0, packet/6, header_bytes/0,
         gcinfo/2, sizes_from_info/1, zero_sizes/0, uuid_string/1,
         write_metadata/2, write_packet/3]).

%% The trace folder's metadata, written atomically.
write_metadata(Dir, Meta) ->
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    commit(Dir, "metadata", Meta).

%% Packet Seq as Dir/stream_0_SEQ.
write_packet(Dir, Seq, IoData) ->
    commit(Dir, lists:flatten(io_lib:format("stream_0_~8..0b", [Seq])), IoData).

commit(Dir, Name, IoData) ->
    Tmp = filename:join(Dir, "." ++ Name ++ ".tmp"),
    {ok, Fd} = file:open(Tmp, [raw, binary, write]),
    ok = file:write(Fd, IoData),
    ok = file:close(Fd),
    ok = prim_file:rename(Tmp, filename:join(Dir, Name)).

-define(MAGIC, 16#C1FC1FC1).
%% packet header (32 bytes) + packet context (52 bytes)
-define(HEADER_BYTES, 84).

%% The genheap trace schema written (field `schema` of genheap:proc_spawn).
-define(SCHEMA, 2).

%% {Id, Name, LogLevel, Fields}; a field is {Name, u64 | s32 | string} or
%% gcinfo (the GC-info block, GH_GC_INFO_FIELDS of genheap.h).
events() ->
    [{0, "genheap:proc_spawn", 6,
      [{pid, u64}, {name, string}, {schema, u64}, {min_heap_size, u64},
       {min_bin_vheap_size, u64}, {fullsweep_after, u64}, {max_heap_size, u64},
       {hibernate_after_ms, u64}]},
     {1, "genheap:proc_exit", 6,
      [{pid, u64}, {name, string}, {reason, s32}, gcinfo]},
     {2, "genheap:gc_minor_start", 6,
      [{pid, u64}, {name, string}, {need, u64}, gcinfo]},
     {3, "genheap:gc_minor_end", 6,
      [{pid, u64}, {name, string}, {reclaimed, u64}, gcinfo]},
     {4, "genheap:gc_major_start", 6,
      [{pid, u64}, {name, string}, {need, u64}, {reason, s32},
       {waiting_ms, u64}, {quiet_ms, u64}, {roots_unchanged, s32}, gcinfo]},
     {5, "genheap:gc_major_end", 6,
      [{pid, u64}, {name, string}, {reclaimed, u64}, {reason, s32}, gcinfo]},
     {6, "genheap:promotion", 6,
      [{pid, u64}, {words, u64}, {bin_bytes, u64}]},
     {7, "genheap:hibernate", 6,
      [{pid, u64}, {name, string}, {heap_block_before, u64},
       {old_heap_block_before, u64}, {mbuf_before, u64}, {total_before, u64},
       gcinfo]},
     {8, "genheap:proc_info", 6,
      [{pid, u64}, {name, string}, {trigger, s32}, gcinfo]}].

event_id(proc_spawn) -> 0;
event_id(proc_exit) -> 1;
event_id(gc_minor_start) -> 2;
event_id(gc_minor_end) -> 3;
event_id(gc_major_start) -> 4;
event_id(gc_major_end) -> 5;
event_id(promotion) -> 6;
event_id(hibernate) -> 7;
event_id(proc_info) -> 8.

%% The GC-info block, as genheap.h's GH_GC_INFO_FIELDS: BEAM's 11 sizes in
%% garbage_collection_info order, then the counters the recorder keeps.
gcinfo_fields() ->
    [old_heap_block_size, heap_block_size, mbuf_size, recent_size, stack_size,
     old_heap_size, heap_size, bin_vheap_size, bin_vheap_block_size,
     bin_old_vheap_size, bin_old_vheap_block_size,
     minor_gcs, full_sweeps, hibernations, words_promoted, words_reclaimed,
     gen_gcs, message_queue_len, refc_binaries].

header_bytes() -> ?HEADER_BYTES.

%% Env: a map of atom() => string() | integer(), written as the trace
%% environment (hostname, genheap_runtime, otp_release, node, ...).
%% Clock: {OffsetNs, UuidBin}, OffsetNs being the POSIX time in ns of clock
%% value 0.
metadata(#{uuid := Uuid, env := Env, clock_offset_ns := Offset}) ->
    OffS = Offset div 1000000000,
    OffNs = Offset rem 1000000000,
    EnvLines = [["  ", atom_to_list(K), " = ", env_value(V), ";\n"]
                || {K, V} <- lists:sort(maps:to_list(Env))],
    iolist_to_binary(
      ["/* CTF 1.8 */\n\n",
       "/* Written by genheap-beam, genheap's recorder for BEAM nodes.\n"
       " * Events: genheap trace schema ", integer_to_list(?SCHEMA),
       " (docs/trace-events.md). */\n\n",
       "typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
       "typealias integer { size = 16; align = 8; signed = false; } := uint16_t;\n"
       "typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
       "typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
       "typealias integer { size = 32; align = 8; signed = true; } := int32_t;\n\n"
       "trace {\n"
       "  major = 1;\n  minor = 8;\n"
       "  uuid = \"", uuid_string(Uuid), "\";\n"
       "  byte_order = le;\n"
       "  packet.header := struct {\n"
       "    uint32_t magic;\n"
       "    uint8_t  uuid[16];\n"
       "    uint32_t stream_id;\n"
       "    uint64_t stream_instance_id;\n"
       "  };\n"
       "};\n\n"
       "env {\n", EnvLines, "};\n\n"
       "clock {\n"
       "  name = \"monotonic\";\n"
       "  uuid = \"", uuid_string(clock_uuid(Uuid)), "\";\n"
       "  description = \"Erlang monotonic time of the node\";\n"
       "  freq = 1000000000;\n"
       "  precision = 1;\n"
       "  offset_s = ", integer_to_list(OffS), ";\n"
       "  offset = ", integer_to_list(OffNs), ";\n"
       "  absolute = FALSE;\n"
       "};\n\n"
       "typealias integer { size = 64; align = 8; signed = false;\n"
       "                    map = clock.monotonic.value; } := uint64_clock_monotonic_t;\n\n"
       "stream {\n"
       "  id = 0;\n"
       "  packet.context := struct {\n"
       "    uint64_clock_monotonic_t timestamp_begin;\n"
       "    uint64_clock_monotonic_t timestamp_end;\n"
       "    uint64_t content_size;\n"
       "    uint64_t packet_size;\n"
       "    uint64_t packet_seq_num;\n"
       "    uint64_t events_discarded;\n"
       "    uint32_t cpu_id;\n"
       "  };\n"
       "  event.header := struct {\n"
       "    uint16_t id;\n"
       "    uint64_clock_monotonic_t timestamp;\n"
       "  };\n"
       "  event.context := struct {\n"
       "    int32_t vpid;\n"
       "    string procname;\n"
       "  };\n"
       "};\n",
       [event_tsdl(E) || E <- events()]]).

env_value(V) when is_integer(V) -> integer_to_list(V);
env_value(V) -> [$", escape(unicode:characters_to_list(V)), $"].

escape(S) ->
    lists:flatmap(fun($") -> "\\\""; ($\\) -> "\\\\";
                     (C) when C < 32 -> "?";
                     (C) -> [C] end, S).

event_tsdl({Id, Name, LogLevel, Fields}) ->
    ["\nevent {\n"
     "  name = \"", Name, "\";\n"
     "  id = ", integer_to_list(Id), ";\n"
     "  stream_id = 0;\n"
     "  loglevel = ", integer_to_list(LogLevel), ";\n"
     "  fields := struct {\n",
     [field_tsdl(F) || F <- Fields],
     "  };\n"
     "};\n"].

field_tsdl(gcinfo) ->
    [["    uint64_t ", atom_to_list(N), ";\n"] || N <- gcinfo_fields()];
field_tsdl({N, u64}) -> ["    uint64_t ", atom_to_list(N), ";\n"];
field_tsdl({N, s32}) -> ["    int32_t ", atom_to_list(N), ";\n"];
field_tsdl({N, string}) -> ["    string ", atom_to_list(N), ";\n"].

%% One packet: header, context, then the events (an iolist of EventBytes
%% bytes).  Returns an iolist ready to be written at once.
packet(Uuid, Seq, {TsBegin, TsEnd}, Discarded, EventBytes, Events) ->
    Bits = (?HEADER_BYTES + EventBytes) * 8,
    [<<?MAGIC:32/little, Uuid:16/binary, 0:32/little, 0:64/little,
       TsBegin:64/little, TsEnd:64/little, Bits:64/little, Bits:64/little,
       Seq:64/little, Discarded:64/little, 0:32/little>> | Events].

%% The 19-word GC-info block: Sizes is BEAM's 11-tuple, Counters the
%% recorder's {Minor, Full, Hib, Promoted, Reclaimed, Gen, MsgQ, Refc}.
gcinfo({A, B, C, D, E, F, G, H, I, J, K}, {M, Fs, Hb, Pr, Rc, Gn, Mq, Rf}) ->
    <<A:64/little, B:64/little, C:64/little, D:64/little, E:64/little,
      F:64/little, G:64/little, H:64/little, I:64/little, J:64/little,
      K:64/little, M:64/little, Fs:64/little, Hb:64/little, Pr:64/little,
      Rc:64/little, Gn:64/little, Mq:64/little, Rf:64/little>>.

%% BEAM's garbage_collection_info list (any order) as the 11-tuple.
sizes_from_info(L) ->
    list_to_tuple([proplists:get_value(K, L, 0)
                   || K <- lists:sublist(gcinfo_fields(), 11)]).

zero_sizes() -> {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}.

uuid_string(<<A:32, B:16, C:16, D:16, E:48>>) ->
    lists:flatten(io_lib:format("~8.16.0b-~4.16.0b-~4.16.0b-~4.16.0b-~12.16.0b",
                                [A, B, C, D, E])).

clock_uuid(<<A:15/binary, L>>) -> <<A/binary, (L bxor 16#5A)>>.
