package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.output.ExitCodes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.utils.builder.ToCopyableBuilder;

/**
 * A processor from a jar of its own, as a Lambda layer supplies one: the jar is compiled and packed here, so its
 * class is on no classpath of the test, and only {@code --processor-jar} can make it load.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class ProcessorJarIT {
    private static final String PROCESSOR = "example.layer.TagProcessor";
    private static final String SOURCE = """
            package example.layer;

            import dev.ddbbulk.core.processor.ItemAction;
            import dev.ddbbulk.core.processor.ItemProcessor;
            import java.util.HashMap;
            import java.util.Map;
            import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

            public final class TagProcessor implements ItemProcessor {
                @Override
                public ItemAction process(Map<String, AttributeValue> item) {
                    Map<String, AttributeValue> tagged = new HashMap<>(item);
                    tagged.put("tag", AttributeValue.fromS("jar:" + item.get("pk").s()));
                    return ItemAction.put(tagged);
                }
            }
            """;

    @TempDir
    static Path dir;
    private static Path jar;
    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    @BeforeAll
    static void buildTheJar(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs, EmbeddedEnvironment sharedEnvironment)
            throws IOException {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
        jar = compileIntoJar(dir);
    }

    @Test
    void run_whenProcessorIsInTheJar_appliesItToEveryItemExactlyOnce() {
        assertThatThrownBy(() -> Class.forName(PROCESSOR)).isInstanceOf(ClassNotFoundException.class);
        String table = environment.unique("jar-src");
        TestTables.createAndFill(dynamoDb, table, 400);
        Map<String, Map<String, AttributeValue>> before =
                TestTables.byKey(TestTables.scanAll(dynamoDb, table));

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", table, "--segments", "7",
                "--workers", "3", "--ledger-table", environment.unique("ledger"), "--processor-jar", jar.toString(),
                "--processor", PROCESSOR, "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(400);
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(400);
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(7);
        Map<String, Map<String, AttributeValue>> expected = new HashMap<>();
        before.forEach((key, item) -> {
            Map<String, AttributeValue> tagged = new HashMap<>(item);
            tagged.put("tag", AttributeValue.fromS("jar:" + item.get(TestTables.PK).s()));
            expected.put(key, tagged);
        });
        assertThat(TestTables.byKey(TestTables.scanAll(dynamoDb, table))).hasSize(400).isEqualTo(expected);
    }

    @Test
    void demo_whenProcessorIsInTheJar_verifiesItsEffectOnEveryItem() {
        Cli result = Cli.run("demo", "--items", "300", "--segments", "5", "--workers", "2",
                "--destination", DemoCommand.SOURCE, "--processor-jar", jar.toString(), "--processor", PROCESSOR,
                "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.json().get("itemsWritten").asLong()).isEqualTo(300);
        assertThat(result.json().get("verified").asBoolean()).isTrue();
    }

    @Test
    void demo_whenClassIsNotInTheJar_exits2WithOneLineBeforeStartingAnything() {
        Cli result = Cli.run("demo", "--processor-jar", jar.toString(), "--processor", "example.layer.Missing");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: ItemProcessor class 'example.layer.Missing' is not in"
                + " --processor-jar " + jar + "; check --processor (the fully qualified class name) or rebuild the jar"
                + " with it");
    }

    @Test
    void run_whenJarIsMissing_exits2WithOneLineAndCreatesNothing() {
        Path missing = dir.resolve("no-such.jar");

        assertRefusedBeforeAnythingIsCreated(missing.toString(), PROCESSOR,
                "ddb-bulk: --processor-jar " + missing + " is not a file; build your processor's jar and give its path");
    }

    @Test
    void run_whenFileIsNotAJar_exits2WithOneLineAndCreatesNothing() throws IOException {
        Path text = Files.writeString(dir.resolve("not-a.jar"), "not a zip");

        assertRefusedBeforeAnythingIsCreated(text.toString(), PROCESSOR, "ddb-bulk: --processor-jar " + text
                + " is not a jar (");
    }

    @Test
    void run_whenClassIsNotInTheJar_exits2WithOneLineAndCreatesNothing() {
        assertRefusedBeforeAnythingIsCreated(jar.toString(), "example.layer.Missing",
                "ddb-bulk: ItemProcessor class 'example.layer.Missing' is not in --processor-jar " + jar
                        + "; check --processor (the fully qualified class name) or rebuild the jar with it");
    }

    private static void assertRefusedBeforeAnythingIsCreated(String jarPath, String processor, String messageStart) {
        String table = environment.unique("jar-bad");
        TestTables.createAndFill(dynamoDb, table, 20);
        List<Map<String, AttributeValue>> before = TestTables.scanAll(dynamoDb, table);
        String ledger = environment.unique("ledger");
        int queuesBefore = sqs.listQueues().queueUrls().size();

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", table, "--ledger-table", ledger,
                "--processor-jar", jarPath, "--processor", processor));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).startsWith(messageStart);
        assertThat(result.err().strip()).doesNotContain("\n");
        assertThat(result.out()).isEmpty();
        assertThat(dynamoDb.listTablesPaginator().tableNames()).doesNotContain(ledger);
        assertThat(sqs.listQueues().queueUrls()).hasSize(queuesBefore);
        assertThat(TestTables.byKey(TestTables.scanAll(dynamoDb, table))).isEqualTo(TestTables.byKey(before));
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("No file location for " + type, e);
        }
    }

    /** Compiles {@link #SOURCE} against the processor API and packs it as a jar, as a user's build would. */
    private static Path compileIntoJar(Path dir) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src/example/layer"));
        Path source = Files.writeString(sources.resolve("TagProcessor.java"), SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        // The API's jars by their classes, as the classpath of a forked test JVM may be a manifest-only jar.
        String classpath = Stream.of(ItemProcessor.class, AttributeValue.class, SdkBytes.class, ToCopyableBuilder.class)
                .map(ProcessorJarIT::location)
                .distinct().collect(Collectors.joining(java.io.File.pathSeparator));
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-classpath", classpath,
                "-d", classes.toString(), source.toString());
        assertThat(status).as("javac exit status").isZero();
        Path jarFile = dir.resolve("processors.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jarFile));
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, (OutputStream) out);
                out.closeEntry();
            }
        }
        return jarFile;
    }
}
