using System.IO;
using Atlas.Core.Spatial;
using Xunit;

namespace Atlas.Core.Tests.Spatial
{
    /// <summary>The brain mask found beside a template under its distributor's name (Invoke-AtlasDeface without -TemplateMask).</summary>
    public class TemplateBrainMaskTests
    {
        [Theory]
        [InlineData("mni_icbm152_t1_tal_nlin_sym_09a.nii", "mni_icbm152_t1_tal_nlin_sym_09a_mask.nii")]       // MNI152 2009 release
        [InlineData("MNI152_T1_1mm.nii.gz", "MNI152_T1_1mm_brain_mask.nii.gz")]                              // FSL
        [InlineData("tpl-MNI152NLin2009cAsym_res-01_T1w.nii.gz", "tpl-MNI152NLin2009cAsym_res-01_desc-brain_mask.nii.gz")] // TemplateFlow
        [InlineData("sample_template_T1w.nii.gz", "sample_template_brainmask.nii.gz")]                         // New-AtlasSampleDataset
        [InlineData("ch2.nii.gz", "ch2bet.nii.gz")]                                                            // mricron-data
        public void FindsTheDistributorsMaskBesideTheTemplate(string template, string mask)
        {
            using (var t = new TempDir())
            {
                File.WriteAllText(t.File(template), "t");
                File.WriteAllText(t.File("unrelated_mask.nii.gz"), "x");
                Assert.Null(StandardSpace.FindTemplateBrainMask(t.File(template), out var tried));
                Assert.Contains(mask, tried);
                File.WriteAllText(t.File(mask), "m");
                Assert.Equal(t.File(mask), StandardSpace.FindTemplateBrainMask(t.File(template), out _));
            }
        }

        [Fact]
        public void AMaskIsPreferredToABrainExtractedImage()
        {
            // FSL ships both MNI152_T1_1mm_brain.nii.gz (the brain's intensities) and _brain_mask: the mask comes first.
            using (var t = new TempDir())
            {
                File.WriteAllText(t.File("MNI152_T1_1mm.nii.gz"), "t");
                File.WriteAllText(t.File("MNI152_T1_1mm_brain.nii.gz"), "b");
                Assert.Equal(t.File("MNI152_T1_1mm_brain.nii.gz"), StandardSpace.FindTemplateBrainMask(t.File("MNI152_T1_1mm.nii.gz"), out _));
                File.WriteAllText(t.File("MNI152_T1_1mm_brain_mask.nii.gz"), "m");
                Assert.Equal(t.File("MNI152_T1_1mm_brain_mask.nii.gz"), StandardSpace.FindTemplateBrainMask(t.File("MNI152_T1_1mm.nii.gz"), out _));
            }
        }
    }
}
