/** Scanning one segment of a parallel scan, a page at a time. */
package dev.ddbbulk.worker.scan;
