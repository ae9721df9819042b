package dev.ddbbulk.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemProcessorsTest {
    private static final Map<String, AttributeValue> ITEM = Map.of(
            "pk", AttributeValue.fromS("a"), "sk", AttributeValue.fromN("1"), "name", AttributeValue.fromS("Ada"));

    @Test
    void create_whenCopy_putsTheItemUnchanged() {
        ItemAction action = ItemProcessors.create("copy").process(ITEM);

        assertThat(action).isEqualTo(ItemAction.put(ITEM));
    }

    @Test
    void create_whenStamp_addsMigratedAndKeepsEverythingElse() {
        Map<String, AttributeValue> input = new HashMap<>(ITEM);

        ItemAction action = ItemProcessors.create("stamp").process(input);

        assertThat(action).isInstanceOf(ItemAction.Put.class);
        Map<String, AttributeValue> stamped = ((ItemAction.Put) action).item();
        assertThat(stamped).containsAllEntriesOf(ITEM)
                .containsEntry(ItemProcessors.StampProcessor.ATTRIBUTE, AttributeValue.fromBool(true))
                .hasSize(ITEM.size() + 1);
        assertThat(input).isEqualTo(ITEM);
    }

    @Test
    void create_whenFullyQualifiedClassName_instantiatesIt() {
        ItemProcessor processor = ItemProcessors.create(UpperCaseName.class.getName());

        assertThat(processor).isInstanceOf(UpperCaseName.class);
        assertThat(((ItemAction.Put) processor.process(ITEM)).item().get("name").s()).isEqualTo("ADA");
    }

    @Test
    void create_whenCalledTwice_returnsIndependentInstances() {
        assertThat(ItemProcessors.create(UpperCaseName.class.getName()))
                .isNotSameAs(ItemProcessors.create(UpperCaseName.class.getName()));
    }

    @Test
    void create_whenNameUnknown_throwsNamingItAndTheBuiltIns() {
        assertThatThrownBy(() -> ItemProcessors.create("com.example.Missing"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("'com.example.Missing'")
                .hasMessageContaining("[copy, stamp]")
                .hasMessageContaining("classpath");
        assertThatThrownBy(() -> ItemProcessors.create("Copy"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("'Copy'");
    }

    @Test
    void create_whenClassDoesNotImplementItemProcessor_throwsSayingSo() {
        assertThatThrownBy(() -> ItemProcessors.create(NotAProcessor.class.getName()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining(NotAProcessor.class.getName())
                .hasMessageContaining("does not implement dev.ddbbulk.core.processor.ItemProcessor");
        assertThatThrownBy(() -> ItemProcessors.create("java.lang.String"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("does not implement");
    }

    @Test
    void create_whenNoNoArgumentConstructor_throwsSayingSo() {
        assertThatThrownBy(() -> ItemProcessors.create(NeedsArgument.class.getName()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("no-argument constructor");
    }

    @Test
    void create_whenConstructorThrows_throwsWithTheCause() {
        assertThatThrownBy(() -> ItemProcessors.create(BrokenConstructor.class.getName()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("failed in its constructor")
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no config");
    }

    @Test
    void create_whenAbstractClass_throwsInvalidJob() {
        assertThatThrownBy(() -> ItemProcessors.create(AbstractProcessor.class.getName()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining(AbstractProcessor.class.getName());
    }

    @Test
    void processPage_whenNotOverridden_returnsOneActionPerItemInOrder() {
        ItemProcessor evensOnly = item -> Integer.parseInt(item.get("sk").n()) % 2 == 0
                ? ItemAction.put(item) : ItemAction.skip();
        List<Map<String, AttributeValue>> page = List.of(sk(0), sk(1), sk(2));

        List<ItemAction> actions = evensOnly.processPage(page);

        assertThat(actions).containsExactly(ItemAction.put(sk(0)), ItemAction.skip(), ItemAction.put(sk(2)));
    }

    @Test
    void builtInNames_listsCopyAndStamp() {
        assertThat(ItemProcessors.builtInNames()).containsExactly("copy", "stamp");
    }

    private static Map<String, AttributeValue> sk(int i) {
        return Map.of("pk", AttributeValue.fromS("a"), "sk", AttributeValue.fromN(Integer.toString(i)));
    }

    public static final class UpperCaseName implements ItemProcessor {
        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            Map<String, AttributeValue> copy = new HashMap<>(item);
            copy.put("name", AttributeValue.fromS(item.get("name").s().toUpperCase()));
            return ItemAction.put(copy);
        }
    }

    public static final class NotAProcessor {
    }

    public static final class NeedsArgument implements ItemProcessor {
        public NeedsArgument(String config) {
        }

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            return ItemAction.skip();
        }
    }

    public static final class BrokenConstructor implements ItemProcessor {
        public BrokenConstructor() {
            throw new IllegalStateException("no config");
        }

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            return ItemAction.skip();
        }
    }

    public abstract static class AbstractProcessor implements ItemProcessor {
        public AbstractProcessor() {
        }
    }
}
