package kvs.it;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import kvs.KeyNotFoundException;
import kvs.KvsException;
import kvs.UnavailableException;
import kvs.UnknownOutcomeException;
import kvs.check.RegisterChecker.Op;
import kvs.client.GroupClient;

/**
 * What the nemesis tests share: the faults they inflict on a group's processes, and the random
 * register operations their clients run and record.
 */
final class Nemesis {

    private Nemesis() {
    }

    /**
     * One fault on process {@code victim}, of the kind round {@code round} takes in turn (so a short
     * run has each): killed with SIGKILL and restarted after up to 2 s, paused with SIGSTOP for 1 to 3 s,
     * or isolated from the others' Raft links for 1 to 3 s; each recorded in {@code faults}.
     */
    static void strike(ClusterGroup group, int victim, int round, Random random, List<String> faults)
            throws IOException, InterruptedException {
        switch (round % 3) {
            case 0 -> {
                faults.add("kill n" + (victim + 1));
                group.members[victim].kill();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(2000));
                group.restart(victim);
            }
            case 1 -> {
                faults.add("pause n" + (victim + 1));
                group.members[victim].pause();
                TimeUnit.MILLISECONDS.sleep(1000 + random.nextInt(2000));
                group.members[victim].resume();
            }
            default -> {
                faults.add("isolate n" + (victim + 1));
                group.isolate(victim);
                TimeUnit.MILLISECONDS.sleep(1000 + random.nextInt(2000));
                group.heal();
            }
        }
    }

    /** What became of a client's operation. */
    enum Outcome {
        ACKNOWLEDGED,
        /** A write that reached no member, or a read that got no answer (or a write of unknown outcome, recorded as such). */
        NO_ANSWER,
        /** Refused by a shard's log as its slot moved ({@code TRYAGAIN}): nothing applied. */
        REFUSED_AS_MOVING
    }

    /**
     * One random operation (gets 40%, sets 40%, removes 20%) with a unique value, recorded in
     * {@code history} unless it certainly had no effect; a write whose outcome is unknown is
     * recorded as one that may have taken effect at any time after it was sent, or never.
     */
    static Outcome step(GroupClient client, String key, String value, int dice, List<Op> history) throws KvsException {
        long invoked = System.nanoTime();
        try {
            if (dice < 4) {
                String read = client.get(key).orElse(null);
                history.add(Op.get(read, invoked, System.nanoTime()));
            } else if (dice < 8) {
                client.set(key, value);
                history.add(Op.set(value, invoked, System.nanoTime()));
            } else {
                try {
                    client.remove(key);
                    history.add(Op.remove(true, invoked, System.nanoTime()));
                } catch (KeyNotFoundException e) {
                    history.add(Op.remove(false, invoked, System.nanoTime()));
                }
            }
            return Outcome.ACKNOWLEDGED;
        } catch (UnknownOutcomeException e) {
            history.add(Op.unknown(dice < 8 ? Op.set(value, invoked, invoked) : Op.remove(false, invoked, invoked)));
        } catch (UnavailableException e) {
            // a write that reached no member, or a read that got no answer: no effect to check
        } catch (KvsException e) {
            if (!String.valueOf(e.getMessage()).contains("TRYAGAIN")) {
                throw e;
            }
            return Outcome.REFUSED_AS_MOVING;
        }
        return Outcome.NO_ANSWER;
    }
}
