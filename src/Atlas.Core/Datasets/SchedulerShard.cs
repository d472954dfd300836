using System;
using System.Globalization;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// The shard of a scheduler's array task, read from its environment. SLURM sets
    /// SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_STEP for
    /// every task of `sbatch --array=min-max[:step]`; the shard index is (id − min) / step, so an array
    /// numbered 0-(n−1), 1-n or 0-(2n−2):2 gives shards 0 … n−1 alike.
    /// </summary>
    public static class SchedulerShard
    {
        public const string TaskIdVariable = "SLURM_ARRAY_TASK_ID";
        public const string TaskCountVariable = "SLURM_ARRAY_TASK_COUNT";
        public const string TaskMinVariable = "SLURM_ARRAY_TASK_MIN";
        public const string TaskStepVariable = "SLURM_ARRAY_TASK_STEP";

        /// <summary>
        /// (index, count) from the environment read by <paramref name="getVariable"/>. A missing or
        /// non-numeric variable, or an index outside 0 … count − 1, is an ArgumentException that names
        /// the variable and its value.
        /// </summary>
        public static void FromEnvironment(Func<string, string> getVariable, out int index, out int count)
        {
            if (getVariable == null) throw new ArgumentNullException(nameof(getVariable));
            int id = Required(getVariable, TaskIdVariable, 0);
            count = Required(getVariable, TaskCountVariable, 1);
            int min = Optional(getVariable, TaskMinVariable, 0, 0);
            int step = Optional(getVariable, TaskStepVariable, 1, 1);
            if (id < min || (id - min) % step != 0)
                throw new ArgumentException(TaskIdVariable + "=" + id + " is not a task of an array starting at " + TaskMinVariable + "=" + min
                    + " with step " + step + ".");
            index = (id - min) / step;
            if (index >= count)
                throw new ArgumentException(TaskIdVariable + "=" + id + " gives shard " + index + ", outside the " + count + " shards of "
                    + TaskCountVariable + "=" + count + (min != 0 ? " (" + TaskMinVariable + "=" + min + ")" : "") + ".");
        }

        private static int Required(Func<string, string> get, string name, int least)
        {
            string s = get(name);
            if (string.IsNullOrWhiteSpace(s))
                throw new ArgumentException(name + " is not set: -Shard FromEnvironment needs a SLURM array task (sbatch --array).");
            return Parse(name, s, least);
        }

        private static int Optional(Func<string, string> get, string name, int least, int fallback)
        {
            string s = get(name);
            return string.IsNullOrWhiteSpace(s) ? fallback : Parse(name, s, least);
        }

        private static int Parse(string name, string s, int least)
        {
            if (!int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < least)
                throw new ArgumentException(name + "='" + s + "' is not a whole number of at least " + least + ".");
            return v;
        }
    }
}
