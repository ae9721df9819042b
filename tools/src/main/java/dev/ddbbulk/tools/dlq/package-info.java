/** The dead-letter queue: reading what failed, and sending it back to the segment queue. */
package dev.ddbbulk.tools.dlq;
