package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the ddb-bulk command line in this JVM and captures what it prints. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = DdbBulk.commandLine();
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
