using System.Runtime.CompilerServices;

namespace Atlas.Core
{
    /// <summary>
    /// How the runtime should compile the voxel kernels. With tiered compilation (.NET Core 3+), a
    /// method starts as quick unoptimised code and, with dynamic PGO (.NET 8+), passes through an
    /// instrumented stage whose edge counters (a shared random-number helper per branch) cost more
    /// than the kernel itself; a nightly pipeline's kernels run a few hundred times each, so much of
    /// the pipeline ran in those stages (a third of the kernels' time in the profile of issue 15).
    /// <see cref="Optimized"/> is MethodImplOptions.AggressiveOptimization (512), which netstandard2.0
    /// does not name: the method is compiled fully optimised at its first call, without tiering or
    /// instrumentation. .NET Framework (Windows PowerShell) ignores the flag.
    /// </summary>
    internal static class JitHints
    {
        public const MethodImplOptions Optimized = (MethodImplOptions)512;
    }
}
