package kvs.resp;

/**
 * Redis's glob-style patterns ({@code stringmatchlen}), over bytes: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a-z]} and {@code \x} to match x itself.
 */
final class Glob {

    private Glob() {
    }

    static boolean matches(byte[] pattern, byte[] s, boolean nocase) {
        return match(pattern, 0, s, 0, nocase, 0);
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si, boolean nocase, int depth) {
        if (depth > 1000) {
            return false; // Redis's guard against patterns that would take exponential time
        }
        while (pi < p.length && si < s.length) {
            switch (p[pi]) {
                case '*' -> {
                    while (pi + 1 < p.length && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length) {
                        return true;
                    }
                    for (int k = si; k < s.length; k++) {
                        if (match(p, pi + 1, s, k, nocase, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> si++;
                case '[' -> {
                    pi++;
                    boolean not = pi < p.length && p[pi] == '^';
                    if (not) {
                        pi++;
                    }
                    boolean found = false;
                    while (true) {
                        if (pi < p.length && p[pi] == '\\' && pi + 1 < p.length) {
                            pi++;
                            found |= p[pi] == s[si];
                        } else if (pi >= p.length || p[pi] == ']') {
                            break;
                        } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                            int start = p[pi] & 0xFF;
                            int end = p[pi + 2] & 0xFF;
                            int c = s[si] & 0xFF;
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = lower(start);
                                end = lower(end);
                                c = lower(c);
                            }
                            pi += 2;
                            found |= c >= start && c <= end;
                        } else {
                            found |= same(p[pi], s[si], nocase);
                        }
                        pi++;
                    }
                    if (pi >= p.length) {
                        pi--; // the pattern ended inside the brackets: as Redis, the last char stands
                    }
                    if (not == found) {
                        return false;
                    }
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length) {
                        pi++;
                    }
                    if (!same(p[pi], s[si], nocase)) {
                        return false;
                    }
                    si++;
                }
                default -> {
                    if (!same(p[pi], s[si], nocase)) {
                        return false;
                    }
                    si++;
                }
            }
            pi++;
        }
        if (si == s.length) {
            while (pi < p.length && p[pi] == '*') {
                pi++;
            }
        }
        return pi == p.length && si == s.length;
    }

    private static boolean same(byte a, byte b, boolean nocase) {
        return a == b || nocase && lower(a & 0xFF) == lower(b & 0xFF);
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
}
