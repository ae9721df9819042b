package dev.ddbbulk.tools;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.tools.estimate.Prices;
import dev.ddbbulk.tools.estimate.RegionPrices;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The prices an estimate uses: the built-in table or --price-file, with the on-demand unit prices overridable. */
final class PriceMixin {
    @Option(names = "--price-file", paramLabel = "FILE",
            description = "A price table in the layout of the built-in prices.json (per region: DynamoDB per table"
                    + " class, SQS, Lambda, Step Functions, and the date the prices were taken). Default: the built-in one.")
    Path priceFile;

    @Option(names = "--read-unit-price", paramLabel = "USD",
            description = "USD per million on-demand read request units, instead of the price table's.")
    Double readUnitPrice;

    @Option(names = "--write-unit-price", paramLabel = "USD",
            description = "USD per million on-demand write request units, instead of the price table's.")
    Double writeUnitPrice;

    /** The price table, loaded before anything is created so that a bad one is refused as bad input. */
    Prices load() {
        requirePrice("--read-unit-price", readUnitPrice);
        requirePrice("--write-unit-price", writeUnitPrice);
        return priceFile != null ? Prices.load(priceFile) : Prices.builtIn();
    }

    /** {@code prices} of {@code region}, with the on-demand unit prices given on the command line. */
    RegionPrices forRegion(Prices prices, String region) {
        return prices.forRegion(region).withOnDemand(readUnitPrice, writeUnitPrice);
    }

    private static void requirePrice(String option, Double price) {
        if (price != null && !(price >= 0 && Double.isFinite(price))) {
            throw new InvalidJobException(option + " must be a price in USD per million units, 0 or more, got "
                    + price + "; fix it or drop it for the price table's");
        }
    }
}
