using System;
using System.Collections.Generic;
using Atlas.Core.Nifti;

namespace Atlas.Core.Volumes
{
    /// <summary>
    /// Voxel arrays handed back for reuse by code that reads many images of one size, one after
    /// another, and is done with each before the next: overlap maps over hundreds of masks, metrics
    /// over many pairs. A fresh 7 MB array costs more than inflating a sparse mask into it (the
    /// runtime's allocation, the collections it triggers, and a page fault on the first write to
    /// every 4 KiB page, over a microsecond each in a VM); an array that comes back is already
    /// backed by memory. Give <see cref="NiftiReadOptions.Pool"/> to the reader and
    /// <see cref="Return(AtlasVolume)"/> each volume when finished with it.
    /// <para>
    /// The caller owns the rule that makes this safe: a returned volume (and its array) is never
    /// used again. <see cref="Return(AtlasVolume)"/> detaches the array, so a stray use of the
    /// volume fails loudly instead of seeing another image's voxels. Use a pool for the span of one
    /// operation (a cmdlet invocation) and drop it afterwards; it never hands out memory that is
    /// still rented, and holds at most <see cref="MaxBytes"/>. Thread-safe.
    /// </para>
    /// </summary>
    public sealed class VoxelBufferPool
    {
        /// <summary>
        /// Arrays kept per element type and length: enough for the cmdlets that work ahead of the pipeline (up to
        /// cores + 1 items in work, each holding a few arrays of one size). The pool never holds more than was rented
        /// at once, so this bounds reuse, not memory; <see cref="MaxBytes"/> bounds memory.
        /// </summary>
        public const int MaxPerSize = 16;
        // Each entry is an array (held) or a WeakReference to one (weak pool), with its size in bytes.
        private readonly Dictionary<(Type, int), Stack<(object Entry, long Bytes)>> _free = new Dictionary<(Type, int), Stack<(object, long)>>();
        private readonly object _gate = new object();
        private long _heldBytes;

        /// <param name="maxBytes">The most memory the pool keeps for reuse (default 512 MiB).</param>
        /// <param name="weak">
        /// Hold returned arrays weakly: the collector may take any of them back at its next full collection, so a pool
        /// that lives long (<see cref="Shared"/>) keeps nothing alive in an idle session.
        /// </param>
        public VoxelBufferPool(long maxBytes = 512L << 20, bool weak = false)
        {
            if (maxBytes < 0) throw new ArgumentOutOfRangeException(nameof(maxBytes));
            MaxBytes = maxBytes;
            Weak = weak;
        }

        /// <summary>
        /// The process-wide pool of the cmdlets that read many masks: one pipeline's steps (smoothing, measuring,
        /// comparing, overlap maps) reuse one set of arrays instead of each step paging in its own. It holds its
        /// arrays weakly, so what it keeps between pipelines is the collector's to take.
        /// </summary>
        public static VoxelBufferPool Shared { get; } = new VoxelBufferPool(512L << 20, weak: true);

        public long MaxBytes { get; }
        /// <summary>True when returned arrays are held weakly (see the constructor).</summary>
        public bool Weak { get; }
        /// <summary>Bytes held for reuse now (for a weak pool: of the arrays returned and not yet found collected).</summary>
        public long HeldBytes { get { lock (_gate) return _heldBytes; } }
        /// <summary>Rents served by a returned array (for tests and benchmarks).</summary>
        public long Reused { get; private set; }

        /// <summary>
        /// An array of <paramref name="length"/> elements of <paramref name="elementType"/> whose
        /// contents are undefined (a returned array, or a new one): the caller overwrites all of it.
        /// </summary>
        public Array Rent(Type elementType, int length)
        {
            if (elementType == null) throw new ArgumentNullException(nameof(elementType));
            if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
            lock (_gate)
            {
                if (_free.TryGetValue((elementType, length), out var stack))
                {
                    while (stack.Count > 0)
                    {
                        var (entry, bytes) = stack.Pop();
                        _heldBytes -= bytes;
                        var a = entry as Array ?? (Array)((WeakReference)entry).Target;
                        if (a == null) continue; // collected meanwhile
                        Reused++;
                        return a;
                    }
                }
            }
            return NiftiDataTypes.AllocateUninitialized(elementType, length);
        }

        /// <summary>A byte array of <paramref name="length"/> with undefined contents.</summary>
        public byte[] RentBytes(int length) => (byte[])Rent(typeof(byte), length);

        /// <summary>Takes an array back. The caller must not touch it again. Arrays beyond the limits are left to the collector.</summary>
        public void Return(Array array)
        {
            if (array == null || array.Rank != 1) return;
            long bytes = Buffer.ByteLength(array);
            var key = (array.GetType().GetElementType(), array.Length);
            lock (_gate)
            {
                if (!_free.TryGetValue(key, out var stack)) _free[key] = stack = new Stack<(object, long)>();
                if (Weak) Prune(stack);
                if (_heldBytes + bytes > MaxBytes) return;
                if (stack.Count >= MaxPerSize) return;
                foreach (var held in stack)
                    if (ReferenceEquals(held.Entry as Array ?? ((WeakReference)held.Entry).Target, array)) return; // returned twice
                stack.Push((Weak ? new WeakReference(array) : (object)array, bytes));
                _heldBytes += bytes;
            }
        }

        // Drops the entries of a weak pool whose arrays were collected (keeping the order of the others).
        private void Prune(Stack<(object Entry, long Bytes)> stack)
        {
            bool dead = false;
            foreach (var e in stack) if (((WeakReference)e.Entry).Target == null) { dead = true; break; }
            if (!dead) return;
            var live = new List<(object, long)>();
            foreach (var e in stack)
            {
                if (((WeakReference)e.Entry).Target != null) live.Add(e);
                else _heldBytes -= e.Bytes;
            }
            stack.Clear();
            for (int i = live.Count - 1; i >= 0; i--) stack.Push(live[i]);
        }

        /// <summary>Takes back a volume's voxel array and detaches it from the volume, which is unusable afterwards.</summary>
        public void Return(AtlasVolume volume)
        {
            if (volume == null) return;
            var data = volume.DetachData();
            if (data != null) Return(data);
        }

        /// <summary>Lets the collector have every held array.</summary>
        public void Clear()
        {
            lock (_gate) { _free.Clear(); _heldBytes = 0; }
        }
    }
}
