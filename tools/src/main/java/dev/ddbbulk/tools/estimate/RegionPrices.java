package dev.ddbbulk.tools.estimate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The prices an estimate uses, in USD: those of {@code pricedAs}, which is {@code region} unless the price table
 * has no prices for it.
 *
 * @param region                             the region the job runs in
 * @param pricedAs                           the region whose prices these are
 * @param pricesAsOf                         when the prices were taken (YYYY-MM-DD)
 * @param source                             where they were taken from
 * @param dynamoDb                           per table class ({@code STANDARD}, {@code STANDARD_INFREQUENT_ACCESS})
 * @param sqsPerMillionRequests              a million SQS requests (standard queue)
 * @param lambdaPerMillionRequests           a million Lambda invocations
 * @param lambdaGbSecond                     a GB-second of Lambda duration, per architecture ({@code arm64}, {@code x86_64})
 * @param stepFunctionsPerThousandTransitions a thousand state transitions of a Standard workflow
 */
public record RegionPrices(String region, String pricedAs, String pricesAsOf, String source,
                           Map<String, TablePrices> dynamoDb, double sqsPerMillionRequests,
                           double lambdaPerMillionRequests, Map<String, Double> lambdaGbSecond,
                           double stepFunctionsPerThousandTransitions) {
    public static final String STANDARD = "STANDARD";

    public RegionPrices {
        dynamoDb = Map.copyOf(dynamoDb);
        lambdaGbSecond = Map.copyOf(lambdaGbSecond);
    }

    /** The prices of {@code tableClass}; a class the table doesn't know is priced as Standard. */
    public TablePrices table(String tableClass) {
        return dynamoDb.getOrDefault(tableClass, dynamoDb.get(STANDARD));
    }

    /** A GB-second on {@code architecture}; one the table doesn't know is priced as x86_64, the dearer. */
    public double lambdaGbSecond(String architecture) {
        return lambdaGbSecond.getOrDefault(architecture, lambdaGbSecond.get("x86_64"));
    }

    /** Whether these are another region's prices, for want of the job's. */
    public boolean borrowed() {
        return !region.equals(pricedAs);
    }

    /**
     * These prices with the on-demand request prices of every table class replaced where an override is given
     * (null keeps the price).
     */
    public RegionPrices withOnDemand(Double readPerMillion, Double writePerMillion) {
        if (readPerMillion == null && writePerMillion == null) {
            return this;
        }
        Map<String, TablePrices> overridden = new LinkedHashMap<>();
        dynamoDb.forEach((tableClass, prices) -> overridden.put(tableClass,
                prices.withOnDemand(readPerMillion, writePerMillion)));
        return new RegionPrices(region, pricedAs, pricesAsOf, source, overridden, sqsPerMillionRequests,
                lambdaPerMillionRequests, lambdaGbSecond, stepFunctionsPerThousandTransitions);
    }
}
