package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentCount;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.seeder.progress.ProgressCheck;
import dev.ddbbulk.seeder.progress.QueueDepth;
import dev.ddbbulk.tools.estimate.FleetProfile;
import dev.ddbbulk.worker.WorkerEnv;
import dev.ddbbulk.worker.report.WorkerMetric;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Checks template.yaml (and the state machine definition it points at) against the code it deploys:
 * parameters against the job model, handlers against real classes, CodeUris against the jars the build
 * produces, environment variables against {@link SeederEnv}, and IAM against the named tables and queues.
 */
class TemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");
    private static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs",
            "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");

    private static final Object SOURCE_TABLE = Map.of("Fn::Sub",
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${SourceTable}");
    private static final Object DESTINATION_TABLE = Map.of("Fn::Sub", List.of(
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}",
            Map.of("Table", destinationTableName())));
    private static final Object LEDGER_TABLE = getAtt("LedgerTable", "Arn");

    private static Path root;
    private static Map<String, Object> template;
    private static Map<String, Object> parameters;
    private static Map<String, Object> resources;

    @BeforeAll
    static void loadTemplate() throws IOException {
        root = repositoryRoot();
        template = CloudFormationYaml.load(root.resolve("template.yaml"));
        parameters = map(template.get("Parameters"));
        resources = map(template.get("Resources"));
    }

    @Test
    void template_isASamTemplate() {
        assertThat(template.get("Transform")).isEqualTo("AWS::Serverless-2016-10-31");
        assertThat(resources).containsKeys("LedgerTable", "SegmentQueue", "SegmentDLQ", "SeederFunction",
                "WorkerFunction", "ProgressFunction", "StateMachine");
    }

    @Test
    void parameters_haveTheDocumentedDefaultsAndLimits() {
        assertThat(parameter("SourceTable")).containsEntry("Type", "String").doesNotContainKey("Default");
        assertThat(parameter("DestinationTable")).containsEntry("Type", "String").containsEntry("Default", "");
        assertThat(parameter("ConsistentRead")).containsEntry("Default", "true")
                .containsEntry("AllowedValues", List.of("true", "false"));
        assertThat(parameter("TotalSegments")).containsEntry("Type", "String").containsEntry("Default", "1000");
        assertThat(parameter("ParallelLambdaFunctions")).containsEntry("Type", "Number").containsEntry("Default", 10)
                .containsEntry("MinValue", 1)
                // the queue trigger's MaximumConcurrency cannot exceed 1000
                .containsEntry("MaxValue", 1000);
        assertThat(parameter("RateLimiter")).containsEntry("Type", "Number").containsEntry("Default", -1);
        assertThat(parameter("ItemProcessor")).containsEntry("Default", "copy");
        assertThat(parameter("PageSize")).containsEntry("Type", "Number").containsEntry("Default", 100);
        assertThat(parameter("WriteMode")).containsEntry("Default", "batch")
                .containsEntry("AllowedValues", List.of("batch", "conditional"));
        assertThat(parameter("VersionAttribute")).containsEntry("Default", "");
        assertThat(parameter("MaxReceiveCount")).containsEntry("Type", "Number").containsEntry("Default", 3)
                .containsEntry("MinValue", 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "1", "64", "999999", "1000000", "0", "01", "1000001", "9999999", "-1", "lots", ""})
    void totalSegments_allowedPattern_acceptsWhatTheSeederAccepts(String value) {
        boolean seederAccepts;
        try {
            SegmentCount.parse(value);
            seederAccepts = true;
        } catch (InvalidJobException e) {
            seederAccepts = false;
        }
        boolean templateAccepts = value.matches((String) parameter("TotalSegments").get("AllowedPattern"));

        // "01" is a number to the seeder; CloudFormation may refuse it, which is stricter, not looser.
        assertThat(templateAccepts).isEqualTo(seederAccepts && !value.startsWith("0"));
    }

    @Test
    void parameters_matchTheJobModelsDefaultsAndLimits() {
        JobConfig defaults = JobConfig.builder().sourceTable("source").build();

        assertThat(parameter("TotalSegments").get("Default")).isEqualTo(Integer.toString(defaults.totalSegments()));
        assertThat(parameter("ParallelLambdaFunctions").get("Default")).isEqualTo(defaults.parallelWorkers());
        assertThat((int) parameter("ParallelLambdaFunctions").get("MaxValue")).isLessThanOrEqualTo(JobConfig.MAX_WORKERS);
        assertThat(((Number) parameter("RateLimiter").get("Default")).doubleValue()).isEqualTo(defaults.rateLimit());
        assertThat(parameter("PageSize").get("Default")).isEqualTo(defaults.pageSize());
        assertThat(parameter("PageSize").get("MaxValue")).isEqualTo(JobConfig.MAX_PAGE_SIZE);
        assertThat(parameter("CheckpointIntervalSeconds").get("Default")).isEqualTo(defaults.checkpointIntervalSeconds());
        assertThat(parameter("CheckpointIntervalSeconds").get("MinValue")).isEqualTo(0);
        assertThat(parameter("CheckpointIntervalSeconds").get("MaxValue"))
                .isEqualTo(JobConfig.MAX_CHECKPOINT_INTERVAL_SECONDS);
        assertThat(parameter("ItemProcessor").get("Default")).isEqualTo(defaults.processor());
        assertThat(parameter("ConsistentRead").get("Default")).isEqualTo(Boolean.toString(defaults.consistentRead()));
        assertThat(parameter("WriteMode").get("Default")).isEqualTo(defaults.writeMode().name().toLowerCase());
    }

    @Test
    void workerFleet_isBoundedByParallelLambdaFunctions() {
        Map<String, Object> worker = properties("WorkerFunction");
        // Reserved concurrency only when ReserveConcurrency is true; otherwise the property is left out.
        assertThat(parameter("ReserveConcurrency")).containsEntry("Default", "true")
                .containsEntry("AllowedValues", List.of("true", "false"));
        assertThat(map(template.get("Conditions")).get("ReserveWorkerConcurrency"))
                .isEqualTo(Map.of("Fn::Equals", List.of(ref("ReserveConcurrency"), "true")));
        assertThat(worker.get("ReservedConcurrentExecutions")).isEqualTo(Map.of("Fn::If",
                List.of("ReserveWorkerConcurrency", ref("ParallelLambdaFunctions"), ref("AWS::NoValue"))));

        // MaximumConcurrency caps the fleet in both cases; it must be >= 2, so a fleet of one leaves it out ...
        Map<String, Object> trigger = map(map(map(worker.get("Events")).get("Segments")).get("Properties"));
        List<Object> scaling = list(map(trigger.get("ScalingConfig")).get("Fn::If"));
        assertThat(scaling.get(0)).isEqualTo("SingleWorker");
        assertThat(scaling.get(1)).isEqualTo(ref("AWS::NoValue"));
        assertThat(scaling.get(2)).isEqualTo(Map.of("MaximumConcurrency", ref("ParallelLambdaFunctions")));
        assertThat(map(template.get("Conditions")).get("SingleWorker"))
                .isEqualTo(Map.of("Fn::Equals", List.of(ref("ParallelLambdaFunctions"), "1")));

        // ... and relies on the reservation, so without one a rule refuses a fleet of one.
        Map<String, Object> rule = map(map(template.get("Rules")).get("WorkerFleetIsBounded"));
        assertThat(rule.get("RuleCondition")).isEqualTo(Map.of("Fn::Equals", List.of(ref("ReserveConcurrency"), "false")));
        assertThat(map(list(rule.get("Assertions")).get(0)).get("Assert")).isEqualTo(
                Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(ref("ParallelLambdaFunctions"), "1")))));
    }

    @Test
    void worker_receivesSegmentBatchesOfTenAndReportsPartialFailures() {
        Map<String, Object> event = map(map(properties("WorkerFunction").get("Events")).get("Segments"));
        Map<String, Object> trigger = map(event.get("Properties"));

        assertThat(event.get("Type")).isEqualTo("SQS");
        assertThat(trigger.get("Queue")).isEqualTo(getAtt("SegmentQueue", "Arn"));
        assertThat(trigger.get("BatchSize")).isEqualTo(10);
        assertThat(list(trigger.get("FunctionResponseTypes"))).containsExactly("ReportBatchItemFailures");
    }

    @Test
    void worker_mayContinueSegmentsThroughItsOwnQueue() {
        // Continuations are messages to the queue that invoked the worker; loop detection would drop them.
        assertThat(properties("WorkerFunction").get("RecursiveLoop")).isEqualTo("Allow");
    }

    @Test
    void segmentQueue_redrivesToTheDeadLetterQueue() {
        Map<String, Object> redrive = map(properties("SegmentQueue").get("RedrivePolicy"));

        assertThat(redrive.get("deadLetterTargetArn")).isEqualTo(getAtt("SegmentDLQ", "Arn"));
        assertThat(redrive.get("maxReceiveCount")).isEqualTo(ref("MaxReceiveCount"));
        assertThat(type("SegmentDLQ")).isEqualTo("AWS::SQS::Queue");
    }

    @Test
    void segmentQueue_visibilityTimeoutIsSixTimesTheWorkerTimeout() {
        int visibility = (int) properties("SegmentQueue").get("VisibilityTimeout");
        int workerTimeout = (int) properties("WorkerFunction").get("Timeout");

        assertThat(workerTimeout).isEqualTo(900);
        assertThat(visibility).isGreaterThan(workerTimeout).isGreaterThanOrEqualTo(6 * workerTimeout);
    }

    @Test
    void queues_keepMessagesForFourteenDays() {
        assertThat(properties("SegmentDLQ").get("MessageRetentionPeriod")).isEqualTo(14 * 24 * 3600);
        assertThat(properties("SegmentQueue").get("MessageRetentionPeriod")).isEqualTo(14 * 24 * 3600);
    }

    @Test
    void ledgerTable_hasTheKeySchemaTheProgressLedgerUses() {
        Map<String, Object> table = properties("LedgerTable");
        String pk = ProgressLedger.PARTITION_KEY;
        String sk = ProgressLedger.SORT_KEY;

        assertThat(table.get("BillingMode")).isEqualTo("PAY_PER_REQUEST");
        assertThat(list(table.get("KeySchema"))).containsExactly(
                Map.of("AttributeName", pk, "KeyType", "HASH"), Map.of("AttributeName", sk, "KeyType", "RANGE"));
        assertThat(list(table.get("AttributeDefinitions"))).containsExactlyInAnyOrder(
                Map.of("AttributeName", pk, "AttributeType", "S"), Map.of("AttributeName", sk, "AttributeType", "S"));
        assertThat(map(table.get("PointInTimeRecoverySpecification")).get("PointInTimeRecoveryEnabled"))
                .isEqualTo(Map.of("Fn::If", List.of("LedgerPitr", true, false)));
    }

    @Test
    void ledgerTable_expiresDoneSegmentsAfterLedgerRecordTtlDays() {
        assertThat(map(properties("LedgerTable").get("TimeToLiveSpecification")))
                .isEqualTo(Map.of("AttributeName", ProgressLedger.EXPIRES_AT, "Enabled", true));
        assertThat(parameter("LedgerRecordTtlDays")).containsEntry("Type", "Number").containsEntry("Default", 30)
                .containsEntry("MinValue", 0);
        // Only the worker marks segments done, so only the worker needs the TTL.
        assertThat(environment("WorkerFunction"))
                .containsEntry(WorkerEnv.LEDGER_RECORD_TTL_DAYS, ref("LedgerRecordTtlDays"));
    }

    @Test
    void functions_runJava21OnArm64WithinLambdasLimits() {
        functions().forEach((name, properties) -> {
            assertThat(properties.get("Runtime")).as(name).isEqualTo("java21");
            assertThat(properties.get("Architectures")).as(name).isEqualTo(List.of("arm64"));
            assertThat((int) properties.get("Timeout")).as(name).isBetween(1, 900);
            assertThat((int) properties.get("MemorySize")).as(name).isBetween(512, 10240);
        });
    }

    @Test
    void functions_haveTheMemoryAndArchitectureTheEstimateChargesFor() {
        functions().forEach((name, properties) -> {
            assertThat(properties.get("MemorySize")).as(name).isEqualTo(FleetProfile.LAMBDA_MEMORY_MB);
            assertThat(properties.get("Architectures")).as(name).isEqualTo(List.of(FleetProfile.LAMBDA_ARCHITECTURE));
        });
        assertThat(properties("WorkerFunction").get("Timeout")).hasToString(
                Long.toString(FleetProfile.LAMBDA_TIMEOUT.toSeconds()));
        assertThat(environment("WorkerFunction").get(WorkerEnv.SAFETY_MARGIN_SECONDS)).hasToString(
                Long.toString(FleetProfile.LAMBDA_SAFETY_MARGIN.toSeconds()));
    }

    @Test
    void snapStart_appliesToPublishedVersionsBehindAnAlias() {
        functions().forEach((name, properties) -> {
            if (properties.containsKey("SnapStart")) {
                assertThat(properties.get("SnapStart")).as(name).isEqualTo(Map.of("ApplyOn", "PublishedVersions"));
                assertThat(properties.get("AutoPublishAlias")).as(name + " needs a version to snapshot").isNotNull();
            }
        });
        assertThat(properties("SeederFunction")).containsKey("SnapStart");
        assertThat(properties("ProgressFunction")).containsKey("SnapStart");
    }

    @Test
    void handlers_areClassesImplementingRequestHandler() throws ClassNotFoundException {
        for (var function : functions().entrySet()) {
            String handler = (String) function.getValue().get("Handler");
            assertThat(handler).as(function.getKey()).matches("[\\w.]+::handleRequest");
            Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));

            assertThat(RequestHandler.class).as(function.getKey()).isAssignableFrom(type);
            assertThat(Modifier.isPublic(type.getModifiers())).as(function.getKey()).isTrue();
            assertThat(type.getConstructors()).as(function.getKey() + " needs a public no-argument constructor")
                    .anyMatch(c -> c.getParameterCount() == 0);
        }
    }

    @Test
    void codeUris_pointAtTheShadedJarsTheBuildProduces() throws Exception {
        Set<String> modules = new HashSet<>(xpath(root.resolve("pom.xml"), "/project/modules/module"));
        for (var function : functions().entrySet()) {
            String codeUri = (String) function.getValue().get("CodeUri");
            Matcher jar = Pattern.compile("([\\w-]+)/target/([\\w.-]+)\\.jar").matcher(codeUri);
            assertThat(jar.matches()).as(function.getKey() + " CodeUri " + codeUri).isTrue();
            String module = jar.group(1);

            assertThat(modules).as("modules of the root pom").contains(module);
            assertThat(xpath(root.resolve(module).resolve("pom.xml"),
                    "//plugin[artifactId='maven-shade-plugin']//configuration/finalName"))
                    .as("shade finalName in " + module + "/pom.xml").containsExactly(jar.group(2));
            assertThat(xpath(root.resolve(module).resolve("pom.xml"),
                    "//plugin[artifactId='maven-shade-plugin']//execution/phase"))
                    .as("`mvn package` shades " + module).containsExactly("package");
        }
    }

    @Test
    void samBuild_skipsTheFunctionsSoTheirCodeUrisStayTheJarsMavenBuilt() {
        functions().keySet().forEach(name -> {
            // A jar CodeUri is neither a folder nor a .zip: without SkipBuild, sam build would run its Maven
            // workflow on it, which copies only that path and cannot see the parent pom.
            Map<String, Object> metadata = map(map(resources.get(name)).get("Metadata"));
            assertThat(metadata).as(name).containsEntry("SkipBuild", true).doesNotContainKey("BuildMethod");
        });
    }

    @Test
    void handlers_liveInTheModuleTheirCodeUriPackages() {
        functions().forEach((name, properties) -> {
            String module = ((String) properties.get("CodeUri")).split("/")[0];
            String handler = (String) properties.get("Handler");
            String source = handler.substring(0, handler.indexOf("::")).replace('.', '/') + ".java";

            assertThat(root.resolve(module).resolve("src/main/java").resolve(source)).as(name).isRegularFile();
        });
    }

    @Test
    void environment_usesOnlyVariableNamesFromEnv() throws IllegalAccessException {
        Set<String> known = new TreeSet<>();
        for (Class<?> names : List.of(SeederEnv.class, WorkerEnv.class)) {
            for (Field field : names.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                    known.add((String) field.get(null));
                }
            }
        }
        functions().forEach((name, properties) -> assertThat(environment(name).keySet()).as(name).isSubsetOf(known));
    }

    @Test
    void environment_givesEachHandlerWhatItRequires() {
        assertThat(environment("SeederFunction")).containsEntry(SeederEnv.LEDGER_TABLE, ref("LedgerTable"))
                .containsEntry(SeederEnv.SEGMENT_QUEUE_URL, ref("SegmentQueue"));
        assertThat(environment("WorkerFunction")).containsEntry(WorkerEnv.LEDGER_TABLE, ref("LedgerTable"))
                .containsEntry(WorkerEnv.SEGMENT_QUEUE_URL, ref("SegmentQueue"))
                .containsKey(WorkerEnv.SAFETY_MARGIN_SECONDS);
        assertThat(environment("WorkerFunction")).containsEntry(WorkerEnv.MAX_RECEIVE_COUNT, ref("MaxReceiveCount"))
                .containsKeys(WorkerEnv.RETRY_DELAY_SECONDS, WorkerEnv.RETRY_MAX_DELAY_SECONDS);
        assertThat(environment("ProgressFunction")).containsEntry(SeederEnv.LEDGER_TABLE, ref("LedgerTable"))
                .containsEntry(SeederEnv.SEGMENT_QUEUE_URL, ref("SegmentQueue"));
    }

    @Test
    void environment_passesEveryJobParameterToTheSeeder() {
        Map<String, String> parameterByVariable = new LinkedHashMap<>();
        parameterByVariable.put(SeederEnv.SOURCE_TABLE, "SourceTable");
        parameterByVariable.put(SeederEnv.CONSISTENT_READ, "ConsistentRead");
        parameterByVariable.put(SeederEnv.TOTAL_SEGMENTS, "TotalSegments");
        parameterByVariable.put(SeederEnv.PARALLEL_LAMBDA_FUNCTIONS, "ParallelLambdaFunctions");
        parameterByVariable.put(SeederEnv.RATE_LIMITER, "RateLimiter");
        parameterByVariable.put(SeederEnv.PAGE_SIZE, "PageSize");
        parameterByVariable.put(SeederEnv.CHECKPOINT_INTERVAL_SECONDS, "CheckpointIntervalSeconds");
        parameterByVariable.put(SeederEnv.ITEM_PROCESSOR, "ItemProcessor");
        parameterByVariable.put(SeederEnv.WRITE_MODE, "WriteMode");
        parameterByVariable.put(SeederEnv.VERSION_ATTRIBUTE, "VersionAttribute");
        parameterByVariable.put(SeederEnv.WRITES_IN_FLIGHT, "WritesInFlight");
        parameterByVariable.put(SeederEnv.UPDATE_EXPRESSION, "UpdateExpression");
        parameterByVariable.put(SeederEnv.CONDITION_EXPRESSION, "ConditionExpression");
        parameterByVariable.put(SeederEnv.FILTER_EXPRESSION, "FilterExpression");
        parameterByVariable.put(SeederEnv.EXPRESSION_ATTRIBUTE_NAMES, "ExpressionAttributeNames");
        parameterByVariable.put(SeederEnv.EXPRESSION_ATTRIBUTE_VALUES, "ExpressionAttributeValues");
        Map<String, Object> seeder = environment("SeederFunction");

        parameterByVariable.forEach((variable, parameter) ->
                assertThat(seeder.get(variable)).as(variable).isEqualTo(ref(parameter)));
        assertThat(seeder.get(SeederEnv.DESTINATION_TABLE)).isEqualTo(destinationTableName());
    }

    @Test
    void references_resolveToParametersResourcesOrConditions() {
        Set<String> names = new HashSet<>(parameters.keySet());
        names.addAll(resources.keySet());
        names.addAll(PSEUDO_PARAMETERS);
        functions().forEach((name, properties) -> {
            if (properties.containsKey("AutoPublishAlias")) {
                names.add(name + ".Alias");
                names.add(name + ".Version");
            }
        });
        Set<String> conditions = map(template.get("Conditions")).keySet();
        List<String> unresolved = new ArrayList<>();

        walk(template, node -> {
            if (node.get("Ref") instanceof String target && !names.contains(target)) {
                unresolved.add("Ref " + target);
            }
            if (node.get("Fn::GetAtt") instanceof List<?> getAtt && !resources.containsKey(getAtt.get(0))) {
                unresolved.add("GetAtt " + getAtt);
            }
            if (node.get("Fn::If") instanceof List<?> branches && !conditions.contains(branches.get(0))) {
                unresolved.add("If " + branches.get(0));
            }
            if (node.containsKey("Fn::Sub")) {
                Object sub = node.get("Fn::Sub");
                String text = sub instanceof List<?> l ? (String) l.get(0) : (String) sub;
                Set<String> local = sub instanceof List<?> l ? map(l.get(1)).keySet() : Set.of();
                Matcher variable = SUB_VARIABLE.matcher(text);
                while (variable.find()) {
                    String name = variable.group(1);
                    String base = name.contains(".") && !name.startsWith("AWS::") ? name.substring(0, name.indexOf('.')) : name;
                    if (!local.contains(name) && !names.contains(name) && !resources.containsKey(base)) {
                        unresolved.add("Sub ${" + name + "}");
                    }
                }
            }
        });
        assertThat(unresolved).isEmpty();
    }

    @Test
    void iam_grantsNoWildcardActionsOrResources() {
        List<Map<String, Object>> statements = iamStatements();

        assertThat(statements).isNotEmpty();
        for (Map<String, Object> statement : statements) {
            assertThat(statement.get("Effect")).isEqualTo("Allow");
            for (Object action : asList(statement.get("Action"))) {
                assertThat((String) action).as("action").doesNotContain("*");
            }
            for (Object resource : asList(statement.get("Resource"))) {
                assertThat(resource).as("resource of " + statement.get("Sid")).isNotEqualTo("*");
                if (resource instanceof String text) {
                    assertThat(text).as("literal resource").doesNotContain("*");
                }
            }
        }
    }

    @Test
    void iam_scopesTableAccessToTheNamedTables() {
        for (Map<String, Object> statement : iamStatements()) {
            boolean dynamoDb = asList(statement.get("Action")).stream().anyMatch(a -> ((String) a).startsWith("dynamodb:"));
            if (dynamoDb) {
                assertThat(asList(statement.get("Resource"))).as(String.valueOf(statement.get("Sid")))
                        .isNotEmpty().isSubsetOf(SOURCE_TABLE, DESTINATION_TABLE, LEDGER_TABLE);
            }
        }
    }

    /**
     * Every DynamoDB and SQS call in the main code of core, seeder and worker (the code the Lambdas run), by
     * class and SDK method, with the IAM action that authorises it. A call not listed here fails
     * {@link #iam_everyCallInTheLambdasCodeIsListed}: list it and grant it to each role whose function reaches it.
     */
    private static final Map<String, String> SDK_CALLS = Map.ofEntries(
            Map.entry("TableValidator.describeTable", "dynamodb:DescribeTable"),
            // startRun's items are Puts of the run record and its counter shards, which IAM authorises as PutItem
            Map.entry("RunRecords.transactWriteItems", "dynamodb:PutItem"),
            // an expression job's checks: its filter on a one-item Scan, its update on an UpdateItem that writes nothing
            Map.entry("TableValidator.scan", "dynamodb:Scan"),
            Map.entry("TableValidator.updateItem", "dynamodb:UpdateItem"),
            // TotalSegments auto: the source's figures, and a one-item Scan when they read 0
            Map.entry("AutoSegments.describeTable", "dynamodb:DescribeTable"),
            Map.entry("AutoSegments.scan", "dynamodb:Scan"),
            Map.entry("RunRecords.updateItem", "dynamodb:UpdateItem"),
            // fleetChanges: the CLI's, not the stack's handlers
            Map.entry("RunRecords.getItem", "dynamodb:GetItem"),
            // findRun and lastCompletedAt: the run record and its counter shards
            Map.entry("RunRecords.query", "dynamodb:Query"),
            Map.entry("LedgerQueries.getItem", "dynamodb:GetItem"),
            // completedSegments and progress: the seeder's resume and the CLI's status, not the stack's handlers
            Map.entry("LedgerQueries.query", "dynamodb:Query"),
            // forEachSegment: every segment and range of a run, each page retried on its own (the CLI's report)
            Map.entry("ProgressLedger.query", "dynamodb:Query"),
            Map.entry("SegmentLeases.updateItem", "dynamodb:UpdateItem"),
            Map.entry("SegmentLeases.getItem", "dynamodb:GetItem"),
            // its items are Updates, which IAM authorises as UpdateItem (there is no TransactWriteItems action)
            Map.entry("SegmentCompletions.transactWriteItems", "dynamodb:UpdateItem"),
            // an Update of the segment (UpdateItem, granted for the calls above) and a Put of its marker
            Map.entry("DeadLetters.transactWriteItems", "dynamodb:PutItem"),
            Map.entry("DeadLetters.query", "dynamodb:Query"),
            Map.entry("DeadLetters.batchGetItem", "dynamodb:BatchGetItem"),
            Map.entry("FailedDeliveries.changeMessageVisibilityBatch", "sqs:ChangeMessageVisibility"),
            // createTableIfMissing: the CLI and the bench make their own ledger; the stack's is in template.yaml
            Map.entry("ProgressLedger.describeTable", "dynamodb:DescribeTable"),
            Map.entry("ProgressLedger.createTable", "dynamodb:CreateTable"),
            Map.entry("ProgressLedger.waiter", "dynamodb:DescribeTable"),
            Map.entry("SegmentSeeder.sendMessageBatch", "sqs:SendMessage"),
            Map.entry("QueueDepth.getQueueAttributes", "sqs:GetQueueAttributes"),
            Map.entry("Continuation.sendMessage", "sqs:SendMessage"),
            Map.entry("SegmentScanner.scan", "dynamodb:Scan"),
            // a range split off a segment is read by a Query, and its split finds the key's last sort key by one
            Map.entry("SegmentScanner.query", "dynamodb:Query"),
            Map.entry("CollectionSplitter.query", "dynamodb:Query"),
            Map.entry("CollectionSplitter.sendMessageBatch", "sqs:SendMessage"),
            // a split: an Update of the segment and a Put of each range, then the ranges still pending
            Map.entry("SegmentSplits.transactWriteItems", "dynamodb:PutItem"),
            Map.entry("SegmentSplits.query", "dynamodb:Query"),
            // the range numbers a split takes from its segment's row
            Map.entry("SegmentSplits.updateItem", "dynamodb:UpdateItem"),
            Map.entry("ItemWriter.batchWriteItem", "dynamodb:BatchWriteItem"),
            Map.entry("ConditionalWriter.putItem", "dynamodb:PutItem"),
            Map.entry("ConditionalWriter.deleteItem", "dynamodb:DeleteItem"),
            Map.entry("ConditionalWriter.updateItem", "dynamodb:UpdateItem"),
            Map.entry("ExpressionWriter.updateItem", "dynamodb:UpdateItem"));

    /**
     * What each function's role may do on each resource, and the calls each grant serves. Kept in step with
     * template.yaml and {@link #SDK_CALLS} on purpose: a new call without a grant, or a grant without a call,
     * is a change someone makes consciously here.
     */
    private static Map<String, Map<Object, Set<String>>> expectedGrants() {
        Set<String> logs = Set.of("logs:CreateLogStream", "logs:PutLogEvents");
        return Map.of(
                "SeederRole", Map.of(
                        getAtt("SeederLogGroup", "Arn"), logs,
                        // TableValidator.validate: describeTable, and an expression job's scan and updateItem;
                        // AutoSegments.describeTable and scan
                        SOURCE_TABLE, Set.of("dynamodb:DescribeTable", "dynamodb:Scan"),
                        DESTINATION_TABLE, Set.of("dynamodb:DescribeTable", "dynamodb:UpdateItem"),
                        // startRun (RunRecords.transactWriteItems, query, updateItem), markSeeded (RunRecords.updateItem)
                        LEDGER_TABLE, Set.of("dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"),
                        // SegmentSeeder.sendMessageBatch
                        getAtt("SegmentQueue", "Arn"), Set.of("sqs:SendMessage")),
                "WorkerRole", Map.of(
                        getAtt("WorkerLogGroup", "Arn"), logs,
                        // SegmentScanner.scan and query, CollectionSplitter.query, TableValidator.describe (the key)
                        SOURCE_TABLE, Set.of("dynamodb:Scan", "dynamodb:Query", "dynamodb:DescribeTable"),
                        // TableValidator.describe (the destination's key), ItemWriter.batchWriteItem,
                        // ConditionalWriter.putItem, deleteItem and updateItem, ExpressionWriter.updateItem
                        DESTINATION_TABLE, Set.of("dynamodb:DescribeTable", "dynamodb:BatchWriteItem",
                                "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"),
                        // RunRecords.query, SegmentLeases.getItem/updateItem, LedgerQueries.getItem,
                        // SegmentCompletions.transactWriteItems, DeadLetters.transactWriteItems,
                        // SegmentSplits.transactWriteItems, query and updateItem
                        LEDGER_TABLE, Set.of("dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem",
                                "dynamodb:PutItem"),
                        // the event source mapping's polling, Continuation.sendMessage, CollectionSplitter.sendMessageBatch,
                        // FailedDeliveries.changeMessageVisibilityBatch
                        getAtt("SegmentQueue", "Arn"), Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage",
                                "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility", "sqs:SendMessage")),
                "ProgressRole", Map.of(
                        getAtt("ProgressLogGroup", "Arn"), logs,
                        // ProgressLedger.findRun (RunRecords.query), deadLettered (DeadLetters.query, batchGetItem)
                        LEDGER_TABLE, Set.of("dynamodb:Query", "dynamodb:BatchGetItem"),
                        // QueueDepth.getQueueAttributes
                        getAtt("SegmentQueue", "Arn"), Set.of("sqs:GetQueueAttributes")));
    }

    /** What the worker's SQS event source mapping calls with the worker's role, beyond the worker's own code. */
    private static final Set<String> EVENT_SOURCE_MAPPING_ACTIONS = Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage",
            "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility");

    @Test
    void iam_grantsEachFunctionExactlyTheActionsItsCallsNeedOnTheirResources() {
        expectedGrants().forEach((role, expected) -> {
            Set<Object> granted = new HashSet<>();
            roleStatements(role).forEach(statement -> granted.addAll(asList(statement.get("Resource"))));

            assertThat(granted).as(role + " resources").containsExactlyInAnyOrderElementsOf(expected.keySet());
            expected.forEach((resource, actions) ->
                    assertThat(grants(role, resource)).as(role + " on " + resource)
                            .containsExactlyInAnyOrderElementsOf(actions));
        });
    }

    @Test
    void iam_grantsNoActionThatNoCallNeeds() {
        Set<String> called = new HashSet<>(SDK_CALLS.values());
        called.addAll(EVENT_SOURCE_MAPPING_ACTIONS);
        called.addAll(List.of("logs:CreateLogStream", "logs:PutLogEvents"));

        expectedGrants().forEach((role, expected) -> expected.values().forEach(actions ->
                assertThat(called).as(role).containsAll(actions)));
    }

    @Test
    void iam_everyCallInTheLambdasCodeIsListed() throws IOException {
        // The code names its clients dynamoDb and sqs; a call on another name would escape this check.
        Pattern call = Pattern.compile("\\b(?:dynamoDb|sqs)\\s*\\.\\s*(\\w+)\\s*\\(");
        Set<String> found = new TreeSet<>();
        for (String module : List.of("core", "seeder", "worker")) {
            try (var files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String type = file.getFileName().toString().replace(".java", "");
                    Matcher m = call.matcher(Files.readString(file));
                    while (m.find()) found.add(type + "." + m.group(1));
                }
            }
        }

        assertThat(found).as("SDK calls in core, seeder and worker").isEqualTo(new TreeSet<>(SDK_CALLS.keySet()));
    }

    @Test
    void functions_useTheirOwnRoleAndLogGroup() {
        Map<String, String> roles = Map.of("SeederFunction", "SeederRole", "WorkerFunction", "WorkerRole",
                "ProgressFunction", "ProgressRole");
        Map<String, String> logGroups = Map.of("SeederFunction", "SeederLogGroup", "WorkerFunction", "WorkerLogGroup",
                "ProgressFunction", "ProgressLogGroup");
        functions().forEach((name, properties) -> {
            assertThat(properties.get("Role")).as(name).isEqualTo(getAtt(roles.get(name), "Arn"));
            assertThat(map(properties.get("LoggingConfig")).get("LogGroup")).as(name).isEqualTo(ref(logGroups.get(name)));
            assertThat(grants(roles.get(name), getAtt(logGroups.get(name), "Arn")))
                    .containsExactlyInAnyOrder("logs:CreateLogStream", "logs:PutLogEvents");
        });
    }

    @Test
    void functions_logJsonAtInfoSoThatOutcomeLinesAndMetricRecordsReachCloudWatch() {
        functions().forEach((name, properties) -> {
            Map<String, Object> logging = map(properties.get("LoggingConfig"));
            // JSON keeps the handlers' JSON lines objects that Logs Insights queries field by field.
            assertThat(logging.get("LogFormat")).as(name).isEqualTo("JSON");
            // Lambda counts a line without a level, as an EMF record is, as INFO: a higher level drops the metrics.
            assertThat(logging.get("ApplicationLogLevel")).as(name).isEqualTo("INFO");
            assertThat(logging.get("SystemLogLevel")).as(name).isEqualTo("WARN");
        });
    }

    @Test
    void stateMachine_definitionIsWellFormedAsl() throws IOException {
        JsonNode definition = definition();
        JsonNode states = definition.get("States");
        Set<String> names = new HashSet<>();
        states.fieldNames().forEachRemaining(names::add);

        assertThat(names).contains(definition.get("StartAt").asText());
        Map<String, List<String>> next = new LinkedHashMap<>();
        states.properties().forEach(e -> {
            String type = e.getValue().get("Type").asText();
            assertThat(type).as(e.getKey()).isIn("Task", "Pass", "Wait", "Choice", "Succeed", "Fail", "Parallel", "Map");
            List<String> targets = new ArrayList<>();
            if (e.getValue().has("Next")) targets.add(e.getValue().get("Next").asText());
            if (e.getValue().has("Default")) targets.add(e.getValue().get("Default").asText());
            e.getValue().path("Choices").forEach(c -> targets.add(c.get("Next").asText()));
            e.getValue().path("Catch").forEach(c -> targets.add(c.get("Next").asText()));
            boolean terminal = type.equals("Succeed") || type.equals("Fail") || e.getValue().path("End").asBoolean();
            if (!terminal && !type.equals("Choice")) {
                assertThat(e.getValue().has("Next")).as(e.getKey() + " needs Next or End").isTrue();
            }
            if (type.equals("Choice")) {
                assertThat(e.getValue().has("Default")).as(e.getKey() + " needs a Default").isTrue();
            }
            assertThat(names).as("targets of " + e.getKey()).containsAll(targets);
            next.put(e.getKey(), targets);
        });

        Set<String> reachable = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(definition.get("StartAt").asText()));
        while (!pending.isEmpty()) {
            String state = pending.pop();
            if (reachable.add(state)) pending.addAll(next.get(state));
        }
        assertThat(reachable).as("states reachable from StartAt").isEqualTo(names);
    }

    @Test
    void stateMachine_substitutionsReferToTheTemplatesResources() throws IOException {
        Map<String, Object> machine = properties("StateMachine");
        Map<String, Object> substitutions = map(machine.get("DefinitionSubstitutions"));
        String text = Files.readString(root.resolve((String) machine.get("DefinitionUri")));
        Set<String> placeholders = new TreeSet<>();
        Matcher placeholder = SUB_VARIABLE.matcher(text);
        while (placeholder.find()) placeholders.add(placeholder.group(1));

        assertThat(placeholders).isEqualTo(substitutions.keySet());
        substitutions.forEach((name, value) -> {
            String target = (String) map(value).get("Ref");
            assertThat(target).as(name).isNotNull();
            assertThat(resources).as(name).containsKey(target.replaceFirst("\\.(Alias|Version)$", ""));
        });
        assertThat(substitutions.get("DeadLetterQueueUrl")).isEqualTo(ref("SegmentDLQ"));
    }

    @Test
    void stateMachine_tasksInvokeTheSeederThenTheProgressCheckThroughTheirAliases() throws IOException {
        Map<String, Object> substitutions = map(properties("StateMachine").get("DefinitionSubstitutions"));
        JsonNode states = definition().get("States");
        Map<String, String> handlerByState = Map.of("Seed", "dev.ddbbulk.seeder.SeederHandler::handleRequest",
                "CheckProgress", "dev.ddbbulk.seeder.ProgressHandler::handleRequest");

        handlerByState.forEach((state, handler) -> {
            JsonNode task = states.get(state);
            assertThat(task.get("Type").asText()).isEqualTo("Task");
            assertThat(task.get("Resource").asText()).isEqualTo("arn:aws:states:::lambda:invoke");
            String functionName = task.get("Parameters").get("FunctionName").asText();
            Matcher variable = SUB_VARIABLE.matcher(functionName);
            assertThat(variable.matches()).as(state + " FunctionName").isTrue();
            String target = (String) map(substitutions.get(variable.group(1))).get("Ref");
            String function = target.replaceFirst("\\.Alias$", "");

            assertThat(type(function)).isEqualTo("AWS::Serverless::Function");
            assertThat(properties(function).get("Handler")).as(state).isEqualTo(handler);
            assertThat(stateMachineInvokeResources()).as("state machine may invoke " + function)
                    .contains(getAtt(function, "Arn"), Map.of("Fn::Sub", "${" + function + ".Arn}:*"));
        });
    }

    @Test
    void stateMachine_loopsOnFieldsTheHandlersProduce() throws IOException {
        JsonNode states = definition().get("States");
        Set<String> seedOutput = new HashSet<>();
        states.get("Seed").get("ResultSelector").fieldNames()
                .forEachRemaining(f -> seedOutput.add(f.replaceFirst("\\.\\$$", "")));
        RunRecord run = new RunRecord("run", JobConfig.builder().sourceTable("source").build(), Instant.EPOCH,
                Instant.EPOCH, 0, Counts.ZERO, 0);
        Set<String> progressOutput = ProgressHandler.toOutput(
                ProgressCheck.of(run, 0, QueueDepth.EMPTY, 0, Instant.EPOCH)).keySet();

        // The Wait and CheckProgress states read the Seed's output first, then CheckProgress's own.
        for (Set<String> input : List.of(seedOutput, progressOutput)) {
            assertThat(input).contains("runId", "idleChecks",
                    states.get("WaitForWorkers").get("SecondsPath").asText().substring(2));
        }
        states.get("IsRunFinished").get("Choices").forEach(choice ->
                assertThat(progressOutput).contains(choice.get("Variable").asText().substring(2)));
    }

    @Test
    void stateMachine_seedStepSelectsFieldsTheSeederReturns() throws IOException {
        Set<String> seederOutput = SeederHandler.toOutput(
                new SeedResult("run", 4, 4, false, Duration.ZERO)).keySet();
        List<String> selected = new ArrayList<>();
        definition().get("States").get("Seed").get("ResultSelector").forEach(value -> {
            if (value.asText().startsWith("$.Payload.")) selected.add(value.asText().substring("$.Payload.".length()));
        });

        assertThat(selected).isNotEmpty();
        assertThat(seederOutput).containsAll(selected);
    }

    @Test
    void stateMachine_failsWithSegmentsDeadLetteredNamingTheDeadLetterQueue() throws IOException {
        JsonNode states = definition().get("States");
        JsonNode choice = states.get("IsRunFinished");
        Map<String, String> branches = new LinkedHashMap<>();
        choice.get("Choices").forEach(c -> branches.put(c.get("Variable").asText(), c.get("Next").asText()));

        assertThat(states.get(branches.get("$.done")).get("Type").asText()).isEqualTo("Succeed");
        JsonNode fail = states.get(branches.get("$.failed"));
        assertThat(fail.get("Type").asText()).isEqualTo("Fail");
        assertThat(fail.get("Error").asText()).isEqualTo("SegmentsDeadLettered");
        assertThat(fail.get("Cause").asText()).contains("${DeadLetterQueueUrl}");
        JsonNode stalled = states.get(branches.get("$.stalled"));
        assertThat(stalled.get("Type").asText()).isEqualTo("Fail");
        assertThat(stalled.get("Error").asText()).isEqualTo("RunStalled");
        assertThat(choice.get("Default").asText()).isEqualTo("WaitForWorkers");
    }

    @Test
    void stateMachine_namesTheRunAfterTheExecutionUnlessTheInputNamesOne() throws IOException {
        JsonNode states = definition().get("States");

        assertThat(states.get("PrepareRun").get("Parameters").get("defaults").get("RunId.$").asText())
                .isEqualTo("$$.Execution.Name");
        // JsonMerge: fields of the second object win, so the input's own fields (RunId included) override.
        assertThat(states.get("Seed").get("Parameters").get("Payload.$").asText())
                .isEqualTo("States.JsonMerge($.defaults, $.job, false)");
    }

    @Test
    void deadLetterQueueAlarm_firesOnAnyVisibleMessageAndNotifiesTheTopicWhenThereIsOne() {
        Map<String, Object> alarm = properties("DeadLetterQueueAlarm");

        assertThat(type("DeadLetterQueueAlarm")).isEqualTo("AWS::CloudWatch::Alarm");
        assertThat(alarm).containsEntry("Namespace", "AWS/SQS")
                .containsEntry("MetricName", "ApproximateNumberOfMessagesVisible")
                .containsEntry("Threshold", 0).containsEntry("ComparisonOperator", "GreaterThanThreshold")
                .containsEntry("TreatMissingData", "notBreaching");
        assertThat(list(alarm.get("Dimensions")))
                .containsExactly(Map.of("Name", "QueueName", "Value", getAtt("SegmentDLQ", "QueueName")));
        assertThat(alarm.get("AlarmActions")).isEqualTo(Map.of("Fn::If", List.of("HasNotificationEmail",
                List.of(ref("NotificationTopic")), ref("AWS::NoValue"))));
    }

    @Test
    void notifications_existOnlyWithAnEmailAndTellOfEveryEndOfThisStacksRuns() {
        assertThat(parameter("NotificationEmail")).containsEntry("Type", "String").containsEntry("Default", "");
        assertThat(map(template.get("Conditions")).get("HasNotificationEmail")).isEqualTo(
                Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(ref("NotificationEmail"), "")))));
        for (String resource : List.of("NotificationTopic", "NotificationTopicPolicy", "RunEndedRule")) {
            assertThat(map(resources.get(resource)).get("Condition")).as(resource).isEqualTo("HasNotificationEmail");
        }
        assertThat(list(properties("NotificationTopic").get("Subscription")))
                .containsExactly(Map.of("Protocol", "email", "Endpoint", ref("NotificationEmail")));

        Map<String, Object> rule = properties("RunEndedRule");
        Map<String, Object> pattern = map(rule.get("EventPattern"));
        assertThat(pattern.get("source")).isEqualTo(List.of("aws.states"));
        assertThat(pattern.get("detail-type")).isEqualTo(List.of("Step Functions Execution Status Change"));
        assertThat(list(map(pattern.get("detail")).get("status")))
                .containsExactlyInAnyOrder("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED");
        assertThat(map(pattern.get("detail")).get("stateMachineArn")).isEqualTo(List.of(ref("StateMachine")));
        assertThat(list(rule.get("Targets"))).singleElement()
                .satisfies(target -> assertThat(map(target).get("Arn")).isEqualTo(ref("NotificationTopic")));
    }

    @Test
    void processorLayers_whenGiven_areOnTheSeederAndTheWorkerAndOtherwiseLeftOut() {
        assertThat(parameter("ProcessorLayerArns")).containsEntry("Type", "CommaDelimitedList").containsEntry("Default", "");
        assertThat(map(template.get("Conditions")).get("HasProcessorLayers")).isEqualTo(Map.of("Fn::Not", List.of(
                Map.of("Fn::Equals", List.of(Map.of("Fn::Join", List.of("", ref("ProcessorLayerArns"))), "")))));
        Object layers = Map.of("Fn::If", List.of("HasProcessorLayers", ref("ProcessorLayerArns"), ref("AWS::NoValue")));
        // The seeder too: it loads the processor class to refuse a bad ItemProcessor before it sends anything.
        for (String function : List.of("SeederFunction", "WorkerFunction")) {
            assertThat(properties(function).get("Layers")).as(function).isEqualTo(layers);
        }
        assertThat(properties("ProgressFunction")).doesNotContainKey("Layers");
    }

    @Test
    void notificationTopicPolicy_letsOnlyTheRuleAndTheAlarmPublish() {
        Map<String, Object> policy = properties("NotificationTopicPolicy");
        assertThat(policy.get("Topics")).isEqualTo(List.of(ref("NotificationTopic")));
        Map<Object, Object> publisherBySource = new LinkedHashMap<>();
        for (Object s : list(map(policy.get("PolicyDocument")).get("Statement"))) {
            Map<String, Object> statement = map(s);
            assertThat(statement).containsEntry("Effect", "Allow").containsEntry("Action", "sns:Publish")
                    .containsEntry("Resource", ref("NotificationTopic"));
            Object source = map(map(statement.get("Condition")).get("ArnEquals")).get("aws:SourceArn");
            publisherBySource.put(source, map(statement.get("Principal")).get("Service"));
        }

        assertThat(publisherBySource).containsExactlyInAnyOrderEntriesOf(Map.of(
                getAtt("RunEndedRule", "Arn"), "events.amazonaws.com",
                getAtt("DeadLetterQueueAlarm", "Arn"), "cloudwatch.amazonaws.com"));
    }

    @Test
    void dashboard_showsTheQueuesTheWorkerFleetAndTheLedger() throws IOException {
        Map<String, Object> dashboard = properties("Dashboard");
        String body = (String) map(dashboard.get("DashboardBody")).get("Fn::Sub");
        // Replace each ${...} by a marker, so the body parses as the JSON CloudFormation will hand CloudWatch.
        JsonNode widgets = JSON.readTree(SUB_VARIABLE.matcher(body).replaceAll("SUB($1)")).get("widgets");
        Set<String> metrics = new TreeSet<>();
        widgets.forEach(widget -> widget.path("properties").path("metrics").forEach(metric ->
                metrics.add(metric.get(0).asText() + " " + metric.get(1).asText() + " " + metric.get(2).asText()
                        + "=" + metric.get(3).asText())));

        assertThat(metrics).contains(
                "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=SUB(SegmentQueue.QueueName)",
                "AWS/SQS ApproximateNumberOfMessagesNotVisible QueueName=SUB(SegmentQueue.QueueName)",
                "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=SUB(SegmentDLQ.QueueName)",
                "AWS/Lambda Invocations FunctionName=SUB(WorkerFunction)",
                "AWS/Lambda Errors FunctionName=SUB(WorkerFunction)",
                "AWS/Lambda Throttles FunctionName=SUB(WorkerFunction)",
                "AWS/Lambda Duration FunctionName=SUB(WorkerFunction)",
                "AWS/Lambda ConcurrentExecutions FunctionName=SUB(WorkerFunction)",
                "AWS/DynamoDB ConsumedReadCapacityUnits TableName=SUB(LedgerTable)",
                "AWS/DynamoDB ConsumedWriteCapacityUnits TableName=SUB(LedgerTable)",
                "AWS/DynamoDB ReadThrottleEvents TableName=SUB(LedgerTable)",
                "AWS/DynamoDB WriteThrottleEvents TableName=SUB(LedgerTable)");
        // Every metric the worker publishes, under the dimension it publishes it with.
        for (WorkerMetric metric : WorkerMetric.values()) {
            assertThat(metrics).contains(WorkerMetric.NAMESPACE + " " + metric.metricName() + " "
                    + WorkerMetric.DIMENSION + "=SUB(WorkerFunction)");
        }
        widgets.forEach(widget -> assertThat(widget.path("properties").path("region").asText())
                .isEqualTo("SUB(AWS::Region)"));
        // Dashboards are global to the account: two stacks of one name in two regions must not share one.
        assertThat(dashboard.get("DashboardName")).isEqualTo(Map.of("Fn::Sub", "ddb-bulk-${AWS::StackName}-${AWS::Region}"));
    }

    @Test
    void conditionalResources_areReferencedOnlyUnderTheirCondition() {
        Map<String, String> conditionOf = new LinkedHashMap<>();
        resources.forEach((name, resource) -> {
            if (map(resource).get("Condition") instanceof String condition) conditionOf.put(name, condition);
        });
        List<String> unguarded = new ArrayList<>();
        resources.forEach((name, resource) -> findUnguarded(name, map(resource).get("Properties"),
                map(resource).get("Condition"), conditionOf, unguarded));
        map(template.get("Outputs")).forEach((name, output) -> findUnguarded("Output " + name, map(output).get("Value"),
                map(output).get("Condition"), conditionOf, unguarded));

        assertThat(conditionOf).isNotEmpty();
        assertThat(unguarded).isEmpty();
    }

    /** Adds to {@code unguarded} each reference in {@code node} to a conditional resource outside its condition. */
    private static void findUnguarded(String where, Object node, Object guard, Map<String, String> conditionOf,
                                      List<String> unguarded) {
        if (node instanceof Map<?, ?> m) {
            if (m.get("Fn::If") instanceof List<?> branches) {
                findUnguarded(where, branches.get(1), branches.get(0), conditionOf, unguarded);
                findUnguarded(where, branches.get(2), null, conditionOf, unguarded);
                return;
            }
            Object target = m.get("Ref") instanceof String ref ? ref
                    : m.get("Fn::GetAtt") instanceof List<?> getAtt ? getAtt.get(0) : null;
            if (target != null && conditionOf.containsKey(target) && !conditionOf.get(target).equals(guard)) {
                unguarded.add(where + " -> " + target);
            }
            m.values().forEach(v -> findUnguarded(where, v, guard, conditionOf, unguarded));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> findUnguarded(where, v, guard, conditionOf, unguarded));
        }
    }

    @Test
    void readme_listsEveryTemplateParameterInItsParameterTable() throws IOException {
        String readme = Files.readString(root.resolve("README.md"));
        String table = readme.substring(readme.indexOf("### Job parameters"));
        table = table.substring(0, table.indexOf("\n###", 1));
        Set<String> rows = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(\\w+)`").matcher(table);
        while (row.find()) rows.add(row.group(1));

        assertThat(rows).containsAll(parameters.keySet());
    }

    @Test
    void outputs_nameEveryResourceTheCliNeeds() {
        assertThat(map(template.get("Outputs"))).containsKeys("StateMachineArn", "SegmentQueueUrl", "SegmentQueueArn",
                "DeadLetterQueueUrl", "DeadLetterQueueArn", "LedgerTableName", "SeederFunctionName",
                "WorkerFunctionName", "ProgressFunctionName");
        assertThat(map(map(template.get("Outputs")).get("DeadLetterQueueArn")).get("Value"))
                .isEqualTo(getAtt("SegmentDLQ", "Arn"));
    }

    // ------------------------------------------------------------------ helpers

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No template.yaml above " + Path.of("").toAbsolutePath());
    }

    private static Map<String, Object> parameter(String name) {
        assertThat(parameters).containsKey(name);
        return map(parameters.get(name));
    }

    private static String type(String resource) {
        assertThat(resources).containsKey(resource);
        return (String) map(resources.get(resource)).get("Type");
    }

    @Test
    void environment_givesTheSeederTheWorkersTimeBudget() {
        long timeout = Long.parseLong(properties("WorkerFunction").get("Timeout").toString());
        long margin = Long.parseLong(environment("WorkerFunction").get(WorkerEnv.SAFETY_MARGIN_SECONDS).toString());

        assertThat(environment("SeederFunction").get(SeederEnv.WORKER_TIME_BUDGET_SECONDS))
                .hasToString(Long.toString(timeout - margin));
    }

    private static Map<String, Object> properties(String resource) {
        assertThat(resources).containsKey(resource);
        return map(map(resources.get(resource)).get("Properties"));
    }

    private static Map<String, Map<String, Object>> functions() {
        Map<String, Map<String, Object>> functions = new LinkedHashMap<>();
        resources.forEach((name, resource) -> {
            if ("AWS::Serverless::Function".equals(map(resource).get("Type"))) {
                functions.put(name, map(map(resource).get("Properties")));
            }
        });
        assertThat(functions).containsOnlyKeys("SeederFunction", "WorkerFunction", "ProgressFunction");
        return functions;
    }

    private static Map<String, Object> environment(String function) {
        return map(map(properties(function).get("Environment")).get("Variables"));
    }

    private static Object destinationTableName() {
        return Map.of("Fn::If", List.of("HasDestinationTable", ref("DestinationTable"), ref("SourceTable")));
    }

    private static List<Map<String, Object>> iamStatements() {
        List<Map<String, Object>> statements = new ArrayList<>();
        resources.forEach((name, resource) -> {
            if ("AWS::IAM::Role".equals(map(resource).get("Type"))) {
                statements.addAll(roleStatements(name));
            }
        });
        for (Object policy : list(properties("StateMachine").get("Policies"))) {
            list(map(policy).get("Statement")).forEach(s -> statements.add(map(s)));
        }
        return statements;
    }

    private static List<Map<String, Object>> roleStatements(String role) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object policy : list(properties(role).get("Policies"))) {
            list(map(map(policy).get("PolicyDocument")).get("Statement")).forEach(s -> statements.add(map(s)));
        }
        return statements;
    }

    private static Set<String> grants(String role, Object resource) {
        return roleStatements(role).stream()
                .filter(s -> asList(s.get("Resource")).contains(resource))
                .flatMap(s -> asList(s.get("Action")).stream().map(String.class::cast))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<Object> stateMachineInvokeResources() {
        List<Object> resourcesGranted = new ArrayList<>();
        for (Object policy : list(properties("StateMachine").get("Policies"))) {
            for (Object statement : list(map(policy).get("Statement"))) {
                if (asList(map(statement).get("Action")).contains("lambda:InvokeFunction")) {
                    resourcesGranted.addAll(asList(map(statement).get("Resource")));
                }
            }
        }
        return resourcesGranted;
    }

    private static JsonNode definition() throws IOException {
        return JSON.readTree(root.resolve((String) properties("StateMachine").get("DefinitionUri")).toFile());
    }

    private static List<String> xpath(Path xml, String expression) throws Exception {
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(expression, document,
                XPathConstants.NODESET);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) values.add(nodes.item(i).getTextContent().trim());
        return values;
    }

    private static void walk(Object node, Consumer<Map<String, Object>> visitor) {
        if (node instanceof Map<?, ?> m) {
            visitor.accept(map(m));
            m.values().forEach(v -> walk(v, visitor));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> walk(v, visitor));
        }
    }

    private static Map<String, Object> ref(String name) {
        return Map.of("Ref", name);
    }

    private static Map<String, Object> getAtt(String resource, String attribute) {
        return Map.of("Fn::GetAtt", List.of(resource, attribute));
    }

    private static List<Object> asList(Object value) {
        return value instanceof List<?> l ? list(l) : value == null ? List.of() : List.of(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }
}
