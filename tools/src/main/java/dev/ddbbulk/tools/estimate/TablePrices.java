package dev.ddbbulk.tools.estimate;

/**
 * DynamoDB's prices for one table class in one region, in USD.
 *
 * @param onDemandReadPerMillion  a million read request units of an on-demand table
 * @param onDemandWritePerMillion a million write request units of an on-demand table
 * @param provisionedRcuHour      one read capacity unit provisioned for an hour
 * @param provisionedWcuHour      one write capacity unit provisioned for an hour
 */
public record TablePrices(double onDemandReadPerMillion, double onDemandWritePerMillion, double provisionedRcuHour,
                          double provisionedWcuHour) {

    /** These prices with the on-demand ones replaced where an override is given (null keeps the price). */
    TablePrices withOnDemand(Double readPerMillion, Double writePerMillion) {
        return new TablePrices(readPerMillion != null ? readPerMillion : onDemandReadPerMillion,
                writePerMillion != null ? writePerMillion : onDemandWritePerMillion, provisionedRcuHour,
                provisionedWcuHour);
    }
}
