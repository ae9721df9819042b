/** Building the SDK clients, for AWS or any endpoint. */
package dev.ddbbulk.core.aws;
