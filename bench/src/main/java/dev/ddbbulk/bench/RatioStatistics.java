package dev.ddbbulk.bench;

import static dev.ddbbulk.bench.Rounding.round3;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the rounds' pair ratios say together: their median, their geometric mean with a 95% interval from
 * Student's t, and whether that interval meets a target. A round without a ratio (null) is left out.
 */
final class RatioStatistics {
    /** Two-sided 95% quantiles of Student's t for 1..19 degrees of freedom. */
    private static final double[] T_975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093};

    private RatioStatistics() {
    }

    /**
     * The geometric mean of the rounds' pair ratios and its 95% confidence interval, from Student's t on
     * their logarithms: the range in which the ratio lies, given how far the pairs scatter.
     */
    record Interval(double mean, double low, double high, int pairs) {
    }

    /** The median of a round's pair ratios: a drift or one lucky round of either side moves it least. */
    static Double median(List<Double> values) {
        List<Double> sorted = values.stream().filter(Objects::nonNull).sorted().toList();
        if (sorted.isEmpty()) {
            return null;
        }
        int n = sorted.size();
        return round3(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }

    /** The interval of {@code ratios} (nulls left out), or null with fewer than two of them. */
    static Interval interval(List<Double> ratios) {
        double[] logs = ratios.stream().filter(Objects::nonNull).filter(r -> r > 0)
                .mapToDouble(Math::log).toArray();
        int n = logs.length;
        if (n < 2) {
            return null;
        }
        if (n - 1 > T_975.length) {
            throw new IllegalArgumentException("At most " + (T_975.length + 1) + " round pairs, got " + n);
        }
        double mean = Arrays.stream(logs).average().orElseThrow();
        double squares = Arrays.stream(logs).map(l -> (l - mean) * (l - mean)).sum();
        double half = T_975[n - 2] * Math.sqrt(squares / (n - 1) / n);
        return new Interval(round3(Math.exp(mean)), round3(Math.exp(mean - half)), round3(Math.exp(mean + half)), n);
    }

    /** What the interval says of the target: above it, below it, or too wide to tell. */
    static String verdict(Interval interval, double target) {
        if (interval.low() >= target) {
            return "the whole interval meets the target";
        }
        if (interval.high() < target) {
            return "the whole interval misses the target";
        }
        return "the target lies inside the interval: these rounds cannot tell (more --rounds narrow it)";
    }

    static Double mean(List<Double> values) {
        return values.isEmpty() ? null : values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
