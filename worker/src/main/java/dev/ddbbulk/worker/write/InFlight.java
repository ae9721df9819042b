package dev.ddbbulk.worker.write;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a page's writes with at most a given number in flight, and returns only when every one has ended,
 * so a page counts as written (and may be checkpointed) only once all its writes are. On AWS a call takes
 * 3-10 ms and the table, not the client, is the limit: calls in flight are what hide that latency. The SDK
 * client is synchronous, so each call in flight holds one of this pool's threads; they end after a second
 * without work.
 */
final class InFlight {
    private final int max;
    private final ExecutorService pool;

    /** One write, or several that must go in order (actions on one key). */
    @FunctionalInterface
    interface Write<T> {
        T call() throws InterruptedException;
    }

    InFlight(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("At least one write must be allowed in flight, got " + max);
        }
        this.max = max;
        ThreadPoolExecutor threads = new ThreadPoolExecutor(max, max, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "ddb-bulk-write");
                    t.setDaemon(true);
                    return t;
                });
        threads.allowCoreThreadTimeOut(true);
        this.pool = threads;
    }

    /**
     * Runs every task, at most {@code max} at once, and waits for all of them, failed or not. The first
     * failure is then thrown, with any later ones suppressed in it; with one write in flight the tasks run
     * here, one after another, and the first failure stops the rest.
     */
    <T> List<T> all(List<Write<T>> tasks) throws InterruptedException {
        List<T> results = new ArrayList<>(tasks.size());
        if (max == 1 || tasks.size() <= 1) {
            for (Write<T> task : tasks) {
                results.add(task.call());
            }
            return results;
        }
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        tasks.forEach(task -> futures.add(pool.submit(task::call)));
        Throwable failure = null;
        for (Future<T> future : futures) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                } else {
                    failure.addSuppressed(e.getCause());
                }
            } catch (InterruptedException e) {
                // The page fails; writes still in flight are interrupted and not counted.
                futures.forEach(f -> f.cancel(true));
                throw e;
            }
        }
        if (failure != null) {
            throw rethrow(failure);
        }
        return results;
    }

    private static RuntimeException rethrow(Throwable failure) throws InterruptedException {
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure instanceof InterruptedException interrupted) {
            throw interrupted;
        }
        // A Write throws nothing else.
        throw new IllegalStateException(failure.getMessage(), failure);
    }
}
