package dev.ddbbulk.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Measures the heap of this JVM while a piece of work runs, two ways:
 * <ul>
 *   <li><b>peak</b>: the JVM keeps a high-water mark per memory pool. We collect ({@code System.gc()}), reset
 *       every heap pool's mark ({@link MemoryPoolMXBean#resetPeakUsage()}), run the work, and sum the heap
 *       pools' {@code getPeakUsage().getUsed()}. Each pool peaks at its own moment, so the sum is an upper
 *       bound of the heap ever in use at once, and it includes garbage not yet collected (eden fills up to
 *       whatever size the collector gave it), so it mostly says how much heap the JVM was allowed to use;</li>
 *   <li><b>live</b>: the largest heap in use right after a collection during the work (from the collectors'
 *       notifications), or after the forced collection before it if none ran: what the work really keeps.
 *       After a young collection the old generation may still hold dead objects, so this too is an upper
 *       bound, but one that does not grow with the eden size.</li>
 * </ul>
 * Sampling {@code MemoryMXBean.getHeapMemoryUsage()} on a timer would miss short peaks; the pool marks do not.
 */
final class HeapProbe implements AutoCloseable {
    private static final double MB = 1024.0 * 1024.0;

    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final AtomicLong maxAfterGc = new AtomicLong();
    private final NotificationListener listener = (notification, handback) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            maxAfterGc.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
        }
    };

    /** Heap use of one piece of work, in MB. */
    record Usage(double peakMb, double liveMb) {
    }

    private HeapProbe() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                heapPools.add(pool);
            }
        }
    }

    /** Collects, resets the pools' peaks, and starts listening to collections. */
    static HeapProbe start() {
        HeapProbe probe = new HeapProbe();
        System.gc();
        long afterForcedGc = 0;
        for (MemoryPoolMXBean pool : probe.heapPools) {
            afterForcedGc += pool.getUsage().getUsed();
            pool.resetPeakUsage();
        }
        probe.maxAfterGc.set(afterForcedGc);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(probe.listener, null, null);
                probe.emitters.add(emitter);
            }
        }
        return probe;
    }

    /** The usage since {@link #start()}. */
    Usage usage() {
        long peak = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            peak += pool.getPeakUsage().getUsed();
        }
        return new Usage(peak / MB, maxAfterGc.get() / MB);
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // already gone
            }
        }
    }

    private long heapUsed(Map<String, MemoryUsage> byPool) {
        long used = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage usage = byPool.get(pool.getName());
            if (usage != null) {
                used += usage.getUsed();
            }
        }
        return used;
    }
}
