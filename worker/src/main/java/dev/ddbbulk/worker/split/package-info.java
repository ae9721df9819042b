/** Splitting a large item collection off a segment's scan into sort-key ranges the fleet works in parallel. */
package dev.ddbbulk.worker.split;
