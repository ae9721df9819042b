/**
 * What the worker Lambda tells operators about each batch: one JSON log line per segment delivery, and the
 * batch's CloudWatch metrics in Embedded Metric Format. The local fleet reports its own way and uses none of it.
 */
package dev.ddbbulk.worker.report;
