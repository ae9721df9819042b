package dev.ddbbulk.worker;

/** A received SQS message as the worker sees it, whether it came from Lambda or the local fleet. */
public record QueuedMessage(String messageId, String body) {
}
