/**
 * The integration tests' shared fixture: embedded DynamoDB Local and ElasticMQ, once per JVM, with clients,
 * endpoints and unique names for each test. Shipped in this module's test-jar to every module's tests.
 */
package dev.ddbbulk.embedded.testing;
