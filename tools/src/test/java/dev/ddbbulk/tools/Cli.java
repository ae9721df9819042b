package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the ddb-bulk command line in this JVM and captures what it prints. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        return run(DdbBulk.commandLine(), args);
    }

    /** Runs one command object alone (built with stub clients), with the root's exception handling. */
    static Cli runCommand(Object command, String... args) {
        return run(DdbBulk.withExceptionHandler(new picocli.CommandLine(command)), args);
    }

    /** {@code args} followed by the options that point every client at the embedded services. */
    static String[] onEmbedded(EmbeddedEnvironment environment, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 6);
        all[args.length] = "--endpoint-url";
        all[args.length + 1] = environment.dynamoDbEndpoint().toString();
        all[args.length + 2] = "--sqs-endpoint-url";
        all[args.length + 3] = environment.sqsEndpoint().toString();
        all[args.length + 4] = "--region";
        all[args.length + 5] = environment.region().id();
        return all;
    }

    private static Cli run(picocli.CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** stdout parsed as exactly one JSON object. */
    JsonNode json() {
        try {
            JsonNode node = new ObjectMapper().readTree(out);
            if (node == null || !node.isObject()) {
                throw new AssertionError("stdout is not one JSON object: " + out + "\nstderr: " + err);
            }
            return node;
        } catch (java.io.IOException e) {
            throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
        }
    }
}
