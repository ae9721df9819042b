package dev.ddbbulk.tools.report;

import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.SegmentRecord;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * A {@link RunReport} as one self-contained HTML page: inline CSS, inline SVG charts and a small inline script (a
 * heat map toggle), nothing fetched, so that it can be mailed or archived as it is. Its size is bounded by the
 * report's, which is bounded whatever the run's size.
 */
public final class ReportHtml {
    /** Heat map colours, low to high (viridis). */
    static final String[] PALETTE = {"#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39",
            "#fde725"};
    static final String NOT_STARTED = "#ececec";
    static final String STARTED = "#b4b4b4";
    static final String TROUBLE = "#d62728";
    private static final int CHART_WIDTH = 768;
    private static final int CHART_HEIGHT = 200;
    /** Charts leave this much room above the plot for the y axis's label. */
    private static final int PLOT_TOP = 18;
    private static final int PLOT_BOTTOM = CHART_HEIGHT - 20;

    private ReportHtml() {
    }

    /** The page as a string, for tests and small reports. */
    public static String render(RunReport report) {
        StringBuilder page = new StringBuilder(64 * 1024);
        new Page(report, page).write();
        return page.toString();
    }

    public static void write(RunReport report, Writer out) throws IOException {
        out.write(render(report));
        out.flush();
    }

    /** Builds one page; the methods append its parts in order. */
    private static final class Page {
        private final RunReport report;
        private final StringBuilder html;

        Page(RunReport report, StringBuilder html) {
            this.report = report;
            this.html = html;
        }

        void write() {
            html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>ddb-bulk report ")
                    .append(esc(report.runId())).append("</title>\n<style>\n").append(STYLE);
            for (int i = 0; i < PALETTE.length; i++) {
                html.append(".c").append(i).append("{fill:").append(PALETTE[i]).append("}");
            }
            html.append(".ns{fill:").append(NOT_STARTED).append("}.st{fill:").append(STARTED).append("}.tr{stroke:")
                    .append(TROUBLE).append(";stroke-width:2}\n</style></head>\n<body data-errors=\"0\">\n");
            html.append("<h1>Run ").append(esc(report.runId())).append(": ").append(report.state()).append("</h1>\n");
            html.append("<p class=\"note\">Read from the ledger at ").append(report.generatedAt())
                    .append("; run created at ").append(report.createdAt()).append(".</p>\n");
            summary();
            heatMaps();
            histogram();
            throughput();
            slowest();
            problems("Dead-lettered", report.deadLettered(), report.states().deadLettered());
            problems("Failed", report.failed(), report.states().failed());
            html.append("<script>\n").append(SCRIPT).append("</script>\n</body></html>\n");
        }

        private void summary() {
            RunReport.SegmentStates s = report.states();
            Counts c = report.counts();
            RunReport.Splits splits = report.splits();
            html.append("<section><h2>Summary</h2>\n<div class=\"cols\"><table class=\"summary\">\n");
            pair("Segments done", count(s.done()) + " / " + count(report.totalSegments()));
            if (s.expired() > 0) {
                pair("Done, rows expired (left out below)", count(s.expired()));
            }
            pair("Not started", count(s.notStarted()));
            pair("In progress", count(s.inProgress()));
            pair("Failed", count(s.failed()));
            pair("Dead-lettered", count(s.deadLettered()));
            pair("Segments split", count(splits.segmentsSplit()));
            pair("Ranges made / done", count(splits.rangesMade()) + " / " + count(splits.rangesDone()));
            pair("Continuations", count(report.continuations()));
            pair("Retries", count(report.retries()));
            html.append("</table><table class=\"summary\">\n");
            pair("Items scanned", count(c.scanned()));
            pair("Written", count(c.written()));
            pair("Deleted", count(c.deleted()));
            pair("Skipped", count(c.skipped()));
            pair("Conditional-check failures", count(c.conditionalFailures()));
            pair("Already applied", count(c.alreadyApplied()));
            html.append("</table></div>\n<table class=\"grid\"><tr><th>per done segment (")
                    .append(count(report.items().count()))
                    .append(")</th><th>min</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>\n");
            distribution("items", report.items(), ReportFormat::count);
            distribution("duration", report.durationsMs(), ReportFormat::duration);
            html.append("</table>\n<p class=\"note\">A segment's ranges count into it: items summed, duration from"
                    + " the earliest start to the latest end.</p></section>\n");
        }

        private void pair(String name, String value) {
            html.append("<tr><th>").append(name).append("</th><td>").append(value).append("</td></tr>\n");
        }

        private void distribution(String name, Distribution d, LongFunction<String> format) {
            html.append("<tr><th>").append(name).append("</th>");
            if (d.count() == 0) {
                html.append("<td colspan=\"5\">none done yet</td></tr>\n");
                return;
            }
            for (long v : new long[] {d.min(), d.p50(), d.p90(), d.p99(), d.max()}) {
                html.append("<td>").append(format.apply(v)).append("</td>");
            }
            html.append("</tr>\n");
        }

        private void heatMaps() {
            RunReport.HeatMap map = report.heatMap();
            html.append("<section><h2>Segments</h2>\n<p><button type=\"button\" data-show=\"items\">Items</button>")
                    .append(" <button type=\"button\" data-show=\"duration\">Duration</button></p>\n")
                    .append("<div id=\"maps\">\n");
            heatMap(map, "items", "Items scanned", map.maxItems(), ReportFormat::count);
            heatMap(map, "duration", "Duration", map.maxDurationMs(), ReportFormat::duration);
            html.append("</div>\n<p class=\"note\">");
            if (map.segmentsPerCell() == 1) {
                html.append("Each cell is one segment, from segment 0 at the top left, row by row.");
            } else {
                html.append("Each cell is a block of ").append(count(map.segmentsPerCell()))
                        .append(" contiguous segments, from segment 0 at the top left, row by row, coloured by the"
                                + " block's <b>maximum</b> over its done segments.");
            }
            html.append(" <span class=\"sw\" style=\"background:").append(STARTED)
                    .append("\"></span> started, none done; <span class=\"sw\" style=\"background:").append(NOT_STARTED)
                    .append("\"></span> not started; <span class=\"sw\" style=\"border:2px solid ").append(TROUBLE)
                    .append("\"></span> failed or dead-lettered segments. Hover a cell for its figures.</p></section>\n");
        }

        private void heatMap(RunReport.HeatMap map, String kind, String title, long[] values,
                             LongFunction<String> format) {
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (int cell = 0; cell < map.cells(); cell++) {
                if (map.done()[cell] > 0) {
                    lo = Math.min(lo, values[cell]);
                    hi = Math.max(hi, values[cell]);
                }
            }
            int px = Math.max(10, Math.min(40, CHART_WIDTH / map.columns()));
            int width = map.columns() * px;
            int height = map.rows() * px;
            html.append("<div class=\"map ").append(kind).append("\"><h3>").append(title).append("</h3>\n")
                    .append("<svg class=\"heat\" width=\"").append(width).append("\" height=\"").append(height)
                    .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                    .append("\" role=\"img\" aria-label=\"").append(title).append(" heat map\">\n");
            for (int cell = 0; cell < map.cells(); cell++) {
                int x = cell % map.columns() * px;
                int y = cell / map.columns() * px;
                String fill = map.done()[cell] > 0 ? "c" + level(values[cell], lo, hi)
                        : map.started()[cell] > 0 ? "st" : "ns";
                html.append("<rect x=\"").append(x + 1).append("\" y=\"").append(y + 1).append("\" width=\"")
                        .append(px - 2).append("\" height=\"").append(px - 2).append("\" class=\"").append(fill)
                        .append(map.troubled()[cell] > 0 ? " tr" : "").append("\"><title>");
                cellTitle(map, cell, values, format);
                html.append("</title></rect>\n");
            }
            html.append("</svg>\n<div class=\"legend\">");
            if (lo == Long.MAX_VALUE) {
                html.append("No segment done yet.");
            } else {
                for (int i = 0; i < PALETTE.length; i++) {
                    html.append("<span class=\"sw\" style=\"background:").append(PALETTE[i]).append("\"></span>")
                            .append(format.apply(bound(i, lo, hi))).append(' ');
                }
                html.append("&#8230; ").append(format.apply(hi));
            }
            html.append("</div></div>\n");
        }

        private void cellTitle(RunReport.HeatMap map, int cell, long[] values, LongFunction<String> format) {
            int first = map.firstSegment(cell);
            int last = map.lastSegment(cell);
            html.append(first == last ? "segment " + first : "segments " + first + "\u2013" + last).append(": ");
            if (map.done()[cell] > 0) {
                html.append(map.segmentsPerCell() == 1 ? "" : "max ").append(format.apply(values[cell]))
                        .append(", ");
            }
            html.append(map.done()[cell]).append(" of ").append(map.segmentsIn(cell)).append(" done");
            if (map.troubled()[cell] > 0) {
                html.append(", ").append(map.troubled()[cell]).append(" failed or dead-lettered");
            }
        }

        private void histogram() {
            RunReport.Histogram histogram = report.durationHistogram();
            html.append("<section><h2>Segment durations</h2>\n");
            int[] counts = histogram.counts();
            if (counts.length == 0) {
                html.append("<p>No segment done yet.</p></section>\n");
                return;
            }
            int most = 1;
            for (int n : counts) {
                most = Math.max(most, n);
            }
            int plotHeight = PLOT_BOTTOM - PLOT_TOP;
            double barWidth = (double) (CHART_WIDTH - 60) / counts.length;
            svgOpen("histogram", "Segment duration histogram");
            axisLabels(count(most) + " segments", "0", ReportFormat.duration(histogram.binWidthMs() * counts.length));
            for (int i = 0; i < counts.length; i++) {
                int h = (int) Math.round((double) counts[i] * plotHeight / most);
                html.append("<rect class=\"bar\" x=\"").append(num(60 + i * barWidth)).append("\" y=\"")
                        .append(PLOT_BOTTOM - h).append("\" width=\"").append(num(Math.max(1, barWidth - 1)))
                        .append("\" height=\"").append(h).append("\"><title>")
                        .append(ReportFormat.duration(i * histogram.binWidthMs())).append("\u2013")
                        .append(ReportFormat.duration((i + 1) * histogram.binWidthMs())).append(": ")
                        .append(count(counts[i])).append(" segment(s)</title></rect>\n");
            }
            html.append("</svg>\n<p class=\"note\">Done segments by duration, ").append(counts.length)
                    .append(" bins of ").append(ReportFormat.duration(histogram.binWidthMs())).append(".</p></section>\n");
        }

        private void throughput() {
            RunReport.Throughput throughput = report.throughput();
            html.append("<section><h2>Throughput</h2>\n");
            double[] rates = throughput.itemsPerSecond();
            if (rates.length == 0) {
                html.append("<p>No segment started with a known time yet.</p></section>\n");
                return;
            }
            double peak = Math.max(throughput.peak(), 1e-9);
            int plotHeight = PLOT_BOTTOM - PLOT_TOP;
            double step = (double) (CHART_WIDTH - 60) / rates.length;
            svgOpen("throughput", "Items per second over the run");
            axisLabels(ReportFormat.rate(throughput.peak()) + " items/s", "+0s",
                    "+" + ReportFormat.duration(throughput.binWidthMs() * rates.length));
            StringBuilder path = new StringBuilder("M60," + PLOT_BOTTOM);
            for (int i = 0; i < rates.length; i++) {
                double y = PLOT_BOTTOM - rates[i] * plotHeight / peak;
                path.append(" L").append(num(60 + i * step)).append(',').append(num(y)).append(" L")
                        .append(num(60 + (i + 1) * step)).append(',').append(num(y));
            }
            path.append(" L").append(num(60 + rates.length * step)).append(',').append(PLOT_BOTTOM).append(" Z");
            html.append("<path class=\"area\" d=\"").append(path).append("\"/>\n</svg>\n<p class=\"note\">Items scanned"
                    + " per second from ").append(throughput.start()).append(", in bins of ")
                    .append(ReportFormat.duration(throughput.binWidthMs())).append("; each segment's items spread"
                            + " evenly between its start and end (a running one's until now; failed ones left"
                            + " out).</p></section>\n");
        }

        private void svgOpen(String kind, String label) {
            html.append("<svg class=\"").append(kind).append("\" width=\"").append(CHART_WIDTH).append("\" height=\"")
                    .append(CHART_HEIGHT).append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ')
                    .append(CHART_HEIGHT).append("\" role=\"img\" aria-label=\"").append(label).append("\">\n");
        }

        /** The top of the y axis and the two ends of the x axis. */
        private void axisLabels(String top, String left, String right) {
            html.append("<line class=\"axis\" x1=\"58\" y1=\"").append(PLOT_TOP).append("\" x2=\"58\" y2=\"")
                    .append(PLOT_BOTTOM).append("\"/><line class=\"axis\" x1=\"58\" y1=\"").append(PLOT_BOTTOM)
                    .append("\" x2=\"").append(CHART_WIDTH).append("\" y2=\"").append(PLOT_BOTTOM).append("\"/>\n")
                    .append("<text x=\"60\" y=\"12\">").append(esc(top)).append("</text>")
                    .append("<text x=\"60\" y=\"").append(CHART_HEIGHT - 4).append("\">").append(esc(left))
                    .append("</text><text x=\"").append(CHART_WIDTH).append("\" y=\"").append(CHART_HEIGHT - 4)
                    .append("\" text-anchor=\"end\">").append(esc(right)).append("</text>\n");
        }

        private void slowest() {
            List<RunReport.SegmentLine> lines = report.slowest();
            if (lines.isEmpty()) {
                return;
            }
            html.append("<section><h2>Slowest segments</h2>\n<table class=\"grid\"><tr><th>segment</th><th>items</th>"
                    + "<th>duration</th><th>continuations</th><th>retries</th><th>ranges</th></tr>\n");
            for (RunReport.SegmentLine line : lines) {
                html.append("<tr><td>").append(line.segment()).append("</td><td>").append(count(line.items()))
                        .append("</td><td>").append(ReportFormat.duration(line.durationMs()))
                        .append(line.running() ? " (running)" : "").append("</td><td>").append(line.continuations())
                        .append("</td><td>").append(line.retries()).append("</td><td>").append(line.ranges())
                        .append("</td></tr>\n");
            }
            html.append("</table></section>\n");
        }

        private void problems(String title, List<SegmentRecord> rows, int segments) {
            if (rows.isEmpty()) {
                return;
            }
            html.append("<section><h2>").append(title).append(" (").append(count(segments))
                    .append(" segment(s))</h2>\n<ul>\n");
            for (SegmentRecord row : rows) {
                html.append("<li>").append(esc(row.describe())).append(" after ").append(row.attempts())
                        .append(" attempt(s): <code>").append(esc(row.lastError())).append("</code></li>\n");
            }
            html.append("</ul>");
            if (rows.size() == SegmentTally.MAX_LISTED) {
                html.append("<p class=\"note\">The first ").append(rows.size()).append(" shown.</p>");
            }
            html.append("</section>\n");
        }
    }

    /** Which of the palette's colours {@code value} takes on a linear scale from {@code lo} to {@code hi}. */
    static int level(long value, long lo, long hi) {
        if (hi <= lo) {
            return PALETTE.length - 1;
        }
        return (int) Math.min(PALETTE.length - 1, (double) (value - lo) * PALETTE.length / (hi - lo));
    }

    /** The lowest value that takes colour {@code level}. */
    private static long bound(int level, long lo, long hi) {
        return lo + (long) Math.ceil((double) (hi - lo) * level / PALETTE.length);
    }

    private static String count(long value) {
        return ReportFormat.count(value);
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }

    private static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:20px 0 6px}h3{font-size:14px;margin:6px 0}
            .note{color:#555;font-size:12px}
            .cols{display:flex;gap:32px;flex-wrap:wrap}
            table.summary th{text-align:left;font-weight:normal;color:#555;padding-right:16px}
            table.summary td,table.grid td{text-align:right;font-variant-numeric:tabular-nums}
            table.grid{border-collapse:collapse;margin-top:8px}
            table.grid th,table.grid td{border-bottom:1px solid #ddd;padding:2px 10px}
            .sw{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 3px 0 8px;box-sizing:border-box}
            .legend{font-size:12px;margin:4px 0 8px}
            svg text{font-size:11px;fill:#444}
            .axis{stroke:#888;stroke-width:1}.bar{fill:#365c8d}.area{fill:#1fa187;stroke:#277f8e}
            #maps.by-items .map.duration,#maps.by-duration .map.items{display:none}
            button{font:inherit;padding:2px 10px}
            """;

    /** Shows one heat map at a time (both without script), and counts script errors into the page for checks. */
    private static final String SCRIPT = """
            (function () {
              var errors = 0;
              window.addEventListener('error', function () {
                errors++;
                document.body.setAttribute('data-errors', String(errors));
              });
              var maps = document.getElementById('maps');
              maps.className = 'by-items';
              var buttons = document.querySelectorAll('button[data-show]');
              for (var i = 0; i < buttons.length; i++) {
                buttons[i].addEventListener('click', function (event) {
                  maps.className = 'by-' + event.currentTarget.getAttribute('data-show');
                });
              }
              document.body.setAttribute('data-script', 'ran');
            })();
            """;
}
