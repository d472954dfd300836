using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Reflection;
using Atlas.Core.Datasets;

namespace Atlas.Psm
{
    /// <summary>
    /// How PowerShell sees an AtlasSubject's properties (registered in Atlas.Psm.types.ps1xml): the
    /// identifiers, then the metadata (typed ATLAS columns, then the sheet's other columns, each as its own
    /// property), then the files, so <c>Export-Csv</c> writes a tidy table. File lists print joined with
    /// ';' there (<see cref="PathList"/>) and stay lists in the shell. The bookkeeping dictionaries
    /// (Metadata, MetadataHeaders, MetadataAliases), Site (= Cohort), the aliases and the sheet columns a
    /// typed property already shows are not listed but still answer by name (<c>$s.Metadata</c>,
    /// <c>$s.PrimaryStrokeLocationHemisphere</c>). Methods come from .NET as usual.
    /// </summary>
    public sealed class AtlasSubjectAdapter : PSPropertyAdapter
    {
        private static readonly string[] Leading = { "SubjectId", "ScanId", "Cohort", "Subject", "Session", "Layout", "Space" };
        private static readonly string[] Trailing =
        {
            "HasMetadata", "LesionFileCount", "T1Path", "LesionMaskPaths", "SmoothLesionMaskPaths", "RawLesionMaskPaths", "Directory", "Root",
        };
        private static readonly Dictionary<string, PropertyInfo> Clr = ClrProperties();

        private static Dictionary<string, PropertyInfo> ClrProperties()
        {
            var d = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in typeof(AtlasSubject).GetProperties(BindingFlags.Public | BindingFlags.Instance)) d[p.Name] = p;
            return d;
        }

        public override Collection<PSAdaptedProperty> GetProperties(object baseObject)
        {
            var s = (AtlasSubject)baseObject;
            var list = new Collection<PSAdaptedProperty>();
            foreach (var n in Leading) list.Add(new PSAdaptedProperty(Clr[n].Name, Clr[n]));
            foreach (var n in AtlasSubject.TypedMetadataNames) list.Add(new PSAdaptedProperty(Clr[n].Name, Clr[n]));
            foreach (var column in DynamicColumns(s)) list.Add(new PSAdaptedProperty(column, column));
            foreach (var n in Trailing) list.Add(new PSAdaptedProperty(Clr[n].Name, Clr[n]));
            return list;
        }

        /// <summary>The sheet's columns that no typed property shows, in sheet order.</summary>
        internal static List<string> DynamicColumns(AtlasSubject s)
        {
            var columns = new List<string>();
            if (s.Metadata == null) return columns;
            var shown = new HashSet<string>(AtlasSubject.TypedMetadataNames, StringComparer.OrdinalIgnoreCase);
            if (s.MetadataAliases != null)
                foreach (var kv in s.MetadataAliases)
                    if (shown.Contains(kv.Key)) shown.Add(kv.Value);
            foreach (var kv in s.Metadata)
                if (!shown.Contains(kv.Key) && !Clr.ContainsKey(kv.Key)) columns.Add(kv.Key);
            return columns;
        }

        public override PSAdaptedProperty GetProperty(object baseObject, string propertyName)
        {
            var s = (AtlasSubject)baseObject;
            if (string.IsNullOrEmpty(propertyName)) return null;
            if (Clr.TryGetValue(propertyName, out var p)) return new PSAdaptedProperty(p.Name, p);
            if (s.Metadata != null)
            {
                foreach (var kv in s.Metadata)
                    if (string.Equals(kv.Key, propertyName, StringComparison.OrdinalIgnoreCase)) return new PSAdaptedProperty(kv.Key, kv.Key);
                // An alias the sheet has no column of its own for (Hemisphere is typed; others may be added later).
                if (s.MetadataAliases != null && s.MetadataAliases.TryGetValue(propertyName, out var target) && s.Metadata.ContainsKey(target))
                    return new PSAdaptedProperty(propertyName, target);
            }
            return null;
        }

        public override bool IsGettable(PSAdaptedProperty adaptedProperty) => true;

        public override bool IsSettable(PSAdaptedProperty adaptedProperty) =>
            adaptedProperty.Tag is PropertyInfo p ? p.CanWrite && p.GetSetMethod() != null : true;

        public override object GetPropertyValue(PSAdaptedProperty adaptedProperty)
        {
            var s = (AtlasSubject)adaptedProperty.BaseObject;
            if (adaptedProperty.Tag is PropertyInfo p)
            {
                var v = p.GetValue(s, null);
                return v is string[] paths ? new PathList(paths) : v;
            }
            return s.Metadata.TryGetValue((string)adaptedProperty.Tag, out var value) ? value : null;
        }

        public override void SetPropertyValue(PSAdaptedProperty adaptedProperty, object value)
        {
            var s = (AtlasSubject)adaptedProperty.BaseObject;
            if (adaptedProperty.Tag is PropertyInfo p)
            {
                object v = value is PSObject o ? o.BaseObject : value;
                p.SetValue(s, LanguagePrimitives.ConvertTo(v, p.PropertyType, System.Globalization.CultureInfo.InvariantCulture), null);
                return;
            }
            s.Metadata[(string)adaptedProperty.Tag] = value is PSObject po ? po.BaseObject : value;
        }

        public override string GetPropertyTypeName(PSAdaptedProperty adaptedProperty)
        {
            if (adaptedProperty.Tag is PropertyInfo p)
            {
                if (p.PropertyType == typeof(string[])) return typeof(PathList).FullName;
                var u = Nullable.GetUnderlyingType(p.PropertyType);
                return u != null ? "System.Nullable[" + u.FullName + "]" : p.PropertyType.FullName;
            }
            var s = (AtlasSubject)adaptedProperty.BaseObject;
            return s.Metadata.TryGetValue((string)adaptedProperty.Tag, out var value) && value != null ? value.GetType().FullName : typeof(object).FullName;
        }
    }

    /// <summary>
    /// A subject's file list as PowerShell shows it: indexable, countable and enumerable like the array it
    /// wraps (and converted back to string[] where a parameter wants one), but written as the paths joined
    /// with ';' where a list must be one text (Export-Csv, ConvertTo-Csv).
    /// </summary>
    public sealed class PathList : ReadOnlyCollection<string>
    {
        public PathList(string[] paths) : base(paths ?? new string[0]) { }

        /// <summary>The number of paths (as an array's Length).</summary>
        public int Length => Count;

        public override string ToString() => string.Join(";", this);
    }
}
