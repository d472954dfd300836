using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Core.Bids;
using Atlas.Core.Datasets;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Bids
{
    /// <summary>The converted hand-made tree checked by the real bids-validator 1.15.0 (skipped when it is not installed).</summary>
    public class BidsValidatorTests
    {
        private readonly ITestOutputHelper _out;
        public BidsValidatorTests(ITestOutputHelper output) { _out = output; }

        private (List<BidsValidatorPeer.Issue> Errors, List<BidsValidatorPeer.Issue> Warnings) ConvertAndValidate(BidsConvertOptions o, Func<string, List<AtlasSubject>> make, string src)
        {
            new BidsConverter(o).Convert(make(src));
            var r = BidsValidatorPeer.Run(o.Destination);
            foreach (var e in r.Errors) _out.WriteLine("ERROR " + e);
            foreach (var w in r.Warnings) _out.WriteLine("WARN  " + w);
            return r;
        }

        [SkippableTheory]
        [InlineData(BidsMaskPlacement.Derivatives)]
        [InlineData(BidsMaskPlacement.Anat)]
        public void The_converted_native_tree_has_no_validator_errors(BidsMaskPlacement placement)
        {
            Peers.RequireTool("bids-validator", "npm install -g bids-validator@1.15.0");
            using (var tmp = new TempDir())
            {
                var o = new BidsConvertOptions { Destination = tmp.File("bids"), MaskPlacement = placement, IncludeRawMasks = true };
                var r = ConvertAndValidate(o, BidsTestData.NativeTree, tmp.File("src"));
                Assert.Empty(r.Errors);
            }
        }
    
        [SkippableFact]
        public void Standard_space_default_is_valid_and_KeepSpaceEntity_fails_only_on_the_space_entity()
        {
            Peers.RequireTool("bids-validator", "npm install -g bids-validator@1.15.0");
            using (var tmp = new TempDir())
            {
                // R2.0 names (-KeepSpaceEntity): the validator rejects space- in raw T1w names (BIDS allows it in derivatives only).
                var o = new BidsConvertOptions { Destination = tmp.File("r20"), KeepSpaceEntity = true };
                var r = ConvertAndValidate(o, BidsTestData.StandardTree, tmp.File("src"));
                var notIncluded = Assert.Single(r.Errors, e => e.Key == "NOT_INCLUDED");
                Assert.Equal(new[]
                {
                    "/sub-031768/ses-1/anat/sub-031768_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz",
                    "/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz",
                }, notIncluded.Files.OrderBy(f => f, StringComparer.Ordinal).ToArray());
                Assert.All(r.Errors, e => Assert.Contains(e.Key, new[] { "NOT_INCLUDED", "NO_VALID_DATA_FOUND_FOR_SUBJECT", "NO_T1W" }));

                var o2 = new BidsConvertOptions { Destination = tmp.File("strict"), MaskPlacement = BidsMaskPlacement.Anat };
                new BidsConverter(o2).Convert(BidsTestData.StandardTree(tmp.File("src2")));
                var r2 = BidsValidatorPeer.Run(o2.Destination);
                foreach (var e in r2.Errors) _out.WriteLine("ERROR " + e);
                Assert.Empty(r2.Errors);
                Assert.True(File.Exists(Path.Combine(o2.Destination, "sub-031768", "ses-1", "anat", "sub-031768_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz")));
            }
        }
    }
}
