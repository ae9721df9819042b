package dev.ddbbulk.worker.split;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Cuts the sort keys after {@code from} and up to {@code to} into parts of about equal width, for keys of any
 * of DynamoDB's three key types: numbers arithmetically; strings (by code point, which orders them as DynamoDB
 * does, by their UTF-8 bytes) and binaries (by unsigned byte) by interpolating their characters after the
 * prefix the two bounds share, as digits over the alphabet the bounds' own characters span.
 *
 * <p>Written here because no library interpolates DynamoDB keys. The parts are only as even as the keys are
 * spread, but they are always correct: every boundary lies strictly between its neighbours, so the parts
 * {@code (from, b1], (b1, b2], ... (bk, to]} cover every key of the range exactly once.
 */
public final class SortKeyInterpolation {
    /** DynamoDB keeps 38 significant digits of a number. */
    private static final MathContext NUMBER_DIGITS = new MathContext(38, RoundingMode.HALF_EVEN);
    /** Digits interpolated past the longer bound, so that close bounds still have room between them. */
    private static final int EXTRA_DIGITS = 2;

    private SortKeyInterpolation() {
    }

    /**
     * The boundaries strictly between {@code from} and {@code to}, increasing, at most {@code parts - 1} of them;
     * none when {@code from} is not below {@code to} or nothing fits between them.
     *
     * @param type the sort key's type: "N", "S" or "B"
     */
    public static List<AttributeValue> boundaries(AttributeValue from, AttributeValue to, String type, int parts) {
        if (parts < 2) {
            return List.of();
        }
        return switch (type) {
            case "N" -> numbers(new BigDecimal(from.n()), new BigDecimal(to.n()), parts);
            case "S" -> strings(from.s(), to.s(), parts);
            case "B" -> binaries(from.b().asByteArrayUnsafe(), to.b().asByteArrayUnsafe(), parts);
            default -> throw new IllegalArgumentException("A sort key is of type N, S or B, got " + type);
        };
    }

    /**
     * How far {@code at} lies from {@code from} towards {@code to}, 0 to 1, by the same measure the boundaries are
     * cut by: how a worker tells, from its last page, how much of a range is left.
     */
    public static double fraction(AttributeValue from, AttributeValue to, AttributeValue at, String type) {
        if (compare(from, to, type) >= 0) {
            return 1;
        }
        double f = switch (type) {
            case "N" -> new BigDecimal(at.n()).subtract(new BigDecimal(from.n()))
                    .divide(new BigDecimal(to.n()).subtract(new BigDecimal(from.n())), MathContext.DECIMAL64)
                    .doubleValue();
            case "S" -> fraction(from.s().codePoints().toArray(), to.s().codePoints().toArray(),
                    at.s().codePoints().toArray());
            case "B" -> fraction(unsigned(from.b().asByteArrayUnsafe()), unsigned(to.b().asByteArrayUnsafe()),
                    unsigned(at.b().asByteArrayUnsafe()));
            default -> throw new IllegalArgumentException("A sort key is of type N, S or B, got " + type);
        };
        return Math.max(0, Math.min(1, f));
    }

    private static double fraction(int[] from, int[] to, int[] at) {
        Alphabet alphabet = Alphabet.of(from, to);
        BigInteger low = alphabet.value(from);
        BigInteger width = alphabet.value(to).subtract(low);
        return new BigDecimal(alphabet.value(at).subtract(low))
                .divide(new BigDecimal(width), MathContext.DECIMAL64).doubleValue();
    }

    /** Compares two sort keys of one type as DynamoDB orders them. */
    public static int compare(AttributeValue a, AttributeValue b, String type) {
        return switch (type) {
            case "N" -> new BigDecimal(a.n()).compareTo(new BigDecimal(b.n()));
            case "S" -> compareDigits(a.s().codePoints().toArray(), b.s().codePoints().toArray());
            case "B" -> Arrays.compareUnsigned(a.b().asByteArrayUnsafe(), b.b().asByteArrayUnsafe());
            default -> throw new IllegalArgumentException("A sort key is of type N, S or B, got " + type);
        };
    }

    private static List<AttributeValue> numbers(BigDecimal from, BigDecimal to, int parts) {
        List<AttributeValue> out = new ArrayList<>();
        if (from.compareTo(to) >= 0) {
            return out;
        }
        BigDecimal width = to.subtract(from);
        BigDecimal last = from;
        for (int i = 1; i < parts; i++) {
            BigDecimal b = from.add(width.multiply(BigDecimal.valueOf(i)).divide(BigDecimal.valueOf(parts), NUMBER_DIGITS),
                    NUMBER_DIGITS);
            if (b.compareTo(last) > 0 && b.compareTo(to) < 0) {
                out.add(AttributeValue.fromN(text(b.stripTrailingZeros())));
                last = b;
            }
        }
        return out;
    }

    /** Plain digits where they stay short, as users write numbers; the exponent form for very large or small ones. */
    private static String text(BigDecimal n) {
        return Math.abs(n.scale()) <= 40 ? n.toPlainString() : n.toString();
    }

    private static List<AttributeValue> strings(String from, String to, int parts) {
        List<AttributeValue> out = new ArrayList<>();
        for (int[] codePoints : interpolate(from.codePoints().toArray(), to.codePoints().toArray(), parts)) {
            out.add(AttributeValue.fromS(new String(codePoints, 0, codePoints.length)));
        }
        return out;
    }

    private static List<AttributeValue> binaries(byte[] from, byte[] to, int parts) {
        List<AttributeValue> out = new ArrayList<>();
        for (int[] digits : interpolate(unsigned(from), unsigned(to), parts)) {
            byte[] bytes = new byte[digits.length];
            for (int i = 0; i < digits.length; i++) {
                bytes[i] = (byte) digits[i];
            }
            out.add(AttributeValue.fromB(SdkBytes.fromByteArray(bytes)));
        }
        return out;
    }

    /**
     * Boundaries between two sequences of characters (code points or unsigned bytes): their shared prefix, then
     * the rest read as a fraction in base (alphabet + 1), where 0 marks the end of a sequence, so that a shorter
     * sequence sorts before the longer ones it begins.
     */
    private static List<int[]> interpolate(int[] from, int[] to, int parts) {
        List<int[]> out = new ArrayList<>();
        if (compareDigits(from, to) >= 0) {
            return out;
        }
        Alphabet alphabet = Alphabet.of(from, to);
        BigInteger low = alphabet.value(from);
        BigInteger width = alphabet.value(to).subtract(low);
        int[] last = from;
        for (int i = 1; i < parts; i++) {
            BigInteger v = low.add(width.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(parts)));
            int[] b = valid(alphabet.sequence(from, v));
            if (compareDigits(b, last) > 0 && compareDigits(b, to) < 0) {
                out.add(b);
                last = b;
            }
        }
        return out;
    }

    /**
     * Two bounds' shared prefix, and the characters after it read as digits in base (alphabet + 1), where 0 marks
     * the end of a sequence, so that a shorter sequence sorts before the longer ones it begins.
     */
    private record Alphabet(int prefix, int min, int length, BigInteger base) {
        static Alphabet of(int[] from, int[] to) {
            int prefix = 0;
            while (prefix < from.length && prefix < to.length && from[prefix] == to[prefix]) {
                prefix++;
            }
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (int[] bound : new int[][] {from, to}) {
                for (int i = prefix; i < bound.length; i++) {
                    min = Math.min(min, bound[i]);
                    max = Math.max(max, bound[i]);
                }
            }
            // One character below the bounds' own, so that a bound that ends where the other goes on still has
            // sequences after it: between "a" and "ab" lie "aa", "aaa" and so on.
            min = Math.max(0, min - 1);
            int length = Math.max(from.length, to.length) - prefix + EXTRA_DIGITS;
            return new Alphabet(prefix, min, length, BigInteger.valueOf(max - min + 2L));
        }

        /** The characters after the prefix as a number; one outside the alphabet counts as its nearest end. */
        BigInteger value(int[] chars) {
            long top = base.longValue() - 1;
            BigInteger v = BigInteger.ZERO;
            for (int i = 0; i < length; i++) {
                int at = prefix + i;
                long digit = at < chars.length ? Math.max(1, Math.min(top, chars[at] - min + 1L)) : 0;
                v = v.multiply(base).add(BigInteger.valueOf(digit));
            }
            return v;
        }

        /** The prefix (taken from {@code bound}), then the digits of {@code v} up to the first 0 (the end). */
        int[] sequence(int[] bound, BigInteger v) {
            int[] digits = new int[length];
            for (int i = length - 1; i >= 0; i--) {
                BigInteger[] qr = v.divideAndRemainder(base);
                digits[i] = qr[1].intValue();
                v = qr[0];
            }
            int end = 0;
            while (end < length && digits[end] != 0) {
                end++;
            }
            int[] out = Arrays.copyOf(bound, prefix + end);
            for (int i = 0; i < end; i++) {
                out[prefix + i] = digits[i] - 1 + min;
            }
            return out;
        }
    }

    /** A surrogate code point is no character: the next character after the surrogate block stands for it. */
    private static int[] valid(int[] chars) {
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= Character.MIN_SURROGATE && chars[i] <= Character.MAX_SURROGATE) {
                int[] out = Arrays.copyOf(chars, i + 1);
                out[i] = Character.MAX_SURROGATE + 1;
                return out;
            }
        }
        return chars;
    }

    private static int compareDigits(int[] a, int[] b) {
        return Arrays.compare(a, b);
    }

    private static int[] unsigned(byte[] bytes) {
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xFF;
        }
        return out;
    }
}
