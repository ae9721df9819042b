package dev.ddbbulk.tools.output;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Shows a run's progress while it works: a redrawn bar on a terminal, a plain line every few seconds
 * otherwise (logs, CI). Segments done / total, items, items/s and an ETA from the segment rate.
 */
public final class ProgressReporter implements AutoCloseable {
    private final PrintWriter err;
    private final boolean terminal;
    private final long totalSegments;
    private final LongSupplier segmentsDone;
    private final LongSupplier items;
    private final Clock clock;
    private final long startMillis;
    private final Thread thread;
    private volatile boolean closed;

    public ProgressReporter(PrintWriter err, boolean terminal, long totalSegments, LongSupplier segmentsDone,
                     LongSupplier items, Clock clock) {
        this.err = err;
        this.terminal = terminal;
        this.totalSegments = totalSegments;
        this.segmentsDone = segmentsDone;
        this.items = items;
        this.clock = clock;
        this.startMillis = clock.millis();
        Duration interval = terminal ? Duration.ofMillis(250) : Duration.ofSeconds(5);
        this.thread = new Thread(() -> loop(interval), "ddb-bulk-progress");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop(Duration interval) {
        while (!closed) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                print(false);
            }
        }
    }

    String line() {
        long done = segmentsDone.getAsLong();
        long itemCount = items.getAsLong();
        double seconds = Math.max(0.001, (clock.millis() - startMillis) / 1000.0);
        double rate = itemCount / seconds;
        String eta = done == 0 ? "--" : formatSeconds((totalSegments - done) * seconds / done);
        int width = 30;
        int filled = (int) (width * done / Math.max(1, totalSegments));
        return String.format("[%s%s] %d/%d segments  %d items  %.0f items/s  ETA %s",
                "#".repeat(filled), ".".repeat(width - filled), done, totalSegments, itemCount, rate, eta);
    }

    private synchronized void print(boolean last) {
        if (terminal) {
            err.print("\r" + line() + (last ? System.lineSeparator() : ""));
        } else {
            err.println(line());
        }
        err.flush();
    }

    private static String formatSeconds(double s) {
        long total = Math.round(s);
        return total >= 3600 ? String.format("%dh%02dm", total / 3600, total % 3600 / 60)
                : String.format("%dm%02ds", total / 60, total % 60);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        print(true);
    }
}
