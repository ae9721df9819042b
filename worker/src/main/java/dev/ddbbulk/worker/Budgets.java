package dev.ddbbulk.worker;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Sleeper;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a worker's capacity budgets come from. Lambda workers each hold an even share of the job's budget
 * ({@link #PER_WORKER_SHARE}); workers in one JVM share one budget for the whole fleet, which stays exact
 * however the segments fall to them.
 */
public interface Budgets {
    CapacityBudget read(String runId, JobConfig job, Clock clock, Sleeper sleeper);

    CapacityBudget write(String runId, JobConfig job, Clock clock, Sleeper sleeper);

    Budgets PER_WORKER_SHARE = new Budgets() {
        @Override
        public CapacityBudget read(String runId, JobConfig job, Clock clock, Sleeper sleeper) {
            return CapacityBudget.of(job.readUnitsPerWorker(), clock, sleeper);
        }

        @Override
        public CapacityBudget write(String runId, JobConfig job, Clock clock, Sleeper sleeper) {
            return CapacityBudget.of(job.writeUnitsPerWorker(), clock, sleeper);
        }
    };

    /** One budget per run for all the workers that use this instance. */
    static Budgets sharedByFleet() {
        Map<String, CapacityBudget> reads = new ConcurrentHashMap<>();
        Map<String, CapacityBudget> writes = new ConcurrentHashMap<>();
        return new Budgets() {
            @Override
            public CapacityBudget read(String runId, JobConfig job, Clock clock, Sleeper sleeper) {
                return reads.computeIfAbsent(runId, id -> CapacityBudget.of(job.maxReadUnits(), clock, sleeper));
            }

            @Override
            public CapacityBudget write(String runId, JobConfig job, Clock clock, Sleeper sleeper) {
                return writes.computeIfAbsent(runId, id -> CapacityBudget.of(job.maxWriteUnits(), clock, sleeper));
            }
        };
    }
}
