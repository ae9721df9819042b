package dev.ddbbulk.tools;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.tools.output.ExitCodes;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ddb-bulk} command line. */
@Command(name = "ddb-bulk", mixinStandardHelpOptions = true, version = "ddb-bulk 0.1.0",
        description = "Bulk-update, backfill or copy a DynamoDB table through a parallel scan fanned out over SQS.",
        subcommands = {DemoCommand.class, RunCommand.class, EstimateCommand.class, StartCommand.class,
                StatusCommand.class, ReportCommand.class, DlqCommand.class, CommandLine.HelpCommand.class})
public final class DdbBulk implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for main and for tests that capture its output. */
    public static CommandLine commandLine() {
        return withExceptionHandler(new CommandLine(new DdbBulk()));
    }

    /**
     * Maps exceptions to exit codes like the root command does; for tests that run one command alone, and for
     * the bench jar's main, which runs its command alone.
     */
    public static CommandLine withExceptionHandler(CommandLine cli) {
        cli.setExecutionExceptionHandler(DdbBulk::handle);
        return cli;
    }

    /** Without a command there is nothing to do: say so, show the commands, and fail as bad input does. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("ddb-bulk: name a command, e.g. 'ddb-bulk demo' (all commands below)");
        spec.commandLine().usage(err);
        err.flush();
        return ExitCodes.INVALID_INPUT;
    }

    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof InvalidJobException) {
            err.println("ddb-bulk: " + e.getMessage());
            err.flush();
            return ExitCodes.INVALID_INPUT;
        }
        if (e instanceof InterruptedException) {
            err.println("ddb-bulk: interrupted; progress is in the ledger, resume with 'ddb-bulk run --resume RUN_ID'");
            err.flush();
            return ExitCodes.ERROR;
        }
        err.println("ddb-bulk: failed: " + e);
        e.printStackTrace(err);
        err.flush();
        return ExitCodes.ERROR;
    }
}
