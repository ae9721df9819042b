/** The deployed stack: its resources from CloudFormation outputs, and its executions in Step Functions. */
package dev.ddbbulk.tools.stack;
