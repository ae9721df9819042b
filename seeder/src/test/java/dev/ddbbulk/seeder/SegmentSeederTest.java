package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import java.time.Clock;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class SegmentSeederTest {

    @Property(tries = 200)
    void shuffledSegments_whenAnyCount_isAPermutationOfAllSegments(@ForAll @IntRange(min = 1, max = 20_000) int n,
                                                                  @ForAll long seed) {
        int[] order = SegmentSeeder.shuffledSegments(n, new Random(seed));

        assertThat(order).hasSize(n);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        assertThat(sorted).isEqualTo(IntStream.range(0, n).toArray());
    }

    @Example
    void shuffledSegments_whenSameSeed_isDeterministic() {
        int[] first = SegmentSeeder.shuffledSegments(1000, new Random(42));
        int[] second = SegmentSeeder.shuffledSegments(1000, new Random(42));
        int[] other = SegmentSeeder.shuffledSegments(1000, new Random(43));

        assertThat(first).isEqualTo(second);
        assertThat(first).isNotEqualTo(other);
    }

    @Example
    void shuffledSegments_when1000Segments_isNotTheIdentityNorNearlySorted() {
        int[] order = SegmentSeeder.shuffledSegments(1000, new Random(42));

        long inPlace = IntStream.range(0, 1000).filter(i -> order[i] == i).count();
        long ascendingSteps = IntStream.range(1, 1000).filter(i -> order[i] > order[i - 1]).count();
        assertThat(order).isNotEqualTo(IntStream.range(0, 1000).toArray());
        assertThat(inPlace).isLessThan(20);              // a random permutation fixes ~1 point on average
        assertThat(ascendingSteps).isBetween(400L, 600L); // ~half the neighbours ascend in a shuffle
    }

    @Example
    void shuffledSegments_whenOneSegment_isJustZero() {
        assertThat(SegmentSeeder.shuffledSegments(1, new Random(1))).containsExactly(0);
    }

    @Example
    void new_whenNothingMayBeInFlight_throws() {
        assertThatThrownBy(() -> new SegmentSeeder(null, null, null, "q", new Random(), 0, Backoff.DEFAULT,
                Sleeper.SYSTEM, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inFlight");
    }
}
