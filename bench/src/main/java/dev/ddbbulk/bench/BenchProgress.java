package dev.ddbbulk.bench;

import java.io.PrintWriter;

/** The bench's progress on stderr: a line a step, each starting with {@code bench:}, and each measured figure. */
final class BenchProgress {
    private final PrintWriter err;

    BenchProgress(PrintWriter err) {
        this.err = err;
    }

    /** Where the runs the bench starts write their own messages. */
    PrintWriter err() {
        return err;
    }

    void say(String line) {
        err.println("bench: " + line);
        err.flush();
    }

    /** Shows a measured figure and its rate; returns the run, to record it. */
    BenchReport.Run announce(BenchReport.Run run) {
        BenchReport.Figure figure = run.figure();
        say(String.format("%-20s %,9d %s in %6.2f s = %,9.1f %s/s", figure.name(), figure.count(),
                figure.unit(), figure.seconds(), figure.rate(), figure.unit()));
        return run;
    }
}
