package dev.ddbbulk.bench;

/**
 * The report's rounding to one, two or three decimals. Rates are rounded to 0.1 before ratios are taken, so
 * every ratio is the quotient of the figures the report prints.
 */
final class Rounding {
    private Rounding() {
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
