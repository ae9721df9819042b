package dev.ddbbulk.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dead-letter queue's commands: look at what failed, then send it back. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Inspect or redrive the dead-letter queue of failed segments.",
        subcommands = {DlqInspectCommand.class, DlqRedriveCommand.class})
final class DlqCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
