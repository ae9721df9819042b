package dev.ddbbulk.tools.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.InvalidJobException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PricesTest {
    private static final String ONE_REGION = """
            {"pricesAsOf": "2026-01-31", "source": "https://example.com/prices",
             "regions": {"eu-north-1": {
               "dynamoDb": {"STANDARD": {"onDemandReadPerMillion": 1, "onDemandWritePerMillion": 5,
                                         "provisionedRcuHour": 0.001, "provisionedWcuHour": 0.002}},
               "sqsPerMillionRequests": 0.5, "lambdaPerMillionRequests": 0.25,
               "lambdaGbSecond": {"arm64": 0.00001, "x86_64": 0.00002},
               "stepFunctionsPerThousandTransitions": 0.03}}}
            """;

    @Test
    void builtIn_whenUsEast1_hasThePublishedPricesAndTheirDate() {
        Prices prices = Prices.builtIn();
        RegionPrices usEast1 = prices.forRegion("us-east-1");

        assertThat(LocalDate.parse(prices.pricesAsOf())).isBefore(LocalDate.of(2100, 1, 1));
        assertThat(prices.source()).contains("https://aws.amazon.com/dynamodb/pricing/");
        assertThat(usEast1.table("STANDARD")).isEqualTo(new TablePrices(0.125, 0.625, 0.00013, 0.00065));
        assertThat(usEast1.sqsPerMillionRequests()).isEqualTo(0.40);
        assertThat(usEast1.lambdaGbSecond("arm64")).isEqualTo(0.0000133334);
        assertThat(usEast1.stepFunctionsPerThousandTransitions()).isEqualTo(0.025);
        assertThat(usEast1.borrowed()).isFalse();
    }

    @Test
    void builtIn_whenAnyRegion_pricesBothTableClassesAndBothArchitectures() {
        Prices prices = Prices.builtIn();

        assertThat(prices.regions()).containsKeys("us-east-1", "us-east-2", "us-west-2", "eu-west-1");
        prices.regions().values().forEach(region -> {
            assertThat(region.dynamoDb()).containsKeys("STANDARD", "STANDARD_INFREQUENT_ACCESS");
            assertThat(region.table("STANDARD_INFREQUENT_ACCESS").onDemandWritePerMillion())
                    .isGreaterThan(region.table("STANDARD").onDemandWritePerMillion());
            assertThat(region.lambdaGbSecond()).containsKeys("arm64", "x86_64");
        });
    }

    @Test
    void forRegion_whenTheTableHasNoPricesForIt_borrowsThoseOfUsEast1() {
        RegionPrices borrowed = Prices.builtIn().forRegion("ap-south-1");

        assertThat(borrowed.borrowed()).isTrue();
        assertThat(borrowed.region()).isEqualTo("ap-south-1");
        assertThat(borrowed.pricedAs()).isEqualTo("us-east-1");
        assertThat(borrowed.table("STANDARD").onDemandWritePerMillion()).isEqualTo(0.625);
    }

    @Test
    void forRegion_whenAFileHasNeitherTheRegionNorUsEast1_refusesNamingBoth() {
        Prices prices = Prices.parse(ONE_REGION, "--price-file p.json");

        assertThatThrownBy(() -> prices.forRegion("us-west-2")).isInstanceOf(InvalidJobException.class)
                .hasMessage("--price-file p.json has no prices for region us-west-2 nor for us-east-1; add the region to it");
    }

    @Test
    void load_whenTheFileIsValid_readsItsPricesAndDate(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("prices.json"), ONE_REGION);

        Prices prices = Prices.load(file);
        RegionPrices region = prices.forRegion("eu-north-1");

        assertThat(prices.pricesAsOf()).isEqualTo("2026-01-31");
        assertThat(region.table("STANDARD")).isEqualTo(new TablePrices(1, 5, 0.001, 0.002));
        // A class the file doesn't price is priced as Standard.
        assertThat(region.table("STANDARD_INFREQUENT_ACCESS")).isEqualTo(region.table("STANDARD"));
        assertThat(region.lambdaGbSecond("arm64")).isEqualTo(0.00001);
    }

    @Test
    void load_whenTheFileDoesNotExist_refusesAsBadInput(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");

        assertThatThrownBy(() -> Prices.load(missing)).isInstanceOf(InvalidJobException.class)
                .hasMessage("--price-file " + missing + " does not exist; fix the path or drop --price-file for the"
                        + " built-in prices");
    }

    @Test
    void parse_whenNotJson_refusesNamingTheFile() {
        assertThatThrownBy(() -> Prices.parse("{nope", "--price-file p.json")).isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("--price-file p.json is not valid JSON (");
    }

    @Test
    void parse_whenAPriceIsNegative_namesTheFieldAndTheValue() {
        String negative = ONE_REGION.replace("\"sqsPerMillionRequests\": 0.5", "\"sqsPerMillionRequests\": -0.5");

        assertThatThrownBy(() -> Prices.parse(negative, "--price-file p.json")).isInstanceOf(InvalidJobException.class)
                .hasMessage("--price-file p.json: regions.eu-north-1.sqsPerMillionRequests must be a price in USD (a"
                        + " number, 0 or more), got -0.5; fix it (the built-in prices.json shows the layout)");
    }

    @Test
    void parse_whenStandardIsMissing_saysWhichTableClassIsNeeded() {
        String noStandard = ONE_REGION.replace("\"STANDARD\":", "\"STANDARD_IA\":");

        assertThatThrownBy(() -> Prices.parse(noStandard, "--price-file p.json")).isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("regions.eu-north-1.dynamoDb must be an object with the prices of table class STANDARD");
    }

    @Test
    void parse_whenTheDateIsNotADate_refuses() {
        String undated = ONE_REGION.replace("2026-01-31", "last week");

        assertThatThrownBy(() -> Prices.parse(undated, "--price-file p.json")).isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("pricesAsOf must be a date like 2026-12-02, got 'last week'");
    }

    @Test
    void withOnDemand_whenOverridden_replacesTheUnitPricesOfEveryClassAndKeepsTheRest() {
        RegionPrices usEast1 = Prices.builtIn().forRegion("us-east-1");

        RegionPrices overridden = usEast1.withOnDemand(null, 2.0);

        assertThat(overridden.table("STANDARD").onDemandWritePerMillion()).isEqualTo(2.0);
        assertThat(overridden.table("STANDARD_INFREQUENT_ACCESS").onDemandWritePerMillion()).isEqualTo(2.0);
        assertThat(overridden.table("STANDARD").onDemandReadPerMillion()).isEqualTo(0.125);
        assertThat(overridden.table("STANDARD").provisionedWcuHour()).isEqualTo(0.00065);
        assertThat(usEast1.withOnDemand(null, null)).isSameAs(usEast1);
    }
}
