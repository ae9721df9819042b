package dev.ddbbulk.worker.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightTest {

    @Test
    void all_whenMoreTasksThanAllowed_runsAtMostMaxAtOnceAndReturnsEveryResultInOrder() throws Exception {
        InFlight inFlight = new InFlight(4);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        // The first four tasks wait until all four run at once: proof that four are in flight together.
        CountDownLatch fourRunning = new CountDownLatch(4);
        List<InFlight.Write<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            tasks.add(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                fourRunning.countDown();
                if (!fourRunning.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("four tasks never ran at once");
                }
                running.decrementAndGet();
                return n * n;
            });
        }

        List<Integer> results = inFlight.all(tasks);

        assertThat(most.get()).isEqualTo(4);
        assertThat(results).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(results.get(i)).isEqualTo(i * i);
        }
    }

    @Test
    void all_whenOneTaskFails_waitsForTheOthersAndThrowsTheFirstFailure() {
        InFlight inFlight = new InFlight(8);
        AtomicInteger finished = new AtomicInteger();
        List<InFlight.Write<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            tasks.add(() -> {
                if (n == 3) {
                    throw new IllegalStateException("write 3 refused");
                }
                finished.incrementAndGet();
                return n;
            });
        }

        assertThatThrownBy(() -> inFlight.all(tasks)).isInstanceOf(IllegalStateException.class)
                .hasMessage("write 3 refused");
        // Every other write ended before the page's failure was reported: none is left in flight.
        assertThat(finished.get()).isEqualTo(19);
    }

    @Test
    void all_whenOneInFlight_runsTasksHereInOrderAndStopsAtTheFirstFailure() {
        InFlight inFlight = new InFlight(1);
        List<String> ran = new ArrayList<>();
        Thread caller = Thread.currentThread();
        List<InFlight.Write<String>> tasks = List.of(
                () -> { ran.add("a" + (Thread.currentThread() == caller)); return "a"; },
                () -> { throw new IllegalArgumentException("b refused"); },
                () -> { ran.add("c"); return "c"; });

        assertThatThrownBy(() -> inFlight.all(tasks)).hasMessage("b refused");
        assertThat(ran).containsExactly("atrue");
    }

    @Test
    void all_whenATaskThrowsAnError_rethrowsTheError() {
        InFlight inFlight = new InFlight(4);
        List<InFlight.Write<Integer>> tasks = List.of(() -> 1, () -> { throw new OutOfMemoryError("killed"); }, () -> 3);

        assertThatThrownBy(() -> inFlight.all(tasks)).isInstanceOf(OutOfMemoryError.class).hasMessage("killed");
    }
}
