package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.tools.output.ExitCodes;
import org.junit.jupiter.api.Test;

class DdbBulkTest {
    @Test
    void call_whenNoCommandGiven_exitsWith2AndListsTheCommands() {
        Cli result = Cli.run();

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).contains("name a command").contains("demo").contains("dlq")
                .doesNotContain("bench");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void help_whenAsked_exitsWith0() {
        Cli result = Cli.run("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Usage: ddb-bulk");
    }
}
