package dev.ddbbulk.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records every wait and, when given a clock, moves it forward as a real sleep would. */
final class RecordingSleeper implements Sleeper {
    private final MutableClock clock;
    private final List<Duration> sleeps = new ArrayList<>();

    RecordingSleeper(MutableClock clock) {
        this.clock = clock;
    }

    static RecordingSleeper withoutClock() {
        return new RecordingSleeper(null);
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        if (clock != null) {
            clock.advance(duration);
        }
    }

    synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    synchronized Duration total() {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
