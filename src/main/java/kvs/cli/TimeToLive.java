package kvs.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * Parses a time to live for kvs-client: a whole number and a unit, {@code ms}, {@code s},
 * {@code m} or {@code h} ({@code 500ms}, {@code 30s}, {@code 15m}, {@code 2h}); a bare number is
 * seconds, as Redis's EXPIRE and kvs-server's --timeout take them.
 */
public class TimeToLive implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        Matcher m = FORM.matcher(value);
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("bad time to live '" + value
                    + "': expected a whole number and a unit, ms, s, m or h, as 30s (a bare number is seconds)");
        }
        long perUnit = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        try {
            return Duration.ofMillis(Math.multiplyExact(Long.parseLong(m.group(1)), perUnit));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CommandLine.TypeConversionException("bad time to live '" + value
                    + "': too long (at most 9223372036854775807ms)");
        }
    }

    /** A time to live that is not zero, for a set. */
    public static final class Positive extends TimeToLive {
        @Override
        public Duration convert(String value) {
            Duration ttl = super.convert(value);
            if (ttl.isZero()) {
                throw new CommandLine.TypeConversionException("bad time to live '" + value + "': it must be at least 1ms");
            }
            return ttl;
        }
    }
}
