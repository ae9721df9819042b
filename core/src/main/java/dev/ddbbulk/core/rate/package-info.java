/** Rate control: the per-worker item rate limit and the capacity-unit budget. */
package dev.ddbbulk.core.rate;
