namespace Atlas.Psm
{
    /// <summary>
    /// The parameter-set names of the cmdlets, in one place: [Parameter(ParameterSetName = …)],
    /// [Cmdlet(DefaultParameterSetName = …)] and every ParameterSetName comparison use these.
    /// </summary>
    public static class ParameterSets
    {
        /// <summary>Input paths with wildcards (-Path).</summary>
        public const string Path = "Path";
        /// <summary>Input paths taken as written (-LiteralPath, alias PSPath).</summary>
        public const string LiteralPath = "LiteralPath";
        /// <summary>Pipeline objects: volumes, files, path strings or subjects (-InputObject).</summary>
        public const string InputObject = "InputObject";
        /// <summary>Output into a folder (-Destination).</summary>
        public const string Destination = "Destination";
        /// <summary>Output to one named file (-OutputPath).</summary>
        public const string OutputPath = "OutputPath";
        /// <summary>Inputs given as files or volumes, one parameter each (Invoke-LesionWhiteMatterCorrection -T1 -Mask).</summary>
        public const string Files = "Files";
        /// <summary>Two masks compared with each other (Measure-LesionOverlap -Reference -Comparison).</summary>
        public const string Pair = "Pair";
        /// <summary>A table of ratings read from a CSV file (Measure-RaterReliability -Path).</summary>
        public const string Csv = "Csv";
        /// <summary>Subjects from Get-AtlasSubject.</summary>
        public const string Subject = "Subject";
        /// <summary>A transform object in memory.</summary>
        public const string Transform = "Transform";
        /// <summary>Pipeline objects that are drawn: volumes, subjects, files (Export-AtlasSnapshot).</summary>
        public const string Volume = "Volume";
        /// <summary>A seed given in voxel indices.</summary>
        public const string Voxel = "Voxel";
        /// <summary>A seed given in world millimetres.</summary>
        public const string World = "World";
    }
}
