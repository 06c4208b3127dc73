#!/usr/bin/env escript
%% -*- erlang -*-
%%
%% Drives Basho's Bitcask (Debian's erlang-bitcask) with the workload of bench/peers/run.sh and
%% prints one Markdown row per case:
%%
%%   | engine | op | value | fsync | threads | keys | ops/s |
%%
%% For each fsync mode it opens a fresh store under --dir, loads --keys keys, then measures get and
%% set with 1 and 4 worker processes: one warm-up interval, then three measured intervals, of which
%% it prints the median. Run by hand:
%%
%%   escript bench/peers/bitcask_bench.escript --dir "$(mktemp -d)" [--keys N] [--warmup-ms MS] [--interval-ms MS]
%%
%% How the workers share the store, and why (read from the beams this package ships, which carry
%% debug info, with beam_lib:chunks(Beam, [abstract_code]); each point below was also tried):
%%  - A Bitcask handle belongs to the process that opened it. bitcask:open/2 keeps the handle's
%%    state in that process's dictionary (erlang:put(Ref, State)), so any other process that uses
%%    the Ref gets {error, {invalid_ref, Ref}}, for reads as well as writes. With the default
%%    io_mode (erlang) every open file is also a gen_server that answers only the process that
%%    opened it (check_owner). So concurrent writers on one read_write handle are not merely
%%    unsafe, they are impossible; and a second read_write handle on the same directory, in any
%%    process, fails its first put with {error, locked} (the directory's write lock).
%%  - Sets: one owner process opens the read_write handle and performs every write; the workers
%%    (1 or 4) send it {put, Key} and wait for its reply, as clients of a server would. With
%%    fsync=always the owner calls bitcask:sync/1 after each put, before it replies, so a write is
%%    durable before the worker's call returns; it does no group commit (Bitcask has none), so 4
%%    workers queue behind one writer. bitcask:sync/1 fsyncs the data file and then its hint
%%    file: two fsyncs per write. With fsync=everysec a timer asks the owner to sync once a
%%    second. The 1-worker rows go through the owner too, so they include one message round trip
%%    per write and compare like with like against the 4-worker rows.
%%  - Gets: each worker opens its own read-only handle on the same directory (bitcask:open/1).
%%    Within one VM the keydir is shared by directory name (bitcask_nifs:keydir_new/1), so readers
%%    see the owner's index and open the data files themselves; this is the "one writer, any
%%    number of readers" use that Bitcask documents.
%%  - The sync_strategy o_sync option is not used: with the erlang io_mode it only logs "Bitcask
%%    file option 'o_sync' not supported" and syncs nothing.

-mode(compile).  % escripts are interpreted unless told otherwise; measure compiled code

-define(VALUE_SIZE, 100).
-define(KEYS, {?MODULE, keys}).  % the key names, a tuple in persistent_term: read without copying

main(Args) ->
    Opts = parse(Args, #{keys => 1000, warmup_ms => 1000, interval_ms => 1000}),
    Dir = maps:get(dir, Opts, undefined),
    N = maps:get(keys, Opts),
    (Dir =:= undefined orelse N < 1) andalso usage(),
    process_flag(trap_exit, true),  % a crashed worker or owner fails the run (see pause/1)
    Keys = [iolist_to_binary(io_lib:format("key~7..0B", [I])) || I <- lists:seq(0, N - 1)],
    persistent_term:put(?KEYS, list_to_tuple(Keys)),
    Value = binary:copy(<<"v">>, ?VALUE_SIZE),
    ok = application:load(bitcask),
    {ok, AppVsn} = application:get_key(bitcask, vsn),
    "bitcask-" ++ Vsn = filename:basename(code:lib_dir(bitcask)),  % the package's version
    io:format("# bitcask ~s (Debian erlang-bitcask; its bitcask.app says ~s), OTP ~s, erts ~s, "
              "io_mode erlang, writes through one owner process, bitcask:sync/1 per write (always) "
              "or per second (everysec)~n",
              [Vsn, AppVsn,
               erlang:system_info(otp_release), erlang:system_info(version)]),
    Times = {maps:get(warmup_ms, Opts), maps:get(interval_ms, Opts)},
    lists:foreach(fun(Fsync) ->
                          run_fsync(filename:join(Dir, "bitcask-" ++ atom_to_list(Fsync)),
                                    Fsync, N, Value, Times)
                  end, [always, everysec]).

%% Opens a fresh store with an owner process, loads every key and measures each case.
run_fsync(Dir, Fsync, N, Value, Times) ->
    Main = self(),
    io:format(standard_error, "bitcask: loading ~b keys (fsync ~s)~n", [N, Fsync]),
    Owner = spawn_link(fun() -> owner_init(Dir, Fsync, N, Value, Main) end),
    receive
        {loaded, Owner} -> ok;
        {'EXIT', Owner, Reason} -> fail("owner", Reason)
    end,
    Get = fun(Counter, Stop) ->
                  Ref = bitcask:open(Dir),  % read-only: this process's own handle
                  is_reference(Ref) orelse exit({open, Dir, Ref}),
                  get_loop(Ref, N, Value, Counter, Stop),
                  ok = bitcask:close(Ref)
          end,
    Set = fun(Counter, Stop) -> set_loop(Owner, N, Counter, Stop) end,
    lists:foreach(
      fun({Op, Worker}) ->
              lists:foreach(
                fun(Threads) ->
                        Rate = measure(Worker, Threads, Times),
                        io:format("| bitcask | ~s | ~b B | ~s | ~b | ~b | ~s |~n",
                                  [Op, ?VALUE_SIZE, Fsync, Threads, N, thousands(Rate)])
                end, [1, 4])
      end, [{get, Get}, {set, Set}]),
    Owner ! close,
    await_exit(Owner).

%% The owner: the one process that holds the read_write handle.
owner_init(Dir, Fsync, N, Value, Main) ->
    Ref = bitcask:open(Dir, [read_write]),
    is_reference(Ref) orelse exit({open, Dir, Ref}),
    load(Ref, N, Value),
    ok = bitcask:sync(Ref),
    Fsync =:= everysec andalso ({ok, _} = timer:send_interval(1000, sync)),
    Main ! {loaded, self()},
    owner_loop(Ref, Fsync, Value).

load(_Ref, 0, _Value) -> ok;
load(Ref, I, Value) ->
    ok = bitcask:put(Ref, element(I, persistent_term:get(?KEYS)), Value),
    load(Ref, I - 1, Value).

owner_loop(Ref, Fsync, Value) ->
    receive
        {put, From, Key} ->
            ok = bitcask:put(Ref, Key, Value),
            Fsync =:= always andalso (ok = bitcask:sync(Ref)),
            From ! {put_done, self()},
            owner_loop(Ref, Fsync, Value);
        sync ->
            ok = bitcask:sync(Ref),
            owner_loop(Ref, Fsync, Value);
        close ->
            ok = bitcask:close(Ref)
    end.

set_loop(Owner, N, Counter, Stop) ->
    case atomics:get(Stop, 1) of
        1 -> ok;
        0 ->
            Owner ! {put, self(), random_key(N)},
            receive {put_done, Owner} -> ok end,
            counters:add(Counter, 1, 1),
            set_loop(Owner, N, Counter, Stop)
    end.

get_loop(Ref, N, Value, Counter, Stop) ->
    case atomics:get(Stop, 1) of
        1 -> ok;
        0 ->
            Key = random_key(N),
            case bitcask:get(Ref, Key) of
                {ok, Value} -> ok;  % Value is bound: the bytes must match
                Other -> exit({get, Key, Other})  % not_found included: it fails the run
            end,
            counters:add(Counter, 1, 1),
            get_loop(Ref, N, Value, Counter, Stop)
    end.

random_key(N) -> element(rand:uniform(N), persistent_term:get(?KEYS)).

%% Runs Threads workers and returns the median ops/s of three measured intervals.
measure(Worker, Threads, {WarmupMs, IntervalMs}) ->
    Counter = counters:new(1, [write_concurrency]),
    Stop = atomics:new(1, []),
    Pids = [spawn_link(fun() -> Worker(Counter, Stop) end) || _ <- lists:seq(1, Threads)],
    pause(WarmupMs),
    Rates = [interval_rate(Counter, IntervalMs) || _ <- [1, 2, 3]],
    atomics:put(Stop, 1, 1),
    lists:foreach(fun await_exit/1, Pids),
    lists:nth(2, lists:sort(Rates)).

interval_rate(Counter, Ms) ->
    Start = erlang:monotonic_time(),
    Done = counters:get(Counter, 1),
    pause(Ms),
    Seconds = erlang:convert_time_unit(erlang:monotonic_time() - Start, native, microsecond) / 1.0e6,
    (counters:get(Counter, 1) - Done) / Seconds.

%% Waits Ms milliseconds; no linked process may end meanwhile.
pause(Ms) ->
    receive
        {'EXIT', Pid, Reason} -> fail(Pid, Reason)
    after Ms -> ok
    end.

%% Waits for Pid to end normally; the others' normal exits stay queued for their own await_exit.
await_exit(Pid) ->
    receive
        {'EXIT', Pid, normal} -> ok;
        {'EXIT', Other, Reason} when Reason =/= normal -> fail(Other, Reason)
    end.

fail(Who, Reason) ->
    io:format(standard_error, "bitcask_bench: ~p failed: ~p~n", [Who, Reason]),
    halt(1).

%% 12345.6 -> "12,346", like the kvs tables.
thousands(Rate) ->
    Digits = integer_to_list(round(Rate)),
    Head = length(Digits) rem 3,
    Groups = [lists:sublist(Digits, I, 3) || I <- lists:seq(Head + 1, length(Digits), 3)],
    lists:join(",", [lists:sublist(Digits, Head) || Head > 0] ++ Groups).

parse([], Opts) -> Opts;
parse(["--dir", Dir | Rest], Opts) -> parse(Rest, Opts#{dir => Dir});
parse(["--keys", N | Rest], Opts) -> parse(Rest, Opts#{keys => list_to_integer(N)});
parse(["--warmup-ms", Ms | Rest], Opts) -> parse(Rest, Opts#{warmup_ms => list_to_integer(Ms)});
parse(["--interval-ms", Ms | Rest], Opts) -> parse(Rest, Opts#{interval_ms => list_to_integer(Ms)});
parse(_, _) -> usage().

usage() ->
    io:format(standard_error, "usage: bitcask_bench.escript --dir DIR [--keys N] "
              "[--warmup-ms MS] [--interval-ms MS]~n", []),
    halt(2).
