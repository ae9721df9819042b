package dev.ddbbulk.tools.report;

import static dev.ddbbulk.tools.report.ReportFixtures.done;
import static dev.ddbbulk.tools.report.ReportFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.ledger.SegmentStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportHtmlTest {
    private static final Pattern REMOTE = Pattern.compile("(?i)(src|href|xlink:href|action)\\s*=\\s*[\"']?\\s*(https?:|//)");

    private static RunReport small(String runId, String error) {
        SegmentTally tally = new SegmentTally(4);
        tally.accept(done(0, 100, 0, 10));
        tally.accept(row(1, 0, SegmentStatus.DONE, 300, 1, 2, 1, 0.0, 20.0));
        tally.accept(row(1, 1, SegmentStatus.DONE, 50, 0, 1, 0, 5.0, 40.0));
        tally.accept(new dev.ddbbulk.core.ledger.SegmentRecord(runId, 2, 0, SegmentStatus.DEAD_LETTERED,
                java.util.Map.of(), dev.ddbbulk.core.ledger.Counts.ZERO, 0, 0, 3, error, 0,
                ReportFixtures.T0, null, null));
        return tally.report(ReportFixtures.run(runId, 4, false), ReportFixtures.T0.plus(Duration.ofMinutes(1)));
    }

    private static void assertSelfContained(String page) {
        assertThat(page).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(REMOTE.matcher(page).find()).as("a src or href to a remote address").isFalse();
        assertThat(page).doesNotContainIgnoringCase("<link").doesNotContainIgnoringCase("@import")
                .doesNotContainIgnoringCase("url(").doesNotContainIgnoringCase("<script src")
                .doesNotContainIgnoringCase("<iframe").doesNotContainIgnoringCase("<img");
    }

    @Test
    void render_whenRunIsSmall_writesASelfContainedPageWithEveryPart() {
        String page = ReportHtml.render(small("run-7", "boom"));

        assertSelfContained(page);
        assertThat(page).contains("<h1>Run run-7: INCOMPLETE</h1>")
                .contains("<th>Items scanned</th><td>450</td>")
                .contains("<th>Segments done</th><td>2 / 4</td>")
                .contains("<th>Dead-lettered</th><td>1</td>")
                .contains("<th>Ranges made / done</th><td>1 / 1</td>")
                .contains("class=\"map items\"").contains("class=\"map duration\"")
                .contains("class=\"histogram\"").contains("class=\"throughput\"")
                .contains("Each cell is one segment")
                .contains("segment 1: 350, 1 of 1 done")
                .contains("segment 2: 0 of 1 done, 1 failed or dead-lettered")
                .contains("<h2>Slowest segments</h2>")
                .contains("segment 2 after 3 attempt(s)");
        assertThat(count(page, "<rect x=")).as("4 cells in each of the 2 heat maps").isEqualTo(8);
        assertThat(count(page, "<script")).isEqualTo(1);
    }

    @Test
    void render_whenRunIdAndErrorHoldMarkup_escapesThem() {
        String page = ReportHtml.render(small("<b>run</b>", "bad </code><script>alert(1)</script> & \"more\""));

        assertThat(page).contains("Run &lt;b&gt;run&lt;/b&gt;")
                .contains("bad &lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;")
                .doesNotContain("<script>alert(1)");
        assertThat(count(page, "<script")).isEqualTo(1);
    }

    @Test
    void render_whenNothingIsDoneYet_saysSoInsteadOfCharts() {
        SegmentTally tally = new SegmentTally(3);
        RunReport report = tally.report(ReportFixtures.run("fresh", 3, false), ReportFixtures.T0);

        String page = ReportHtml.render(report);

        assertSelfContained(page);
        assertThat(page).contains("No segment done yet.").contains("none done yet")
                .contains("No segment started with a known time yet.").doesNotContain("class=\"throughput\"");
        assertThat(count(page, "class=\"ns\"")).isEqualTo(6);
    }

    @Test
    void render_whenRunHasAMillionSegments_staysSelfContainedAndUnderThreeMegabytes() {
        RunReport report = ReportFixtures.synthetic(1_000_000);

        String page = ReportHtml.render(report);

        assertSelfContained(page);
        int bytes = page.getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).as("page size in bytes").isLessThan(3 * 1024 * 1024);
        assertThat(report.heatMap().cells()).isLessThanOrEqualTo(SegmentTally.MAX_CELLS);
        assertThat(count(page, "<rect x=")).isEqualTo(2 * report.heatMap().cells());
        assertThat(page).contains("coloured by the block's <b>maximum</b>")
                .contains("<th>Segments done</th><td>999,900 / 1,000,000</td>")
                .contains("<th>Dead-lettered</th><td>100</td>")
                .contains("<th>Segments split</th><td>10,000</td>");
    }

    @Test
    void level_whenValueSpansTheScale_takesTheFirstAndLastColours() {
        assertThat(ReportHtml.level(10, 10, 90)).isZero();
        assertThat(ReportHtml.level(90, 10, 90)).isEqualTo(ReportHtml.PALETTE.length - 1);
        assertThat(ReportHtml.level(50, 10, 90)).isEqualTo(4);
        assertThat(ReportHtml.level(5, 5, 5)).isEqualTo(ReportHtml.PALETTE.length - 1);
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
