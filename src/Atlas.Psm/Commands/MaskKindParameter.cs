using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using Atlas.Core.Datasets;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// The valid set of every -MaskKind parameter, derived from the engine's <see cref="MaskKind"/> so the names
    /// live in one place. It acts as [ValidateSet('Lesion', 'LesionSmooth', 'LesionRaw')] did: names only, any case,
    /// the same error id (ParameterArgumentValidationError), and ValidValues lists them. Pair it with
    /// [ArgumentCompleter(typeof(MaskKindCompleter))] for tab completion.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateMaskKindAttribute : ValidateEnumeratedArgumentsAttribute
    {
        /// <summary>The accepted names, in the enum's order.</summary>
        public IList<string> ValidValues => Array.AsReadOnly(AtlasSubject.MaskKinds);

        protected override void ValidateElement(object element)
        {
            string set = string.Join(",", AtlasSubject.MaskKinds);
            if (element == null)
                throw new ValidationMetadataException("The argument is null. Supply an argument that is in the set \"" + set + "\" and then try the command again.");
            string name = element.ToString();
            if (!AtlasSubject.TryParseMaskKind(name, out _))
                throw new ValidationMetadataException("The argument \"" + name + "\" does not belong to the set \"" + set
                    + "\" of mask kinds. Supply an argument that is in the set and then try the command again.");
        }
    }

    /// <summary>Tab completion of the mask kinds an AtlasSubject knows (Lesion, LesionSmooth, LesionRaw).</summary>
    public sealed class MaskKindCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? "").Trim('\'', '"');
            foreach (var k in AtlasSubject.MaskKinds)
                if (k.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                    yield return new CompletionResult(k, k, CompletionResultType.ParameterValue, "The subject's " + k + " mask (primary)");
        }
    }
}
