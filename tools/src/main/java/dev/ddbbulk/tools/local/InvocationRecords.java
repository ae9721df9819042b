package dev.ddbbulk.tools.local;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The records of one invocation's event, taken from the fleet's buffer one at a time as the worker's handler
 * iterates over them: none once {@link LocalFleet#BATCH_SIZE} are taken or the fleet has no more for it (it
 * stops, or the deadline is within the safety margin). Lambda's event holds its batch from the start; taking
 * late lets the other workers have the messages that this one would only reach after a slow segment.
 */
final class InvocationRecords extends AbstractList<SQSEvent.SQSMessage> {
    private final Supplier<Message> more;
    private final List<Message> taken = new ArrayList<>();

    /**
     * @param more the fleet's next message for this invocation, or null when it has none or may give none
     */
    InvocationRecords(Message first, Supplier<Message> more) {
        this.more = more;
        this.taken.add(first);
    }

    /** The messages taken so far, in order: the ones the invocation's response speaks of. */
    List<Message> taken() {
        return taken;
    }

    /** Takes one more message if the invocation may; false when it may not or none is there. */
    private boolean takeAnother() {
        if (taken.size() >= LocalFleet.BATCH_SIZE) {
            return false;
        }
        Message message = more.get();
        if (message == null) {
            return false;
        }
        taken.add(message);
        return true;
    }

    @Override
    public SQSEvent.SQSMessage get(int index) {
        while (index >= taken.size() && takeAnother()) {
            // taking up to index
        }
        return record(taken.get(index));
    }

    /** Takes every message the invocation may have: only a caller that wants them all asks for the size. */
    @Override
    public int size() {
        while (takeAnother()) {
            // taking all
        }
        return taken.size();
    }

    @Override
    public Iterator<SQSEvent.SQSMessage> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < taken.size() || takeAnother();
            }

            @Override
            public SQSEvent.SQSMessage next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return record(taken.get(next++));
            }
        };
    }

    /** The record Lambda's SQS event source mapping would deliver for {@code message}. */
    private static SQSEvent.SQSMessage record(Message message) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(message.messageId());
        record.setReceiptHandle(message.receiptHandle());
        record.setBody(message.body());
        record.setAttributes(message.attributesAsStrings());
        record.setEventSource("aws:sqs");
        return record;
    }
}
