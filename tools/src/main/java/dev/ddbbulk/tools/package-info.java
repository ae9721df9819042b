/** The ddb-bulk command line: one picocli command per class, and the options they share. */
package dev.ddbbulk.tools;
