using System.Management.Automation;
using Atlas.Core;

namespace Atlas.Psm
{
    /// <summary>
    /// Runs when the module is imported: on Linux with glibc, zlib's large per-file buffers are kept in mappings
    /// of their own so that they go back to the system when freed (<see cref="NativeHeap.KeepLargeBlocksMapped"/>).
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        public void OnImport() => NativeHeap.KeepLargeBlocksMapped();
    }
}
