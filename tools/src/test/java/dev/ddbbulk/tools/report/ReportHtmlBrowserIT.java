package dev.ddbbulk.tools.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the report of a synthetic million-segment run in headless Chromium, as a person would open the page: its
 * script runs without errors, and the screenshot shows the heat map. Skipped where no Chromium is on the PATH.
 */
class ReportHtmlBrowserIT {
    private static final long DEADLINE_SECONDS = 45;
    private static final Path KEPT = Path.of("target", "report-browser");
    private static Path chromium;

    @TempDir
    Path dir;

    @BeforeAll
    static void findChromium() {
        chromium = onPath("chromium", "chromium-browser");
        Assumptions.assumeTrue(chromium != null, "no chromium or chromium-browser on the PATH");
    }

    private static Path onPath(String... names) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String name : names) {
            for (String folder : path.split(File.pathSeparator)) {
                Path candidate = Path.of(folder, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    @Test
    void page_whenOpenedInChromium_runsItsScriptWithoutErrorsAndShowsTheHeatMap() throws Exception {
        Path page = dir.resolve("report.html");
        try (Writer writer = Files.newBufferedWriter(page, StandardCharsets.UTF_8)) {
            ReportHtml.write(ReportFixtures.synthetic(1_000_000), writer);
        }
        Path screenshot = dir.resolve("report.png");

        Browsed dom = browse(page, "--dump-dom");
        Browsed shot = browse(page, "--screenshot=" + screenshot, "--window-size=1280,1600");

        assertThat(dom.out()).as("the page's script ran to its end").contains("data-script=\"ran\"")
                .contains("data-errors=\"0\"").contains("id=\"maps\" class=\"by-items\"");
        for (Browsed run : List.of(dom, shot)) {
            assertThat(run.err().lines().filter(line -> line.contains("CONSOLE")
                    && (line.contains("Uncaught") || line.contains(":ERROR:"))))
                    .as("console errors").isEmpty();
        }
        // Kept in the build folder, for a person to look at what the test saw.
        Files.createDirectories(KEPT);
        Files.copy(screenshot, KEPT.resolve("report.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(page, KEPT.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertThat(image).as("screenshot " + screenshot).isNotNull();
        assertThat(heatMapPixels(image)).as("pixels in the heat map's colours")
                .isGreaterThan(image.getWidth() * image.getHeight() / 10);
    }

    private record Browsed(String out, String err) {
    }

    private Browsed browse(Path page, String... options) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "profile");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
        command.addAll(List.of(options));
        command.add(page.toUri().toString());
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Path err = Files.createTempFile(dir, "chromium", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("chromium did not finish within " + DEADLINE_SECONDS + " s: "
                    + Files.readString(err));
        }
        String errText = Files.readString(err);
        assertThat(process.exitValue()).as("chromium's exit code; stderr: " + errText).isZero();
        return new Browsed(Files.readString(out), errText);
    }

    /** Pixels within a small distance of one of the heat map's colours. */
    private static long heatMapPixels(BufferedImage image) {
        int[][] palette = new int[ReportHtml.PALETTE.length][];
        for (int i = 0; i < palette.length; i++) {
            int rgb = Integer.parseInt(ReportHtml.PALETTE[i].substring(1), 16);
            palette[i] = new int[] {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff};
        }
        long matching = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int r = rgb >> 16 & 0xff;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                for (int[] colour : palette) {
                    if (Math.abs(r - colour[0]) <= 3 && Math.abs(g - colour[1]) <= 3 && Math.abs(b - colour[2]) <= 3) {
                        matching++;
                        break;
                    }
                }
            }
        }
        return matching;
    }
}
