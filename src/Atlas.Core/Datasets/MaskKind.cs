namespace Atlas.Core.Datasets
{
    /// <summary>
    /// The kinds of lesion mask a subject has, by the names the cmdlets accept (-MaskKind, and
    /// Measure-LesionOverlap -Reference LesionSmooth). The one definition of these names.
    /// </summary>
    public enum MaskKind
    {
        /// <summary>The masks the layout provides: the smoothed ones where it has them, else the raw ones.</summary>
        Lesion,
        /// <summary>The published smoothed masks (_LesionSmooth).</summary>
        LesionSmooth,
        /// <summary>The hand-traced masks (_LesionRaw).</summary>
        LesionRaw,
    }
}
