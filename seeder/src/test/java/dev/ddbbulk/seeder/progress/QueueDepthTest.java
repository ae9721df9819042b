package dev.ddbbulk.seeder.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class QueueDepthTest {

    @Test
    void read_asksForTheThreeApproximateCountsOfTheQueue() {
        List<GetQueueAttributesRequest> requests = new ArrayList<>();
        SqsClient sqs = new FakeSqs(requests, Map.of(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "3",
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "5",
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "7"));

        QueueDepth depth = QueueDepth.read(sqs, "https://sqs.example/q");

        assertThat(depth).isEqualTo(new QueueDepth(3, 5, 7));
        assertThat(depth.total()).isEqualTo(15);
        assertThat(requests).singleElement().satisfies(r -> {
            assertThat(r.queueUrl()).isEqualTo("https://sqs.example/q");
            assertThat(r.attributeNames()).containsExactlyInAnyOrder(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
        });
    }

    @Test
    void read_whenAnAttributeIsMissing_countsItAsZero() {
        SqsClient sqs = new FakeSqs(new ArrayList<>(), Map.of(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "2"));

        assertThat(QueueDepth.reader(sqs).apply("q")).isEqualTo(new QueueDepth(2, 0, 0));
    }

    private record FakeSqs(List<GetQueueAttributesRequest> requests, Map<QueueAttributeName, String> attributes)
            implements SqsClient {
        @Override
        public GetQueueAttributesResponse getQueueAttributes(GetQueueAttributesRequest request) {
            requests.add(request);
            return GetQueueAttributesResponse.builder().attributes(attributes).build();
        }

        @Override
        public String serviceName() {
            return "sqs";
        }

        @Override
        public void close() {
        }
    }
}
