package dev.ddbbulk.bench;

import dev.ddbbulk.tools.DdbBulk;
import picocli.CommandLine;

/** The main class of {@code ddb-bulk-bench.jar}: runs {@link BenchCommand} with the CLI's exit codes. */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The bench command alone, its exceptions mapped to exit codes as {@code ddb-bulk} maps them. */
    static CommandLine commandLine() {
        return DdbBulk.withExceptionHandler(new CommandLine(new BenchCommand()));
    }
}
