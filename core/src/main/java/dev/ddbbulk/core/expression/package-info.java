/**
 * DynamoDB expressions as values: an expression's text with the names and values its placeholders stand for,
 * combined with {@code and}, and the DynamoDB JSON that users give values in.
 */
package dev.ddbbulk.core.expression;
