package kvs.resp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import kvs.KvsException;
import kvs.MovedException;
import kvs.NotLeaderException;
import kvs.command.Dispatcher;
import kvs.command.Ops;
import kvs.security.Guard;
import kvs.session.Link;
import kvs.session.RequestTally;
import kvs.session.ServerStats;
import kvs.session.Session;
import kvs.slots.HashSlot;
import kvs.store.Store;
import kvs.store.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RESP connection's side: every whole request received is planned into the batch's operations,
 * the {@link Dispatcher} runs them (the same command layer as the kvs protocol's), and each
 * command's reply is written in order. A protocol error is answered after the requests before
 * it, then the connection closes, as Redis does; a request that looks like HTTP ({@code POST},
 * {@code Host:}) closes it at once: the requests before it run, but go unanswered.
 */
final class RespSession implements Session {

    /** The Redis version whose behaviour kvs follows, as HELLO and INFO report it. */
    static final String REDIS_VERSION = "7.2.0";

    private static final Logger log = LoggerFactory.getLogger(RespSession.class);
    /** Commands in one batch at most. */
    private static final int MAX_COMMANDS = 1024;
    /** Redis's answer to a write sent to a replica; a group's follower gives it (docs/CLUSTER.md). */
    static final String READONLY = "READONLY You can't write against a read only replica.";
    private static final int BUFFER = 8 << 10;
    /** The commands run at once inside a transaction, never queued (as Redis's processCommand). */
    private static final Set<String> NOT_QUEUED = Set.of("exec", "discard", "multi", "watch", "quit");
    private static final Reply QUEUED = out -> out.simple("QUEUED");
    static final RespError CROSSSLOT = new RespError("CROSSSLOT Keys in request don't hash to the same slot");

    private final Link link;
    private final Guard guard;
    private final RespProtocol.Settings settings;
    private final Dispatcher dispatcher;
    private final RespRequestReader reader;
    private final RespWriter out = new RespWriter(BUFFER);
    private final List<byte[]> argv = new ArrayList<>();
    private final Args args = new Args(argv);
    private final Ops ops = new Ops();
    private final RequestTally tally;
    /** The batch's commands: how each replies, and the end of its operations. */
    private Reply[] replies = new Reply[8];
    private int[] opsEnds = new int[8];
    /** Each command's name, counted once answered; null for a name not in the table (the kinds counted stay few). */
    private String[] kinds = new String[8];
    /** When the batch was taken, by {@link ServerStats#now}. */
    private long takenAt;
    private int commands;
    private int replied;
    private int executed;
    private long needed;
    /** A protocol error to answer after the batch, then close; null if none. */
    private String protocolError;
    /** Close at once, unanswered. */
    private boolean drop;
    /** QUIT: close after the batch's replies. */
    private boolean quit;
    private String name;
    /** The transaction MULTI began, if any. */
    private final Multi multi;
    /** The keys this connection watches; made at the first WATCH. */
    private Watch watch;
    /** Whether EXEC is planning the commands it queued. */
    private boolean runningQueued;

    RespSession(Link link, RespProtocol.Settings settings) {
        this.link = link;
        this.guard = link.guard();
        this.settings = settings;
        this.dispatcher = link.dispatcher();
        this.reader = new RespRequestReader(link.maxFrame());
        this.tally = new RequestTally(link.stats());
        this.multi = new Multi(link.maxFrame(), link.room());
    }

    @Override
    public int take(byte[] buf, int off, int len) {
        int p = off;
        int end = off + len;
        while (commands < MAX_COMMANDS && protocolError == null && !drop && !quit) {
            int n;
            try {
                reader.unauthenticated(!guard.open()); // an AUTH planned just before may have opened it
                n = reader.read(buf, p, end - p, argv);
            } catch (RespProtocolException e) {
                protocolError = e.reply().substring(1).trim();
                link.stats().error("ERR");
                log.debug("{}: {}", link.peer(), protocolError);
                break;
            }
            if (n == 0) {
                needed = reader.needed();
                break;
            }
            p += n;
            if (argv.isEmpty()) {
                continue;
            }
            String command = args.lower(0);
            if (command.equals("post") || command.equals("host:")) {
                log.warn("{}: possible cross-protocol attack (a RESP request named '{}'); closing", link.peer(), command);
                drop = true;
                break;
            }
            Reply reply = plan(command);
            add(reply, reply != QUEUED && Commands.exists(command) ? command : null); // a queued command counts when EXEC runs it
        }
        if (commands > 0 && replied == 0) {
            takenAt = link.stats().now();
        }
        return p - off;
    }

    /**
     * Plans the request named {@code command} (argument 0 in lower case), or queues it in the
     * transaction MULTI began. A request refused by the checks made before a command runs
     * refuses the transaction it was sent in (EXEC discards it); an EXEC so refused discards it
     * at once, as Redis does.
     */
    private Reply plan(String command) {
        try {
            return answered(command, () -> {
                Command c;
                try {
                    c = Commands.find(command, args, this);
                } catch (RespError e) {
                    throw refusedBeforeRunning(command, e);
                }
                boolean queued = multi.active() && !NOT_QUEUED.contains(command);
                if (settings.topology() != null) {
                    route(command, c, queued);
                }
                if (queued) {
                    multi.queue(argv);
                    return QUEUED;
                }
                return c.handler().plan(args, ops, this);
            });
        } finally {
            ops.endRequest();
        }
    }

    /**
     * A sharded cluster's check before a command runs or is queued, after the others as in Redis:
     * its keys must hash to one slot, served here; the command's operations then run on that
     * slot's shard. A queued command's slot is the transaction's, which EXEC runs in.
     */
    private void route(String command, Command c, boolean queued) {
        boolean exec = command.equals("exec");
        int slot = exec ? (multi.active() ? multi.slot() : Ops.NO_SLOT) : c.slot(args);
        RespError refusal = null;
        if (slot == HashSlot.SEVERAL) {
            refusal = CROSSSLOT;
        } else if (slot != Ops.NO_SLOT) {
            try {
                store().forSlot(slot);
            } catch (MovedException e) {
                refusal = moved(e);
            }
        }
        if (refusal != null) {
            if (!exec) {
                throw refusedBeforeRunning(command, refusal);
            }
            multi.end(); // an EXEC so refused discards the transaction, and answers the refusal as it is
            TransactionCommands.unwatch(ops, watch());
            throw refusal;
        }
        if (slot == Ops.NO_SLOT) {
            return;
        }
        if (queued) {
            multi.inSlot(slot);
        } else {
            ops.inSlot(slot);
        }
    }

    /** Redis Cluster's redirection to the process that serves a key's slot. */
    static RespError moved(MovedException e) {
        return new RespError("MOVED " + e.slot() + " " + e.respAddress());
    }

    /** A command's planning, which may refuse it. */
    @FunctionalInterface
    private interface Planning {
        Reply plan();
    }

    /** The reply {@code planning} plans for {@code command}, or the error it ends in, counted. */
    private Reply answered(String command, Planning planning) {
        try {
            return planning.plan();
        } catch (RespError e) {
            countError(e.line());
            return Reply.error(e);
        } catch (RuntimeException e) {
            log.error("planning {} failed", command, e);
            link.stats().error("ERR");
            return out -> out.error("ERR " + e.getMessage());
        }
    }

    /** What Redis answers a request its checks refuse, and what that does to a transaction. */
    private RespError refusedBeforeRunning(String command, RespError e) {
        if (command.equals("exec")) {
            if (multi.active()) {
                multi.end();
            }
            TransactionCommands.unwatch(ops, watch());
            return TransactionCommands.aborted(e);
        }
        if (multi.active()) {
            multi.refuse();
        }
        return e;
    }

    /** Plans a command EXEC runs, {@code command} queued with {@code queuedArgs}, into the transaction's {@code queue}; its error is its reply. */
    Reply planQueued(String command, Args queuedArgs, Ops queue) {
        runningQueued = true;
        try {
            return answered(command, () -> Commands.find(command, queuedArgs, this).handler().plan(queuedArgs, queue, this));
        } finally {
            runningQueued = false;
            queue.endRequest();
        }
    }

    /** Writes one element of EXEC's reply, or the error it ends in; the command it answers, {@code command}, is counted as if sent alone, as in Redis. */
    void writeElement(String command, Reply reply) {
        tally.add(command, takenAt);
        write(reply);
    }

    private void add(Reply reply, String kind) {
        if (commands == replies.length) {
            replies = Arrays.copyOf(replies, 2 * commands);
            opsEnds = Arrays.copyOf(opsEnds, 2 * commands);
            kinds = Arrays.copyOf(kinds, 2 * commands);
        }
        replies[commands] = reply;
        opsEnds[commands] = ops.size();
        kinds[commands] = kind;
        commands++;
    }

    @Override
    public long needed() {
        return needed;
    }

    @Override
    public boolean hasRequests() {
        return commands > 0 || protocolError != null || drop;
    }

    @Override
    public Step answer() throws IOException {
        if (executed < ops.size()) {
            executed = dispatcher.execute(ops, executed);
        }
        int from = replied;
        while (replied < commands && opsEnds[replied] <= executed) {
            if (kinds[replied] != null) { // before the reply: an INFO sees the runs before it, not itself, as in Redis
                tally.add(kinds[replied], takenAt);
                kinds[replied] = null;
            }
            write(replies[replied]);
            replies[replied] = null;
            replied++;
        }
        tally.flush();
        if (replied > from) {
            ops.forget(from == 0 ? 0 : opsEnds[from - 1], opsEnds[replied - 1]); // the values read are written out
        }
        link.stats().commandsAnswered(replied - from);
        if (replied < commands) {
            return Step.MORE;
        }
        commands = 0;
        replied = 0;
        executed = 0;
        ops.clear();
        if (drop) { // the requests before it ran, as in Redis, but nothing more is said
            out.clear();
            return Step.CLOSE;
        }
        if (protocolError != null) {
            out.error(protocolError.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)); // a byte it quotes, as it came
            return Step.CLOSE;
        }
        return quit ? Step.CLOSE : Step.DONE;
    }

    /** Writes a command's reply, or the error it ends in; a reply cut short by an error is taken back. */
    private void write(Reply reply) {
        int mark = out.size();
        try {
            reply.write(out);
        } catch (RespError e) {
            out.truncate(mark);
            out.error(e.line());
            countError(e.line());
        } catch (MovedException e) {
            out.truncate(mark);
            out.error(moved(e).line());
            link.stats().error("MOVED");
        } catch (NotLeaderException e) {
            // A follower of a replicated group: Redis's reply from a replica, which clients know.
            out.truncate(mark);
            out.error(READONLY);
            link.stats().error("READONLY");
        } catch (KvsException | RuntimeException e) {
            out.truncate(mark);
            out.error("ERR " + e.getMessage());
            link.stats().error("ERR");
        }
    }

    /** Counts an error reply by its prefix, the first word of its line (ERR, WRONGPASS...), as INFO's errorstats do. */
    private void countError(byte[] line) {
        int end = 0;
        while (end < line.length && line[end] != ' ') {
            end++;
        }
        link.stats().error(new String(line, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Override
    public void send() throws IOException {
        if (out.size() > 0) {
            link.out().write(out.array(), 0, out.size());
            out.clear();
        }
    }

    // What the commands see of the connection and the server.

    long id() {
        return link.clientId();
    }

    String name() {
        return name;
    }

    void name(String name) {
        this.name = name.isEmpty() ? null : name;
    }

    void library(String attribute, String value) {
        log.debug("{}: {} {}", link.peer(), attribute, value);
    }

    void quit() {
        quit = true;
    }

    Multi multi() {
        return multi;
    }

    /** The keys this connection watches. */
    Watch watch() {
        if (watch == null) {
            watch = Watch.on(store());
        }
        return watch;
    }

    /** Whether EXEC is planning the commands it queued (an UNWATCH among them does nothing). */
    boolean runningQueued() {
        return runningQueued;
    }

    /** The connection is gone: what it queued is dropped, and what it watched let go. */
    @Override
    public void close() {
        if (multi.active()) {
            multi.end();
        }
        if (watch != null) {
            watch.close();
        }
    }

    /** Whether the client may run commands other than AUTH, HELLO and QUIT. */
    boolean authenticated() {
        return guard.open();
    }

    boolean passwordSet() {
        return guard.passwordSet();
    }

    /** Checks {@code password} in constant time; opens the connection if it is right. */
    boolean authenticate(byte[] password) {
        return guard.authenticate(password);
    }

    long maxBulk() {
        return link.maxFrame();
    }

    Store store() {
        return dispatcher.store();
    }

    ServerStats stats() {
        return link.stats();
    }

    RespProtocol.Settings settings() {
        return settings;
    }

    /** The port the client connected to. */
    int port() {
        return link.local() instanceof java.net.InetSocketAddress a ? a.getPort() : 0;
    }
}
