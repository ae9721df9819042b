package dev.ddbbulk.tools.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.WriteMode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WriteProfileTest {
    private static final IndexFacts BY_TENANT_ALL = new IndexFacts("by-tenant", true, List.of("tenant"), "ALL", List.of(), null);
    private static final IndexFacts BY_STATUS_KEYS = new IndexFacts("by-status", true, List.of("status"), "KEYS_ONLY", List.of(), null);
    private static final IndexFacts BY_DATE_INCLUDE = new IndexFacts("by-date", true, List.of("date"), "INCLUDE",
            List.of("total"), null);

    @Test
    void of_whenTheJobWritesWholeItems_touchesEveryIndexOnce() {
        JobConfig conditional = JobConfig.builder().sourceTable("orders").writeMode(WriteMode.CONDITIONAL).build();

        WriteProfile profile = WriteProfile.of(conditional);

        assertThat(profile.wholeItem()).isTrue();
        assertThat(profile.writesPerItem()).isEqualTo(1);
        assertThat(List.of(BY_TENANT_ALL, BY_STATUS_KEYS, BY_DATE_INCLUDE)).allSatisfy(index ->
                assertThat(profile.indexWritesPerItem(index)).isEqualTo(1));
        assertThat(profile.description()).contains("conditional");
    }

    @Test
    void of_whenDryRun_writesNothing() {
        WriteProfile profile = WriteProfile.of(JobConfig.builder().sourceTable("orders").dryRun(true).build());

        assertThat(profile.writesPerItem()).isZero();
        assertThat(profile.indexWritesPerItem(BY_TENANT_ALL)).isZero();
    }

    @Test
    void updating_whenItChangesAnIndexKey_movesTheEntryWithTwoWrites() {
        WriteProfile profile = WriteProfile.updating("SET tenant", Set.of("tenant"));

        assertThat(profile.indexWritesPerItem(BY_TENANT_ALL)).isEqualTo(2);
    }

    @Test
    void updating_whenItChangesOnlyProjectedAttributes_writesOnlyTheIndexesThatProjectThem() {
        WriteProfile total = WriteProfile.updating("SET total", Set.of("total"));
        WriteProfile note = WriteProfile.updating("SET note", Set.of("note"));

        assertThat(total.indexWritesPerItem(BY_TENANT_ALL)).isEqualTo(1);
        assertThat(total.indexWritesPerItem(BY_DATE_INCLUDE)).isEqualTo(1);
        assertThat(total.indexWritesPerItem(BY_STATUS_KEYS)).isZero();
        assertThat(note.indexWritesPerItem(BY_DATE_INCLUDE)).isZero();
        assertThat(note.indexWritesPerItem(BY_TENANT_ALL)).isEqualTo(1);
    }
}
