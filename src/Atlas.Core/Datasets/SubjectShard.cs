using System;
using System.Text;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// The deterministic shard of a subject: FNV-1a (32-bit) of the SubjectId's UTF-8 bytes modulo
    /// the shard count. The same on every machine, process and .NET version (string.GetHashCode is
    /// randomised per process), so array task i of n of a scheduler always gets the same subjects,
    /// and every time point of a subject lands in the same shard when the layout's SubjectId has none.
    /// </summary>
    public static class SubjectShard
    {
        public static uint Hash(string subjectId)
        {
            uint h = 2166136261;
            foreach (byte b in Encoding.UTF8.GetBytes(subjectId ?? ""))
            {
                h ^= b;
                h *= 16777619;
            }
            return h;
        }

        public static int Of(string subjectId, int shardCount)
        {
            if (shardCount < 1) throw new ArgumentOutOfRangeException(nameof(shardCount), "The shard count must be at least 1.");
            return (int)(Hash(subjectId) % (uint)shardCount);
        }
    }
}
