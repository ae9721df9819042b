package dev.ddbbulk.tools.estimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.job.InvalidJobException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The price table: per region, DynamoDB's request and capacity prices per table class, and SQS's, Lambda's and
 * Step Functions', with the date they were taken and where from. The built-in table is {@code prices.json} on the
 * classpath; {@code --price-file} names another of the same layout.
 */
public record Prices(String pricesAsOf, String source, String origin, Map<String, RegionPrices> regions) {
    /** The region whose prices stand in for a region the table has none for. */
    public static final String FALLBACK_REGION = "us-east-1";
    static final String BUILT_IN = "prices.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TABLE_PRICES = List.of("onDemandReadPerMillion", "onDemandWritePerMillion",
            "provisionedRcuHour", "provisionedWcuHour");

    public Prices {
        regions = Map.copyOf(regions);
    }

    /** The table shipped with ddb-bulk. */
    public static Prices builtIn() {
        try (InputStream in = Prices.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "the built-in " + BUILT_IN);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the built-in " + BUILT_IN, e);
        }
    }

    /** The table in {@code file}; a file that is missing or not such a table is bad input. */
    public static Prices load(Path file) {
        String origin = "--price-file " + file;
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), origin);
        } catch (NoSuchFileException e) {
            throw new InvalidJobException(origin + " does not exist; fix the path or drop --price-file for the"
                    + " built-in prices", e);
        } catch (IOException e) {
            throw new InvalidJobException(origin + " cannot be read (" + e.getMessage() + "); fix the path or its"
                    + " permissions", e);
        }
    }

    static Prices parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidJobException(origin + " is not valid JSON (" + e.getOriginalMessage() + "); fix it"
                    + " (the built-in " + BUILT_IN + " shows the layout)", e);
        }
        if (root == null || !root.isObject()) {
            throw bad(origin, "", "must be a JSON object with pricesAsOf, source and regions");
        }
        String asOf = text(root, "pricesAsOf", origin);
        try {
            LocalDate.parse(asOf);
        } catch (DateTimeParseException e) {
            throw bad(origin, "pricesAsOf", "must be a date like 2026-12-02, got '" + asOf + "'");
        }
        String source = text(root, "source", origin);
        JsonNode regionsNode = root.get("regions");
        if (regionsNode == null || !regionsNode.isObject() || regionsNode.isEmpty()) {
            throw bad(origin, "regions", "must be an object with at least one region, e.g. \"us-east-1\": {...}");
        }
        Map<String, RegionPrices> regions = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : regionsNode.properties()) {
            regions.put(entry.getKey(), region(entry.getKey(), entry.getValue(), asOf, source, origin));
        }
        return new Prices(asOf, source, origin, regions);
    }

    /**
     * The prices of {@code region}, or, when the table has none for it, those of {@link #FALLBACK_REGION} (see
     * {@link RegionPrices#borrowed()}).
     */
    public RegionPrices forRegion(String region) {
        RegionPrices own = regions.get(region);
        if (own != null) {
            return own;
        }
        RegionPrices fallback = regions.get(FALLBACK_REGION);
        if (fallback == null) {
            throw new InvalidJobException(origin + " has no prices for region " + region + " nor for "
                    + FALLBACK_REGION + "; add the region to it");
        }
        return new RegionPrices(region, FALLBACK_REGION, fallback.pricesAsOf(), fallback.source(),
                fallback.dynamoDb(), fallback.sqsPerMillionRequests(), fallback.lambdaPerMillionRequests(),
                fallback.lambdaGbSecond(), fallback.stepFunctionsPerThousandTransitions());
    }

    private static RegionPrices region(String name, JsonNode node, String asOf, String source, String origin) {
        String path = "regions." + name;
        if (!node.isObject()) {
            throw bad(origin, path, "must be an object");
        }
        JsonNode dynamoDbNode = node.get("dynamoDb");
        if (dynamoDbNode == null || !dynamoDbNode.isObject() || !dynamoDbNode.has(RegionPrices.STANDARD)) {
            throw bad(origin, path + ".dynamoDb", "must be an object with the prices of table class "
                    + RegionPrices.STANDARD + " (and STANDARD_INFREQUENT_ACCESS)");
        }
        Map<String, TablePrices> dynamoDb = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> tableClass : dynamoDbNode.properties()) {
            String classPath = path + ".dynamoDb." + tableClass.getKey();
            double[] p = new double[TABLE_PRICES.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = price(tableClass.getValue(), TABLE_PRICES.get(i), classPath, origin);
            }
            dynamoDb.put(tableClass.getKey(), new TablePrices(p[0], p[1], p[2], p[3]));
        }
        JsonNode lambdaNode = node.get("lambdaGbSecond");
        if (lambdaNode == null || !lambdaNode.isObject()) {
            throw bad(origin, path + ".lambdaGbSecond", "must be an object with the prices of arm64 and x86_64");
        }
        Map<String, Double> lambdaGbSecond = new LinkedHashMap<>();
        for (String architecture : List.of("arm64", "x86_64")) {
            lambdaGbSecond.put(architecture, price(lambdaNode, architecture, path + ".lambdaGbSecond", origin));
        }
        return new RegionPrices(name, name, asOf, source, dynamoDb,
                price(node, "sqsPerMillionRequests", path, origin),
                price(node, "lambdaPerMillionRequests", path, origin), lambdaGbSecond,
                price(node, "stepFunctionsPerThousandTransitions", path, origin));
    }

    private static double price(JsonNode parent, String field, String path, String origin) {
        JsonNode value = parent == null ? null : parent.get(field);
        if (value == null || !value.isNumber() || !Double.isFinite(value.asDouble()) || value.asDouble() < 0) {
            throw bad(origin, path + "." + field, "must be a price in USD (a number, 0 or more), got "
                    + (value == null ? "nothing" : value.toString()));
        }
        return value.asDouble();
    }

    private static String text(JsonNode parent, String field, String origin) {
        JsonNode value = parent.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw bad(origin, field, "must be a non-empty string");
        }
        return value.asText();
    }

    private static InvalidJobException bad(String origin, String path, String problem) {
        return new InvalidJobException(origin + ": " + (path.isEmpty() ? "the file " : path + " ") + problem
                + "; fix it (the built-in " + BUILT_IN + " shows the layout)");
    }
}
