package dev.ddbbulk.core.testing;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Starts a run the way the seeder does (the run record, then one message per segment, then seeded), for the
 * worker's tests, which must not depend on the seeder module. The seeder's own tests cover validation and
 * the shuffle.
 */
public final class TestRuns {
    private TestRuns() {
    }

    /** Starts run {@code runId} (a name of the test's own) of {@code job}; returns the run id. */
    public static String seed(ProgressLedger ledger, SqsClient sqs, String queueUrl, String runId, JobConfig job) {
        ledger.startRun(runId, job);
        for (int segment = 0; segment < job.totalSegments(); segment++) {
            String body = SegmentMessageCodec.toJson(SegmentMessage.seed(runId, segment, job.totalSegments()));
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
        }
        ledger.markSeeded(runId);
        return runId;
    }
}
