package dev.ddbbulk.worker.write;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a page's writes with at most a given number in flight, and returns only when every one has ended,
 * so a page counts as written (and may be checkpointed) only once all its writes are. On AWS a call takes
 * 3-10 ms and the table, not the client, is the limit: calls in flight are what hide that latency. The SDK
 * client is synchronous, so each call in flight holds a thread: the caller's, or one of this pool's, which
 * end after a second without work.
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
     * failure (in task order) is then thrown, with any later ones suppressed in it; with one write in flight
     * the tasks run here, one after another, and the first failure stops the rest.
     *
     * <p>Each of up to {@code max} runners (this thread one of them) takes the next task until none is left,
     * so a page costs a handful of thread hand-offs, not one a write.
     */
    <T> List<T> all(List<Write<T>> tasks) throws InterruptedException {
        if (max == 1 || tasks.size() <= 1) {
            List<T> results = new ArrayList<>(tasks.size());
            for (Write<T> task : tasks) {
                results.add(task.call());
            }
            return results;
        }
        Object[] results = new Object[tasks.size()];
        Throwable[] failures = new Throwable[tasks.size()];
        AtomicInteger next = new AtomicInteger();
        Runnable runner = () -> {
            for (int i = next.getAndIncrement(); i < tasks.size(); i = next.getAndIncrement()) {
                try {
                    results[i] = tasks.get(i).call();
                } catch (RuntimeException | InterruptedException | Error e) {
                    failures[i] = e;
                }
            }
        };
        List<Future<?>> others = new ArrayList<>();
        for (int r = 1; r < Math.min(max, tasks.size()); r++) {
            others.add(pool.submit(runner));
        }
        runner.run();
        for (Future<?> other : others) {
            try {
                other.get();
            } catch (ExecutionException e) {
                // A runner records its tasks' failures; it cannot fail itself.
                throw new IllegalStateException("A write runner failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                // The page fails; writes still in flight are interrupted and not counted.
                others.forEach(f -> f.cancel(true));
                throw e;
            }
        }
        Throwable failure = null;
        for (Throwable f : failures) {
            if (f != null && failure == null) {
                failure = f;
            } else if (f != null) {
                failure.addSuppressed(f);
            }
        }
        if (failure != null) {
            throw rethrow(failure);
        }
        List<T> list = new ArrayList<>(tasks.size());
        for (Object result : results) {
            @SuppressWarnings("unchecked")
            T t = (T) result;
            list.add(t);
        }
        return list;
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
