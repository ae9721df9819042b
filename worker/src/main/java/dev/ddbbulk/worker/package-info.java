/** The worker: claims a segment, scans, processes and writes it page by page, checkpoints, continues near its deadline and completes; its Lambda handler. */
package dev.ddbbulk.worker;
