package dev.ddbbulk.tools.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.message.DynamoDbKeyCodec;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The checker that the demo and the data-safety tests trust: it must pass an exact copy and catch a missing
 * item, an extra item and a changed one, while taking a number written another way for the same number.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class DemoDataIT {
    private static final int ITEMS = 50;
    private static final int BYTES = 150;
    private static final ItemProcessor COPY = ItemAction::put;

    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    private TableShape destination;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    /** A destination holding an exact copy of demo items 0..49. */
    @BeforeEach
    void exactCopy() throws InterruptedException {
        String table = environment.unique("verify");
        DemoData.createTable(dynamoDb, table);
        destination = new TableShape(table, DemoData.PK, "S", DemoData.SK, "N");
        DemoData.fill(dynamoDb, destination, ITEMS, BYTES, 2);
    }

    @Test
    void verify_whenTheDestinationIsAnExactCopy_findsNoProblem() throws Exception {
        assertThat(DemoData.verify(dynamoDb, destination, COPY, ITEMS, BYTES, false)).isNull();
    }

    @Test
    void verify_whenAnItemIsMissing_namesIt() throws Exception {
        dynamoDb.deleteItem(b -> b.tableName(destination.table()).key(key(17)));

        assertThat(DemoData.verify(dynamoDb, destination, COPY, ITEMS, BYTES, false))
                .isEqualTo("item " + keyJson(17) + " is missing from " + destination.table());
    }

    @Test
    void verify_whenThereIsAnExtraItem_saysHowManyItemsThereAre() throws Exception {
        Map<String, AttributeValue> extra = DemoData.item(ITEMS, BYTES);
        dynamoDb.putItem(b -> b.tableName(destination.table()).item(extra));

        assertThat(DemoData.verify(dynamoDb, destination, COPY, ITEMS, BYTES, false))
                .isEqualTo(destination.table() + " holds 51 items, expected 50");
    }

    @Test
    void verify_whenAnAttributeValueChanged_namesTheItem() throws Exception {
        Map<String, AttributeValue> changed = new HashMap<>(DemoData.item(23, BYTES));
        changed.put("name", AttributeValue.fromS(changed.get("name").s() + "!"));
        dynamoDb.putItem(b -> b.tableName(destination.table()).item(changed));

        assertThat(DemoData.verify(dynamoDb, destination, COPY, ITEMS, BYTES, false))
                .isEqualTo(differs(23));
    }

    @Test
    void verify_whenAnItemGainedAnAttribute_namesTheItem() throws Exception {
        Map<String, AttributeValue> changed = new HashMap<>(DemoData.item(5, BYTES));
        changed.put("note", AttributeValue.fromS("added by someone else"));
        dynamoDb.putItem(b -> b.tableName(destination.table()).item(changed));

        assertThat(DemoData.verify(dynamoDb, destination, COPY, ITEMS, BYTES, false))
                .isEqualTo(differs(5));
    }

    @Test
    void verify_whenANumberChangedInValue_namesTheItem() throws Exception {
        Map<String, AttributeValue> changed = new HashMap<>(DemoData.item(31, BYTES));
        BigDecimal amount = new BigDecimal(changed.get("amount").n());
        changed.put("amount", AttributeValue.fromN(amount.add(new BigDecimal("0.01")).toPlainString()));
        dynamoDb.putItem(b -> b.tableName(destination.table()).item(changed));

        assertThat(DemoData.verify(dynamoDb, destination, COPY, ITEMS, BYTES, false))
                .isEqualTo(differs(31));
    }

    @Test
    void verify_whenTheProcessorWritesANumberInAnotherFormThanTheTableReturns_findsNoProblem() throws Exception {
        // "1234.5" and "1234.500" are one number: DynamoDB returns neither trailing zeros nor the form written.
        ItemProcessor trailingZeros = item -> {
            Map<String, AttributeValue> put = new HashMap<>(item);
            put.put("amount", AttributeValue.fromN(item.get("amount").n() + "00"));
            return ItemAction.put(put);
        };

        assertThat(trailingZeros.process(DemoData.item(1, BYTES)).equals(ItemAction.put(DemoData.item(1, BYTES))))
                .isFalse();
        assertThat(DemoData.verify(dynamoDb, destination, trailingZeros, ITEMS, BYTES, false)).isNull();
    }

    @Test
    void verify_whenInPlaceAndAnItemTheProcessorDeletesIsStillThere_saysHowManyItemsThereAre() throws Exception {
        ItemProcessor deleteEven = item -> Integer.parseInt(item.get(DemoData.SK).n()) % 2 == 0
                ? ItemAction.delete(item) : ItemAction.put(item);
        for (int i = 0; i < ITEMS; i += 2) {
            if (i != 10) {
                Map<String, AttributeValue> key = key(i);
                dynamoDb.deleteItem(b -> b.tableName(destination.table()).key(key));
            }
        }

        assertThat(DemoData.verify(dynamoDb, destination, deleteEven, ITEMS, BYTES, true))
                .isEqualTo(destination.table() + " holds 26 items, expected 25");
        dynamoDb.deleteItem(b -> b.tableName(destination.table()).key(key(10)));
        assertThat(DemoData.verify(dynamoDb, destination, deleteEven, ITEMS, BYTES, true)).isNull();
    }

    private Map<String, AttributeValue> key(int i) {
        return destination.keyOf(DemoData.item(i, BYTES));
    }

    private String keyJson(int i) {
        return DynamoDbKeyCodec.toJson(key(i));
    }

    private String differs(int i) {
        return "item " + keyJson(i) + " in " + destination.table() + " differs from what the processor makes";
    }
}
