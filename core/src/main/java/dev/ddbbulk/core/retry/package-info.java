/** Retrying what DynamoDB and SQS refuse for now: one backoff strategy and one place that retries. */
package dev.ddbbulk.core.retry;
