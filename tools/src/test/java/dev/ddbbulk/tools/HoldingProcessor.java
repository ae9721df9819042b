package dev.ddbbulk.tools;

import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A copy whose very first item holds its worker until the test calls {@link #release()} (or a minute has
 * passed, when it fails the segment): the other segments must get done meanwhile.
 */
public final class HoldingProcessor implements ItemProcessor {
    private static final AtomicBoolean HOLDING = new AtomicBoolean();
    private static volatile CountDownLatch released = new CountDownLatch(1);

    static void reset() {
        HOLDING.set(false);
        released = new CountDownLatch(1);
    }

    static void release() {
        released.countDown();
    }

    @Override
    public ItemAction process(Map<String, AttributeValue> item) {
        if (HOLDING.compareAndSet(false, true)) {
            try {
                if (!released.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("held for 60 s: no other worker finished the other segments");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held", e);
            }
        }
        return ItemAction.put(item);
    }
}
