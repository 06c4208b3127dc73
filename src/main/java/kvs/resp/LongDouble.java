package kvs.resp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * INCRBYFLOAT's arithmetic as Redis does it on x86-64: in a C {@code long double} (x87 extended
 * precision: a 64-bit significand, each result rounded to nearest, ties to even), printed with
 * {@code %.17Lf} and its trailing zeros trimmed. Values are kept exactly in BigDecimals holding
 * only what a long double can hold, so the results are Redis's digit for digit.
 */
final class LongDouble {

    /** Redis's {@code MAX_LONG_DOUBLE_CHARS}: a text this long or longer is not a float. */
    private static final int MAX_CHARS = 5 * 1024;
    private static final int SIGNIFICAND_BITS = 64;
    /** The largest binary exponent of a finite long double (its largest value is just under 2^16384). */
    private static final int MAX_EXPONENT = 16383;
    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(SIGNIFICAND_BITS - 1);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(SIGNIFICAND_BITS);

    private LongDouble() {
    }

    /**
     * The long double nearest {@code text}, as Redis's {@code string2ld} reads it ({@code strtold},
     * no leading blank, nothing after the number).
     *
     * @throws RespError not a valid float, or (infinity) the NaN-or-infinity error
     */
    static BigDecimal parse(String text) {
        if (text.isEmpty() || text.length() >= MAX_CHARS || Character.isWhitespace(text.charAt(0))) {
            throw RespError.NOT_FLOAT;
        }
        String unsigned = text.charAt(0) == '+' || text.charAt(0) == '-' ? text.substring(1) : text;
        String lower = unsigned.toLowerCase(Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            throw NAN_OR_INFINITY; // strtold reads it; the sum is then infinite
        }
        try {
            return round(new BigDecimal(text));
        } catch (NumberFormatException e) {
            throw RespError.NOT_FLOAT;
        }
    }

    static final RespError NAN_OR_INFINITY = new RespError("ERR increment would produce NaN or Infinity");

    /** {@code a + b} rounded to a long double. */
    static BigDecimal add(BigDecimal a, BigDecimal b) {
        return round(a.add(b));
    }

    /** The long double nearest {@code v}: its significand rounded to 64 bits, ties to even. */
    static BigDecimal round(BigDecimal v) {
        if (v.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigInteger unscaled = v.unscaledValue().abs();
        // log2|v| is about bitLength(unscaled) - scale * log2(10); refine the exponent from there.
        int e = (int) Math.floor(unscaled.bitLength() - v.scale() * 3.321928094887362) - SIGNIFICAND_BITS;
        BigInteger m;
        while (true) {
            m = scaledSignificand(unscaled, v.scale(), e);
            if (m.compareTo(TWO_64) >= 0) {
                e++;
            } else if (m.compareTo(TWO_63) < 0) {
                e--;
            } else {
                break;
            }
        }
        if (e + SIGNIFICAND_BITS - 1 > MAX_EXPONENT) {
            throw NAN_OR_INFINITY;
        }
        BigDecimal exact = e >= 0 ? new BigDecimal(m.shiftLeft(e)) : new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-e)), -e);
        return v.signum() < 0 ? exact.negate() : exact;
    }

    /** unscaled × 10^-scale × 2^-e, rounded to an integer, ties to even. */
    private static BigInteger scaledSignificand(BigInteger unscaled, int scale, int e) {
        BigInteger num = unscaled;
        BigInteger den = BigInteger.ONE;
        if (scale > 0) {
            den = BigInteger.TEN.pow(scale);
        } else if (scale < 0) {
            num = num.multiply(BigInteger.TEN.pow(-scale));
        }
        if (e > 0) {
            den = den.shiftLeft(e);
        } else if (e < 0) {
            num = num.shiftLeft(-e);
        }
        BigInteger[] qr = num.divideAndRemainder(den);
        int half = qr[1].shiftLeft(1).compareTo(den);
        return half > 0 || half == 0 && qr[0].testBit(0) ? qr[0].add(BigInteger.ONE) : qr[0];
    }

    /** As Redis prints it for humans: {@code %.17Lf}, trailing zeros and a trailing point removed, "-0" as "0". */
    static String format(BigDecimal v) {
        String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        s = s.substring(0, end);
        return s.equals("-0") ? "0" : s;
    }
}
