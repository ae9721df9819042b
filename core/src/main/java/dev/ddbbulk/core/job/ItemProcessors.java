package dev.ddbbulk.core.job;

import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Resolves the {@code ItemProcessor} job parameter: a built-in name or a class name on the classpath. */
public final class ItemProcessors {

    /** Writes every item unchanged: copy a table or backfill another. */
    public static final String COPY = "copy";
    /** The example transform: sets {@code migrated = true} on every item (see {@link StampProcessor}). */
    public static final String STAMP = "stamp";

    private ItemProcessors() {
    }

    public static Set<String> builtInNames() {
        return new TreeSet<>(Set.of(COPY, STAMP));
    }

    /**
     * The loader of processor classes when none is given: the thread's context loader, which on Lambda's Java
     * runtime sees the function's jar and its layers' {@code /opt/java/lib/*.jar}, else this class's loader.
     */
    public static ClassLoader defaultClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ItemProcessors.class.getClassLoader();
    }

    /** @throws InvalidJobException when the name is neither built in nor a loadable processor class */
    public static ItemProcessor create(String name) {
        return create(name, defaultClassLoader());
    }

    /**
     * @param classes loads a processor named by its class, e.g. one that also sees a jar of the user's processors
     * @throws InvalidJobException when the name is neither built in nor a processor class {@code classes} loads
     */
    public static ItemProcessor create(String name, ClassLoader classes) {
        return switch (name) {
            case COPY -> ItemAction::put;
            case STAMP -> new StampProcessor();
            default -> instantiate(name, classes);
        };
    }

    private static ItemProcessor instantiate(String className, ClassLoader classes) {
        Class<?> type;
        try {
            type = Class.forName(className, true, classes);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new InvalidJobException("ItemProcessor '" + className + "' is neither a built-in processor "
                    + builtInNames() + " nor a class on the classpath; use a built-in name or put the class's jar"
                    + " on the worker's classpath", e);
        }
        if (!ItemProcessor.class.isAssignableFrom(type)) {
            throw new InvalidJobException("ItemProcessor '" + className + "' does not implement "
                    + ItemProcessor.class.getName() + "; implement that interface");
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor();
            return (ItemProcessor) constructor.newInstance();
        } catch (NoSuchMethodException e) {
            throw new InvalidJobException("ItemProcessor '" + className
                    + "' needs a public no-argument constructor; add one", e);
        } catch (InstantiationException | IllegalAccessException e) {
            throw new InvalidJobException("ItemProcessor '" + className + "' cannot be instantiated ("
                    + e.getMessage() + "); make it a public, non-abstract class", e);
        } catch (InvocationTargetException e) {
            throw new InvalidJobException("ItemProcessor '" + className + "' failed in its constructor: "
                    + e.getCause(), e.getCause());
        }
    }

    /**
     * Example transform: marks every item with {@code migrated = true}, leaving all else as it was. It
     * stands for the typical in-place backfill of a new attribute.
     */
    public static final class StampProcessor implements ItemProcessor {
        public static final String ATTRIBUTE = "migrated";

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            Map<String, AttributeValue> stamped = new HashMap<>(item);
            stamped.put(ATTRIBUTE, AttributeValue.fromBool(true));
            return ItemAction.put(stamped);
        }
    }
}
