/** The segment message that the seeder sends and the worker receives, and the codec for DynamoDB keys it carries. */
package dev.ddbbulk.core.message;
