package dev.ddbbulk.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the bench's command line in this JVM, as its jar's main does, and captures what it prints. */
record BenchCli(int exitCode, String out, String err) {

    static BenchCli run(String... args) {
        picocli.CommandLine cli = Bench.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new BenchCli(code, out.toString(), err.toString());
    }

    /** stdout parsed as exactly one JSON object. */
    JsonNode json() {
        try {
            JsonNode node = new ObjectMapper().readTree(out);
            if (node == null || !node.isObject()) {
                throw new AssertionError("stdout is not one JSON object: " + out + "\nstderr: " + err);
            }
            return node;
        } catch (IOException e) {
            throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
        }
    }
}
