package dev.ddbbulk.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Counts the calls a measurement makes to DynamoDB and SQS and the time spent in each operation, by
 * wrapping the SDK clients in a proxy. It is how the bench shows where the pipeline spends its time
 * next to the raw ceilings: the same wrapper costs every path the same (well under a microsecond a call).
 */
final class CallTimer {
    private static final Set<String> UNTIMED = Set.of("close", "serviceName", "serviceClientConfiguration",
            "waiter", "utilities", "toString", "hashCode", "equals");

    private final Map<String, Operation> operations = new ConcurrentHashMap<>();

    /**
     * One operation's tally. Times are System.nanoTime: when its first call started, when its latest call
     * returned, and when each thread's latest call returned (to see threads that ran out of work early).
     */
    static final class Operation {
        final LongAdder calls = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final AtomicLong firstStartNanos = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong lastEndNanos = new AtomicLong(Long.MIN_VALUE);
        final Map<Long, Long> lastEndByThread = new ConcurrentHashMap<>();

        long calls() {
            return calls.sum();
        }

        double totalMs() {
            return nanos.sum() / 1e6;
        }

        double meanMs() {
            long n = calls.sum();
            return n == 0 ? 0 : totalMs() / n;
        }
    }

    DynamoDbClient wrap(DynamoDbClient client) {
        return wrap(DynamoDbClient.class, client, "DynamoDB.");
    }

    /** The ledger's client: its calls are tallied apart from the data's ({@code Ledger.updateItem}). */
    DynamoDbClient wrapLedger(DynamoDbClient client) {
        return wrap(DynamoDbClient.class, client, "Ledger.");
    }

    SqsClient wrap(SqsClient client) {
        return wrap(SqsClient.class, client, "SQS.");
    }

    /** The tally so far, by operation (e.g. {@code DynamoDB.scan}), in name order. */
    Map<String, Operation> operations() {
        return new TreeMap<>(operations);
    }

    /** When the latest call of {@code operation} returned, in System.nanoTime; MIN_VALUE if never. */
    long lastEndNanos(String operation) {
        Operation op = operations.get(operation);
        return op == null ? Long.MIN_VALUE : op.lastEndNanos.get();
    }

    /** When the first call of {@code operation} started, in System.nanoTime; MAX_VALUE if never. */
    long firstStartNanos(String operation) {
        Operation op = operations.get(operation);
        return op == null ? Long.MAX_VALUE : op.firstStartNanos.get();
    }

    /** For each thread that called {@code operation}, when its latest call returned. */
    java.util.Collection<Long> lastEndsByThread(String operation) {
        Operation op = operations.get(operation);
        return op == null ? java.util.List.of() : op.lastEndByThread.values();
    }

    private <T> T wrap(Class<T> type, T delegate, String prefix) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (UNTIMED.contains(method.getName())) {
                return invoke(method, delegate, args);
            }
            Operation op = operations.computeIfAbsent(prefix + method.getName(), k -> new Operation());
            long start = System.nanoTime();
            op.firstStartNanos.accumulateAndGet(start, Math::min);
            try {
                return invoke(method, delegate, args);
            } finally {
                long end = System.nanoTime();
                op.calls.increment();
                op.nanos.add(end - start);
                op.lastEndNanos.accumulateAndGet(end, Math::max);
                op.lastEndByThread.put(Thread.currentThread().getId(), end);
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
