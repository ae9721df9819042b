package dev.ddbbulk.tools.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.worker.SegmentWorker;
import org.junit.jupiter.api.Test;

class LocalRunTest {
    @Test
    void dynamoDbConnections_whenManyWorkers_coversEveryCallTheyMayHaveInFlightAndTheSeeders() {
        // 100 workers: each a scan or write, a claim and a completing transaction at once, plus the seeder
        // and the progress check; a pool of workers + 16 (116) would leave calls waiting for a connection.
        assertThat(SegmentWorker.DYNAMODB_CALLS_IN_FLIGHT).isEqualTo(3);
        assertThat(LocalRun.dynamoDbConnections(100)).isGreaterThanOrEqualTo(100 * 3 + 1 + 1);
        assertThat(LocalRun.dynamoDbConnections(1)).isGreaterThanOrEqualTo(3 + LocalRun.SEEDER_THREADS);
    }

    @Test
    void sqsConnections_whenManyWorkers_coversOneCallPerWorkerAndEverySeederThread() {
        assertThat(LocalRun.sqsConnections(100)).isGreaterThanOrEqualTo(100 + LocalRun.SEEDER_THREADS);
    }
}
