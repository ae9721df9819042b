package dev.ddbbulk.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where this JVM's CPU went while a measurement ran, by who used it: DynamoDB Local (its Jetty threads and
 * its single SQLite thread), ElasticMQ, the bench's own threads (pipeline or raw code and the SDK clients),
 * and the JVM itself (garbage collection, JIT; the process total less every Java thread). A thread's CPU
 * time is sampled every 100 ms, so threads that end during the measurement (the fleet's) are counted up
 * to their last sample. Next to the cores x wall time, it shows what was left to other processes.
 */
final class CpuProfile implements AutoCloseable {
    static final String DYNAMODB_LOCAL_HTTP = "DynamoDB Local (Jetty)";
    static final String DYNAMODB_LOCAL_SQLITE = "DynamoDB Local (SQLite thread)";
    static final String ELASTICMQ = "ElasticMQ";
    static final String CLIENTS = "bench threads (pipeline/raw code, SDK clients)";
    static final String JVM = "JVM (GC, JIT)";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> first = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final long startProcessCpu = processCpuNanos();
    private final long startGcMillis = gcMillis();
    private final long startJitMillis = jitMillis();
    private final Thread sampler;
    private volatile boolean stopped;

    /**
     * CPU seconds by user, and the wall time they were spent in; {@code gcSeconds} and {@code jitSeconds} are
     * the collectors' and the JIT compilers' own accounts (elapsed time, not CPU), to split the JVM's share.
     */
    record Usage(Map<String, Double> cpuSeconds, double processCpuSeconds, double wallSeconds, int cores,
                 double gcSeconds, double jitSeconds) {
        /** CPU time the machine had that this JVM did not use: idle, or taken by other processes. */
        double otherSeconds() {
            return Math.max(0, cores * wallSeconds - processCpuSeconds);
        }
    }

    private CpuProfile() {
        sample(true);
        sampler = new Thread(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                sample(false);
            }
        }, "ddb-bulk-bench-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static CpuProfile start() {
        return new CpuProfile();
    }

    private synchronized void sample(boolean baseline) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            names.putIfAbsent(info.getThreadId(), info.getThreadName());
            // A thread born after the start used all its CPU within the measurement.
            first.putIfAbsent(info.getThreadId(), baseline ? cpu : 0L);
            last.put(info.getThreadId(), cpu);
        }
    }

    /** @param wallSeconds the measurement's own duration, when it ended before this call */
    Usage stop(double wallSeconds) {
        stopped = true;
        sampler.interrupt();
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample(false);
        double wall = wallSeconds;
        double process = (processCpuNanos() - startProcessCpu) / 1e9;
        Map<String, Double> byUser = new LinkedHashMap<>();
        for (String user : new String[] {DYNAMODB_LOCAL_HTTP, DYNAMODB_LOCAL_SQLITE, ELASTICMQ, CLIENTS}) {
            byUser.put(user, 0.0);
        }
        double javaThreads = 0;
        synchronized (this) {
            for (Map.Entry<Long, Long> e : last.entrySet()) {
                double seconds = (e.getValue() - first.get(e.getKey())) / 1e9;
                javaThreads += seconds;
                if (e.getKey() != sampler.getId()) {
                    byUser.merge(userOf(names.get(e.getKey())), seconds, Double::sum);
                }
            }
        }
        byUser.put(JVM, Math.max(0, process - javaThreads));
        return new Usage(byUser, process, wall, Runtime.getRuntime().availableProcessors(),
                (gcMillis() - startGcMillis) / 1000.0, (jitMillis() - startJitMillis) / 1000.0);
    }

    @Override
    public void close() {
        stopped = true;
        sampler.interrupt();
    }

    static String userOf(String threadName) {
        if (threadName.startsWith("SQLiteQueue")) {
            return DYNAMODB_LOCAL_SQLITE;
        }
        if (threadName.startsWith("qtp") || threadName.startsWith("Scheduler-")) {
            return DYNAMODB_LOCAL_HTTP;
        }
        if (threadName.startsWith("elasticmq")) {
            return ELASTICMQ;
        }
        return CLIENTS;
    }

    private static long gcMillis() {
        long total = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
