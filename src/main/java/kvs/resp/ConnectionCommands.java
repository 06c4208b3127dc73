package kvs.resp;

import kvs.command.Ops;

/** The connection commands: PING, ECHO, QUIT, AUTH, HELLO, SELECT, CLIENT. */
final class ConnectionCommands {

    private static final RespError WRONGPASS = new RespError("WRONGPASS invalid username-password pair or user is disabled.");
    private static final RespError NO_PASSWORD = new RespError("ERR AUTH <password> called without any password"
            + " configured for the default user. Are you sure your configuration is correct?");
    private static final RespError HELLO_NOAUTH = new RespError("NOAUTH HELLO must be called with the client already"
            + " authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the"
            + " client and select the RESP protocol version at the same time");

    private ConnectionCommands() {
    }

    static Reply ping(Args args, Ops ops, RespSession client) {
        if (args.size() > 2) {
            throw RespError.arity("ping");
        }
        if (args.size() == 2) {
            byte[] message = args.bytes(1);
            return out -> out.bulk(message);
        }
        return out -> out.simple("PONG");
    }

    static Reply echo(Args args, Ops ops, RespSession client) {
        byte[] message = args.bytes(1);
        return out -> out.bulk(message);
    }

    static Reply quit(Args args, Ops ops, RespSession client) {
        client.quit();
        return Reply.ok();
    }

    /**
     * AUTH [username] password: the only user is "default". Runs as it is planned, so the
     * requests after it in the same batch see its outcome.
     */
    static Reply auth(Args args, Ops ops, RespSession client) {
        if (args.size() > 3) {
            throw RespError.SYNTAX;
        }
        if (args.size() == 2 && !client.passwordSet()) {
            throw NO_PASSWORD;
        }
        authenticate(args.size() == 3 ? args.raw(1) : "default", args.bytes(args.size() - 1), client);
        return Reply.ok();
    }

    /** Checks a user and password; with no password set, the default user takes any (Redis's nopass). */
    private static void authenticate(String user, byte[] password, RespSession client) {
        if (!user.equals("default")) {
            client.authenticate(new byte[0]); // counted and logged as a failure, in the same time as any other
            throw WRONGPASS;
        }
        if (client.passwordSet() && !client.authenticate(password)) {
            throw WRONGPASS;
        }
    }

    /** HELLO [protover [AUTH username password] [SETNAME clientname]]. */
    static Reply hello(Args args, Ops ops, RespSession client) {
        int version = 0;
        int j = 1;
        if (args.size() >= 2) {
            long v;
            try {
                v = args.integer(j++);
            } catch (RespError e) {
                throw new RespError("ERR Protocol version is not an integer or out of range");
            }
            if (v < 2 || v > 3) {
                throw new RespError("NOPROTO unsupported protocol version");
            }
            version = (int) v;
        }
        String name = null;
        String user = null;
        byte[] password = null;
        for (; j < args.size(); j++) {
            int more = args.size() - 1 - j;
            String option = args.lower(j);
            if (option.equals("auth") && more >= 2) {
                user = args.raw(j + 1);
                password = args.bytes(j + 2);
                j += 2;
            } else if (option.equals("setname") && more >= 1) {
                name = checkName(args, ++j);
            } else {
                throw RespError.quoting("ERR Syntax error in HELLO option '" + args.raw(j) + "'");
            }
        }
        if (user != null) {
            authenticate(user, password, client);
        }
        if (!client.authenticated()) {
            throw HELLO_NOAUTH;
        }
        String newName = name;
        int newVersion = version;
        return out -> {
            if (newName != null) {
                client.name(newName);
            }
            if (newVersion != 0) {
                out.protocol(newVersion);
            }
            out.map(7);
            out.bulk("server").bulk("kvs");
            out.bulk("version").bulk(RespSession.REDIS_VERSION);
            out.bulk("proto").integer(out.protocol());
            out.bulk("id").integer(client.id());
            out.bulk("mode").bulk(client.settings().topology() == null ? "standalone" : "cluster");
            out.bulk("role").bulk("master");
            out.bulk("modules").array(0);
        };
    }

    static Reply select(Args args, Ops ops, RespSession client) {
        database(args, 1);
        return Reply.ok();
    }

    /**
     * Checks that argument {@code i} names a database kvs has: 0, the only one (Redis with
     * {@code --databases 1}), as SELECT, COPY and MOVE
     * check it.
     *
     * @throws RespError Redis's error for a number that is not an int, or a database out of range
     */
    static void database(Args args, int i) {
        long db = args.integer(i);
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
            throw new RespError("ERR value is out of range, value must between " + Integer.MIN_VALUE + " and "
                    + Integer.MAX_VALUE);
        }
        if (db != 0) {
            throw new RespError("ERR DB index is out of range");
        }
    }

    static Reply clientSetname(Args args, Ops ops, RespSession client) {
        String name = checkName(args, 2);
        return out -> {
            client.name(name);
            out.simple("OK");
        };
    }

    static Reply clientGetname(Args args, Ops ops, RespSession client) {
        return out -> {
            if (client.name() == null) {
                out.nullBulk();
            } else {
                out.bulk(client.name());
            }
        };
    }

    static Reply clientId(Args args, Ops ops, RespSession client) {
        return out -> out.integer(client.id());
    }

    /** CLIENT SETINFO LIB-NAME|LIB-VER value. */
    static Reply clientSetinfo(Args args, Ops ops, RespSession client) {
        String attribute = args.lower(2);
        if (!attribute.equals("lib-name") && !attribute.equals("lib-ver")) {
            throw RespError.quoting("ERR Unrecognized option '" + args.raw(2) + "'");
        }
        if (!printable(args.bytes(3))) {
            throw new RespError("ERR " + attribute + " cannot contain spaces, newlines or special characters.");
        }
        String value = args.raw(3); // printable ASCII, checked above
        return out -> {
            client.library(attribute, value);
            out.simple("OK");
        };
    }

    /** A client name: empty (no name), or printable ASCII without spaces, as Redis requires. */
    private static String checkName(Args args, int i) {
        if (!printable(args.bytes(i))) {
            throw new RespError("ERR Client names cannot contain spaces, newlines or special characters.");
        }
        return args.raw(i); // printable ASCII, checked above
    }

    private static boolean printable(byte[] b) {
        for (byte c : b) {
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }
}
