package dev.ddbbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedeliveryTest {
    private final Random random = new Random(3);

    @Test
    void visibilitySeconds_whenReceivesGoOn_doublesWithJitterUpToTheMax() {
        Redelivery redelivery = new Redelivery(Duration.ofSeconds(10), Duration.ofSeconds(60), 100);

        for (int i = 0; i < 200; i++) {
            assertThat(redelivery.visibilitySeconds(1, random)).isBetween(5, 10);
            assertThat(redelivery.visibilitySeconds(2, random)).isBetween(10, 20);
            assertThat(redelivery.visibilitySeconds(3, random)).isBetween(20, 40);
            assertThat(redelivery.visibilitySeconds(4, random)).isBetween(30, 60);
            assertThat(redelivery.visibilitySeconds(99, random)).isBetween(30, 60);
        }
    }

    @Test
    void visibilitySeconds_onTheLastReceive_isZeroSoTheQueueDeadLettersAtOnce() {
        Redelivery redelivery = new Redelivery(Duration.ofSeconds(10), Duration.ofSeconds(60), 3);

        assertThat(redelivery.lastReceive(2)).isFalse();
        assertThat(redelivery.lastReceive(3)).isTrue();
        assertThat(redelivery.visibilitySeconds(3, random)).isZero();
        assertThat(redelivery.visibilitySeconds(7, random)).isZero();
    }

    @Test
    void default_bringsAPoisonSegmentToTheDeadLetterQueueWithinAMinute() {
        int waited = 0;
        for (int receive = 1; receive <= Redelivery.DEFAULT.maxReceiveCount(); receive++) {
            waited += Redelivery.DEFAULT.visibilitySeconds(receive, random);
        }

        assertThat(waited).isLessThanOrEqualTo(60);
    }

    @Test
    void startingAt_whenTheFirstDelayIsLong_keepsItAsTheMax() {
        assertThat(Redelivery.startingAt(Duration.ofSeconds(1), 3).maxDelay()).isEqualTo(Duration.ofSeconds(16));
        assertThat(Redelivery.startingAt(Duration.ofHours(1), 3).maxDelay()).isEqualTo(Duration.ofHours(1));
        assertThat(Redelivery.startingAt(Duration.ZERO, 3).visibilitySeconds(1, random)).isZero();
    }

    @Test
    void constructor_whenTheDelaysAreOutOfOrder_refuses() {
        assertThatThrownBy(() -> new Redelivery(Duration.ofSeconds(10), Duration.ofSeconds(5), 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first <= max");
        assertThatThrownBy(() -> new Redelivery(Duration.ZERO, Duration.ofHours(13), 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 h");
    }
}
