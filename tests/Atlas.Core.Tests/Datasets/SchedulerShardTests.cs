using System;
using System.Collections.Generic;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    public class SchedulerShardTests
    {
        private static Func<string, string> Env(params string[] pairs)
        {
            var d = new Dictionary<string, string>();
            for (int i = 0; i < pairs.Length; i += 2) d[pairs[i]] = pairs[i + 1];
            return name => d.TryGetValue(name, out var v) ? v : null;
        }

        [Theory]
        // --array=0-3: ids 0..3, min 0
        [InlineData("2", "4", "0", null, 2, 4)]
        // --array=1-4: ids 1..4, min 1 -> shards 0..3
        [InlineData("1", "4", "1", "1", 0, 4)]
        [InlineData("4", "4", "1", null, 3, 4)]
        // --array=0-6:2: ids 0,2,4,6, 4 tasks
        [InlineData("6", "4", "0", "2", 3, 4)]
        // no MIN variable (older SLURM): 0-based
        [InlineData("0", "1", null, null, 0, 1)]
        public void IndexFromArrayVariables(string id, string count, string min, string step, int index, int shards)
        {
            var env = new List<string> { SchedulerShard.TaskIdVariable, id, SchedulerShard.TaskCountVariable, count };
            if (min != null) { env.Add(SchedulerShard.TaskMinVariable); env.Add(min); }
            if (step != null) { env.Add(SchedulerShard.TaskStepVariable); env.Add(step); }
            SchedulerShard.FromEnvironment(Env(env.ToArray()), out int i, out int n);
            Assert.Equal(index, i);
            Assert.Equal(shards, n);
        }

        [Theory]
        [InlineData(null, "4", "SLURM_ARRAY_TASK_ID is not set")]
        [InlineData("1", null, "SLURM_ARRAY_TASK_COUNT is not set")]
        [InlineData("x", "4", "SLURM_ARRAY_TASK_ID='x'")]
        [InlineData("4", "4", "outside the 4 shards")]
        [InlineData("-1", "4", "SLURM_ARRAY_TASK_ID='-1'")]
        [InlineData("1", "0", "SLURM_ARRAY_TASK_COUNT='0'")]
        public void BadVariablesAreNamed(string id, string count, string expected)
        {
            var env = new List<string>();
            if (id != null) { env.Add(SchedulerShard.TaskIdVariable); env.Add(id); }
            if (count != null) { env.Add(SchedulerShard.TaskCountVariable); env.Add(count); }
            var ex = Assert.Throws<ArgumentException>(() => SchedulerShard.FromEnvironment(Env(env.ToArray()), out _, out _));
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public void IdBelowMinimumOrOffStepIsAnError()
        {
            var ex = Assert.Throws<ArgumentException>(() => SchedulerShard.FromEnvironment(
                Env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_STEP", "2"), out _, out _));
            Assert.Contains("step 2", ex.Message);
        }
    }
}
