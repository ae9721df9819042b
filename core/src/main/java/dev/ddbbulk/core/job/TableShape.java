package dev.ddbbulk.core.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * A table's primary key: partition key name and type, and the sort key's if any. Two tables with the
 * same shape can take each other's items.
 */
public record TableShape(String table, String partitionKey, String partitionKeyType,
                         String sortKey, String sortKeyType) {

    public static TableShape of(TableDescription description) {
        String hash = null;
        String range = null;
        for (var element : description.keySchema()) {
            if (element.keyType() == KeyType.HASH) {
                hash = element.attributeName();
            } else if (element.keyType() == KeyType.RANGE) {
                range = element.attributeName();
            }
        }
        Map<String, String> types = new LinkedHashMap<>();
        description.attributeDefinitions().forEach(d -> types.put(d.attributeName(), d.attributeTypeAsString()));
        return new TableShape(description.tableName(), hash, types.get(hash), range,
                range == null ? null : types.get(range));
    }

    public List<String> keyAttributes() {
        return sortKey == null ? List.of(partitionKey) : List.of(partitionKey, sortKey);
    }

    public boolean sameKeyAs(TableShape other) {
        return partitionKey.equals(other.partitionKey) && partitionKeyType.equals(other.partitionKeyType)
                && java.util.Objects.equals(sortKey, other.sortKey)
                && java.util.Objects.equals(sortKeyType, other.sortKeyType);
    }

    /** The primary key of {@code item} in this table. */
    public Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> key = new LinkedHashMap<>(2);
        for (String name : keyAttributes()) {
            AttributeValue v = item.get(name);
            if (v == null) {
                throw new IllegalArgumentException("Item has no key attribute '" + name + "' of table " + table);
            }
            key.put(name, v);
        }
        return key;
    }

    public String describeKey() {
        return partitionKey + " (" + partitionKeyType + ")" + (sortKey == null ? "" : ", " + sortKey + " (" + sortKeyType + ")");
    }
}
