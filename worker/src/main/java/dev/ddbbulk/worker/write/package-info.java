/** Writing a page's results to the destination: in batches, or one conditional write per item. */
package dev.ddbbulk.worker.write;
