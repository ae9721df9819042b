package dev.ddbbulk.core.retry;

import java.util.Random;
import java.util.function.Predicate;

/**
 * The one place where ddb-bulk retries what DynamoDB or SQS refused for now, with {@link Backoff}'s jittered
 * waits; callers say what is retryable.
 *
 * <p>Two layers share the work. The SDK client's own retry strategy ({@code AwsClients}) retries transient
 * faults (5xx, broken connections, timeouts) of single calls and leaves throttling alone. This layer retries
 * throttling, so that the capacity budget hears of every throttle at once and slows the worker down, and the
 * partial failures the SDK cannot see: BatchWriteItem's UnprocessedItems, SendMessageBatch's failed entries,
 * and transactions cancelled for a conflict.
 */
public final class Retrier {
    private final Backoff backoff;
    private final Random random;
    private final Sleeper sleeper;

    /** A call that may be made again. */
    @FunctionalInterface
    public interface Attempt<T> {
        T call() throws InterruptedException;
    }

    public Retrier(Backoff backoff, Random random, Sleeper sleeper) {
        this.backoff = backoff;
        this.random = random;
        this.sleeper = sleeper;
    }

    /**
     * Calls {@code attempt} until it returns, or it fails with an exception that {@code retryable} rejects, or
     * the attempts run out; the last failure is then thrown.
     */
    public <T> T call(Attempt<T> attempt, Predicate<? super RuntimeException> retryable) throws InterruptedException {
        for (int n = 0; ; n++) {
            try {
                return attempt.call();
            } catch (RuntimeException e) {
                if (!retryable.test(e) || n + 1 >= backoff.maxAttempts()) {
                    throw e;
                }
            }
            sleeper.sleep(backoff.delay(n, random));
        }
    }

    /**
     * For calls that can succeed in part: calls {@code attempt}, which does what is left and answers whether
     * all is done now, until it is, or the attempts run out. Exceptions are retried as with {@link #call}.
     *
     * @return true when all is done; false when the attempts ran out with work left
     */
    public boolean untilDone(Attempt<Boolean> attempt, Predicate<? super RuntimeException> retryable)
            throws InterruptedException {
        for (int n = 0; ; n++) {
            if (call(attempt, retryable)) {
                return true;
            }
            if (n + 1 >= backoff.maxAttempts()) {
                return false;
            }
            sleeper.sleep(backoff.delay(n, random));
        }
    }

    public int maxAttempts() {
        return backoff.maxAttempts();
    }
}
