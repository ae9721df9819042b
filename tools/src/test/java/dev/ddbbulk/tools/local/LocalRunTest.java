package dev.ddbbulk.tools.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.worker.SegmentWorker;
import org.junit.jupiter.api.Test;

class LocalRunTest {
    @Test
    void dynamoDbConnections_whenManyWorkers_coversEveryCallTheyMayHaveInFlightAndTheSeeders() {
        // Per worker: its writes in flight, the next page's scan, a claim, a completing transaction and a
        // checkpoint at once; plus the seeder and the progress check. A call that waits 10 s for one fails.
        assertThat(SegmentWorker.dynamoDbConnections(16)).isEqualTo(16 + 4);
        assertThat(LocalRun.dynamoDbConnections(100, 16)).isGreaterThanOrEqualTo(100 * (16 + 4) + 1 + 1);
        assertThat(LocalRun.dynamoDbConnections(1, 1)).isGreaterThanOrEqualTo(1 + 4 + LocalRun.SEEDER_THREADS);
    }

    @Test
    void sqsConnections_whenManyWorkers_coversOneCallPerWorkerAndEverySeederThread() {
        assertThat(LocalRun.sqsConnections(100)).isGreaterThanOrEqualTo(100 + LocalRun.SEEDER_THREADS);
    }
}
