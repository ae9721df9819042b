/** What the commands print: run summaries, counts, live progress, and the exit codes they stand for. */
package dev.ddbbulk.tools.output;
