package dev.ddbbulk.core.job;

/**
 * The TotalSegments a job runs with and where the number came from, for the estimate to show.
 *
 * @param segments             the number the job runs with
 * @param basis                given, sized from the table, the fallback for a table whose figures read 0, or the
 *                             existing run's
 * @param itemCount            the source's ItemCount the choice was made from (0 unless sized)
 * @param tableBytes           the source's TableSizeBytes the choice was made from (0 unless sized)
 * @param workerItemsPerSecond one worker's pace the choice assumed (0 unless sized)
 * @param rateSetBy            what sets that pace (null unless sized)
 */
public record SegmentChoice(int segments, Basis basis, long itemCount, long tableBytes, double workerItemsPerSecond,
                            String rateSetBy) {

    public enum Basis {
        /** A number was given, and is kept as it is. */
        GIVEN,
        /** {@code auto}, from the table's figures by {@link SegmentSizing}. */
        SIZED,
        /** {@code auto} on a table whose figures read 0 although it holds items: DynamoDB has not counted them yet. */
        UNCOUNTED,
        /** {@code auto} on an existing run: its recorded number, whatever the table's size now. */
        RECORDED
    }

    public static SegmentChoice given(int segments) {
        return new SegmentChoice(segments, Basis.GIVEN, 0, 0, 0, null);
    }

    public static SegmentChoice recorded(int segments) {
        return new SegmentChoice(segments, Basis.RECORDED, 0, 0, 0, null);
    }

    public boolean auto() {
        return basis != Basis.GIVEN;
    }

    /** {@code job} with these segments. */
    public JobConfig applyTo(JobConfig job) {
        return job.totalSegments() == segments ? job : job.toBuilder().totalSegments(segments).build();
    }

    /** Seconds one worker takes for an average segment at the assumed pace; 0 unless sized. */
    public double segmentSeconds() {
        return basis != Basis.SIZED || workerItemsPerSecond <= 0 ? 0
                : (double) itemCount / segments / workerItemsPerSecond;
    }
}
