package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * A write budget is a promise to the table's other users, so this one is tested on a real run: at least
 * 20 s of writes, whose rate must stay within 10% of the budget.
 */
class CapacityBudgetIT {

    @Test
    void demo_whenWriteBudgetIsSet_holdsItWithinTenPercentOverTwentySeconds() {
        // Items of ~500 bytes cost 1 write unit each: 2,200 items at 100 units/s is 22 s of writing.
        int budget = 100;
        Cli result = Cli.run("demo", "--items", "2200", "--item-bytes", "500", "--segments", "16", "--workers", "2",
                "--max-write-units", Integer.toString(budget), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(2200);
        double seconds = summary.get("elapsedMs").asLong() / 1000.0;
        assertThat(seconds).isGreaterThanOrEqualTo(20);
        double unitsPerSecond = 2200 / seconds;
        assertThat(unitsPerSecond).isBetween(budget * 0.9, budget * 1.1);
    }
}
