package dev.ddbbulk.tools.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.job.SegmentChoice;
import dev.ddbbulk.tools.estimate.Capacity;
import dev.ddbbulk.tools.estimate.Estimate;
import dev.ddbbulk.tools.estimate.TableFacts;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** An {@link Estimate} as a table ({@code estimate}), as a short block ({@code run}, {@code start}), or as JSON. */
public final class EstimateReport {
    private EstimateReport() {
    }

    public static ObjectNode toJson(Estimate estimate, ObjectMapper json) {
        return json.valueToTree(estimate);
    }

    /** The whole estimate as a readable table. */
    public static void printText(Estimate e, PrintWriter out) {
        boolean inPlace = e.source() == e.destination() || e.source().name().equals(e.destination().name());
        boolean writes = e.writes().tableUnitsPerItem() > 0;
        out.printf("Estimate: %s '%s'%s, %s; %d segments, %d workers on %s%n",
                !writes ? "scan of" : inPlace ? "update in place of" : "copy of", e.source().name(),
                inPlace ? "" : " into '" + e.destination().name() + "'", e.writes().how(), e.segments(), e.workers(),
                e.fleet().equals("LAMBDA") ? "the deployed stack's Lambda fleet" : "a local fleet");
        out.printf("Prices of %s as of %s%n%n", pricedAs(e), e.prices().pricesAsOf());

        out.printf("%-24s %12s %10s %9s  %-34s %-27s %s%n", "table", "items", "size", "avg item", "billing",
                "class", "PITR");
        List<TableFacts> tables = inPlace ? List.of(e.source()) : List.of(e.source(), e.destination());
        for (TableFacts t : tables) {
            out.printf("%-24s %12s %10s %9s  %-34s %-27s %s%n", t.name(), count(t.itemCount()), bytes(t.sizeBytes()),
                    bytes(Math.round(t.averageItemBytes())), billing(t.capacity()), t.tableClass(),
                    t.pointInTimeRecovery().status().name().toLowerCase(Locale.ROOT));
        }
        out.println();

        out.printf("%-26s %14s %9s %11s %12s %11s%n", "DynamoDB", "units", "per item", "on-demand", "provisioned",
                "billed");
        Estimate.Reads r = e.reads();
        out.printf("%-26s %14s %9s %11s %12s %11s  %s%n", "reads (" + (r.consistent() ? "consistent" : "eventual") + ")",
                count(r.units()), perItem(r.unitsPerItem()), money(r.onDemandDollars()), money(r.provisionedDollars()),
                money(r.dollars()), mode(r.billing()));
        Estimate.Writes w = e.writes();
        out.printf("%-26s %14s %9s %11s %12s %11s  %s%n", "writes", count(w.units()), perItem(w.unitsPerItem()),
                money(w.onDemandDollars()), money(w.provisionedDollars()), money(w.dollars()), mode(w.billing()));
        if (writes) {
            out.printf("  %-24s %24s%n", "table '" + e.destination().name() + "'", perItem(w.tableUnitsPerItem()));
            for (Estimate.IndexWrite index : w.indexes()) {
                out.printf("  %-24s %24s  (%s, %d write%s an item)%n", "index '" + index.index() + "'",
                        perItem(index.unitsPerItem()), index.global() ? "global" : "local", index.writesPerItem(),
                        index.writesPerItem() == 1 ? "" : "s");
            }
        }
        out.printf("%-26s %61s%n%n", "total", money(e.dynamoDbDollars()));

        Estimate.Timing d = e.duration();
        out.printf("duration  about %s at %s items/s, limited by %s%n", duration(d.seconds()), count(d.itemsPerSecond()),
                d.limitedBy());
        for (Estimate.Bound bound : d.bounds()) {
            if (!bound.limit().equals(d.limitedBy())) {
                out.printf("          %s items/s: %s%n", count(bound.itemsPerSecond()), bound.limit());
            }
        }
        out.println();

        Estimate.Overhead o = e.overhead();
        out.printf("overhead  %s%s (goal: at most %.0f%%)%n", money(o.dollars()), share(o), o.goal() * 100);
        out.printf("  %-16s %-38s %s%n", "ledger", count(o.ledgerReadUnits()) + " read + " + count(o.ledgerWriteUnits())
                + " write units", money(o.ledgerDollars()));
        out.printf("  %-16s %-38s %s%n", "SQS", count(o.sqsRequests()) + " requests", money(o.sqsDollars()));
        if (e.fleet().equals("LAMBDA")) {
            out.printf("  %-16s %-38s %s%n", "Lambda", count(o.lambdaGbSeconds()) + " GB-s, "
                    + count(o.lambdaRequests()) + " invocations", money(o.lambdaDollars()));
            out.printf("  %-16s %-38s %s%n", "Step Functions", count(o.stateTransitions()) + " state transitions",
                    money(o.stepFunctionsDollars()));
        }
        out.printf("%ntotal     about %s%n", money(e.totalDollars()));
        if (!e.warnings().isEmpty() || !e.notes().isEmpty()) {
            out.println();
        }
        e.warnings().forEach(warning -> out.println("warning: " + warning));
        e.notes().forEach(note -> out.println("note: " + note));
        out.flush();
    }

    /** A few lines for {@code run} and {@code start} to print before they start anything. */
    public static void printBrief(Estimate e, PrintWriter out) {
        printBrief(e, null, out);
    }

    /** As {@link #printBrief(Estimate, PrintWriter)}, with the TotalSegments the job runs with and why. */
    public static void printBrief(Estimate e, SegmentChoice segments, PrintWriter out) {
        out.printf("Estimate (DescribeTable figures, updated about every 6 hours; prices of %s as of %s;"
                + " 'ddb-bulk estimate' has the details):%n", pricedAs(e), e.prices().pricesAsOf());
        if (segments != null) {
            out.println("  " + segmentsLine(segments));
        }
        List<String> indexes = new ArrayList<>();
        e.writes().indexes().forEach(i -> indexes.add(i.index()));
        out.printf("  %s items, %s: %s read units, %s write units%s; DynamoDB %s (%s)%n", count(e.items()),
                bytes(e.source().sizeBytes()), count(e.reads().units()), count(e.writes().units()),
                indexes.isEmpty() ? "" : " (indexes " + String.join(", ", indexes) + ")", money(e.dynamoDbDollars()),
                billedAs(e));
        out.printf("  about %s at %s items/s (%s); ddb-bulk's overhead %s%s%n", duration(e.duration().seconds()),
                count(e.duration().itemsPerSecond()), e.duration().limitedBy(), money(e.overhead().dollars()),
                share(e.overhead()));
        e.warnings().forEach(warning -> out.println("  warning: " + warning));
        out.flush();
    }

    /**
     * The TotalSegments a job runs with: a given number as given; {@code auto} with the figures it was picked from,
     * e.g. {@code TotalSegments: auto -> 1,200 (50,000,000 items, 12.1 GB; about 4 min a segment at 3,200 items/s
     * a worker)}.
     */
    public static String segmentsLine(SegmentChoice choice) {
        String picked = "TotalSegments: auto -> " + count(choice.segments());
        return switch (choice.basis()) {
            case GIVEN -> "TotalSegments: " + choice.segments();
            case RECORDED -> picked + " (the number the run was started with)";
            case UNCOUNTED -> picked + " (the source's DescribeTable figures read 0, but it holds items: DynamoDB"
                    + " refreshes them about every 6 hours; give --segments to size it yourself)";
            case SIZED -> choice.itemCount() == 0 && choice.tableBytes() == 0
                    ? picked + " (the source is empty: a segment a worker)"
                    : picked + " (" + count(choice.itemCount()) + " items, " + bytes(choice.tableBytes()) + "; about "
                            + duration(choice.segmentSeconds()) + " a segment at " + count(choice.workerItemsPerSecond())
                            + " items/s a worker, " + choice.rateSetBy() + ")";
        };
    }

    private static String pricedAs(Estimate e) {
        return e.prices().pricedAs().equals(e.prices().region()) ? e.prices().region()
                : e.prices().pricedAs() + " (for " + e.prices().region() + ")";
    }

    private static String billedAs(Estimate e) {
        String reads = mode(e.reads().billing());
        String writes = mode(e.writes().billing());
        return e.writes().tableUnitsPerItem() == 0 || reads.equals(writes) ? reads
                : "reads " + reads + ", writes " + writes;
    }

    private static String share(Estimate.Overhead o) {
        return o.shareOfDynamoDb() == null ? ""
                : String.format(Locale.ROOT, " = %.1f%% of the DynamoDB bill", o.shareOfDynamoDb() * 100);
    }

    private static String billing(Capacity capacity) {
        if (capacity.onDemand()) {
            return capacity.readUnits() == Capacity.UNSET && capacity.writeUnits() == Capacity.UNSET ? "on-demand"
                    : "on-demand, max " + unset(capacity.readUnits()) + " RRU / " + unset(capacity.writeUnits()) + " WRU";
        }
        return "provisioned " + capacity.readUnits() + " RCU / " + capacity.writeUnits() + " WCU";
    }

    private static String unset(long units) {
        return units == Capacity.UNSET ? "-" : Long.toString(units);
    }

    private static String mode(String billing) {
        return Capacity.Mode.valueOf(billing) == Capacity.Mode.PAY_PER_REQUEST ? "on-demand" : "provisioned";
    }

    static String count(double n) {
        return String.format(Locale.ROOT, "%,.0f", n);
    }

    private static String perItem(double units) {
        return units == Math.rint(units) ? String.format(Locale.ROOT, "%.0f", units)
                : String.format(Locale.ROOT, "%.3f", units);
    }

    /** Dollars to the cent from a dollar up, else to a hundredth of a cent. */
    static String money(double dollars) {
        if (dollars == 0) {
            return "$0";
        }
        if (dollars >= 1) {
            return String.format(Locale.ROOT, "$%,.2f", dollars);
        }
        return dollars < 0.0001 ? "<$0.0001" : String.format(Locale.ROOT, "$%.4f", dollars);
    }

    static String bytes(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String duration(double seconds) {
        if (seconds < 90) {
            return String.format(Locale.ROOT, "%.0f s", Math.ceil(seconds));
        }
        if (seconds < 90 * 60) {
            return String.format(Locale.ROOT, "%.0f min", Math.ceil(seconds / 60));
        }
        if (seconds < 48 * 3600) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        return String.format(Locale.ROOT, "%.1f days", seconds / 86400);
    }
}
