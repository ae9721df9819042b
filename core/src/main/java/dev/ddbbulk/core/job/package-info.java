/** The job: its parameters, their JSON codec and validation against the live tables, and the built-in processors. */
package dev.ddbbulk.core.job;
