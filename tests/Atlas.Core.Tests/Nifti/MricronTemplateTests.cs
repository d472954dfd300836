using System;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>
    /// The MNI brains and atlases of Debian's mricron-data against values recorded from two peer tools.
    /// The table below was printed by tests/Atlas.Core.Tests/Nifti/make_template_reference.py
    /// (Debian mricron-data 1.2.20211006, nifti-bin 3.0.1 = nifti_clib NIFTI2_IO 2.1.0, nibabel 5.0.0), i.e. per file:
    ///   nifti_tool -disp_hdr -infiles F                                  (header fields)
    ///   nifti_tool -disp_nim -field qto_xyz -field sto_xyz -infiles F    (nifti_clib's qform/sform matrices)
    ///   nifti_tool -disp_exts -infiles F                                 (extension count)
    ///   img = nibabel.load(F); img.shape; img.get_data_dtype(); img.affine;
    ///   nibabel.aff2axcodes(img.affine); img.get_fdata().sum(); numpy.count_nonzero(img.get_fdata())
    /// Descriptions holding web addresses are recorded by first word and length only.
    /// </summary>
    public class MricronTemplateTests
    {
        private readonly ITestOutputHelper _out;
        public MricronTemplateTests(ITestOutputHelper output) { _out = output; }

        public sealed class TemplateRef
        {
            public string File;
            public long[] Dim;
            public int DataType, BitPix;
            public double[] PixDim;
            public double VoxOffset, SclSlope, SclInter;
            public int QFormCode, SFormCode, IntentCode, XyztUnits;
            public double[] Quatern, QOffset, SRow;
            public string DescripFirstWord, IntentName, Magic;
            public int DescripLength, ExtCount;
            public double[] ClibQto, ClibSto;
            public int[] NibShape;
            public string NibDtype, NibAxcodes;
            public double[] NibAffine;
            public double NibSum;
            public long NibNonZero;
        }

        public static readonly TemplateRef[] Refs =
        {
            new TemplateRef
            {
                File = "AICHAmc.nii.gz",
                Dim = new long[] { 3, 91, 109, 91, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { -1.0, 2.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 2, SFormCode = 2, IntentCode = 1002, XyztUnits = 10,
                Quatern = new[] { 0.0, 1.0, 0.0 }, QOffset = new[] { 90.0, 0.0, 0.0 },
                SRow = new[] { -2.0, 0.0, 0.0, 90.0, 0.0, 2.0, 0.0, -126.0, 0.0, 0.0, 2.0, -72.0 },
                DescripFirstWord = "FSL3.3", DescripLength = 6, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { -2.0, 0.0, -0.0, 90.0, 0.0, 2.0, -0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { -2.0, 0.0, 0.0, 90.0, 0.0, 2.0, 0.0, -126.0, 0.0, 0.0, 2.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 91, 109, 91 }, NibDtype = "uint8",
                NibAffine = new[] { -2.0, 0.0, 0.0, 90.0, 0.0, 2.0, 0.0, -126.0, 0.0, 0.0, 2.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "LAS", NibSum = 12270913.0, NibNonZero = 144208,
            },
            new TemplateRef
            {
                File = "HarvardOxford-cort-maxprob-thr0-1mm.nii.gz",
                Dim = new long[] { 3, 182, 218, 182, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { -1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0 },
                VoxOffset = 1952.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 2, SFormCode = 2, IntentCode = 1002, XyztUnits = 10,
                Quatern = new[] { 0.0, 1.0, 0.0 }, QOffset = new[] { 90.0, 0.0, 0.0 },
                SRow = new[] { -1.0, 0.0, 0.0, 90.0, 0.0, 1.0, 0.0, -126.0, 0.0, 0.0, 1.0, -72.0 },
                DescripFirstWord = "FSL3.3", DescripLength = 52, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { -1.0, 0.0, -0.0, 90.0, 0.0, 1.0, -0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { -1.0, 0.0, 0.0, 90.0, 0.0, 1.0, 0.0, -126.0, 0.0, 0.0, 1.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 182, 218, 182 }, NibDtype = "uint8",
                NibAffine = new[] { -1.0, 0.0, 0.0, 90.0, 0.0, 1.0, 0.0, -126.0, 0.0, 0.0, 1.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "LAS", NibSum = 32581128.0, NibNonZero = 1689547,
            },
            new TemplateRef
            {
                File = "JHU-WhiteMatter-labels-1mm.nii.gz",
                Dim = new long[] { 3, 182, 218, 182, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { -1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 2, SFormCode = 2, IntentCode = 1002, XyztUnits = 10,
                Quatern = new[] { 0.0, 0.0, 0.0 }, QOffset = new[] { -91.0, -126.0, -72.0 },
                SRow = new[] { 1.0, 0.0, 0.0, -91.0, 0.0, 1.0, 0.0, -126.0, 0.0, 0.0, 1.0, -72.0 },
                DescripFirstWord = "FSL3.3", DescripLength = 6, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 1.0, 0.0, -0.0, -91.0, 0.0, 1.0, -0.0, -126.0, 0.0, 0.0, -1.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 1.0, 0.0, 0.0, -91.0, 0.0, 1.0, 0.0, -126.0, 0.0, 0.0, 1.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 182, 218, 182 }, NibDtype = "uint8",
                NibAffine = new[] { 1.0, 0.0, 0.0, -91.0, 0.0, 1.0, 0.0, -126.0, 0.0, 0.0, 1.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 3384687.0, NibNonZero = 170006,
            },
            new TemplateRef
            {
                File = "JHU-WhiteMatter-labels-2mm.nii.gz",
                Dim = new long[] { 3, 91, 109, 91, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { -1.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 4, SFormCode = 4, IntentCode = 1002, XyztUnits = 10,
                Quatern = new[] { 0.0, 0.0, 0.0 }, QOffset = new[] { -90.0, -126.0, -72.0 },
                SRow = new[] { 2.0, 0.0, 0.0, -90.0, 0.0, 2.0, 0.0, -126.0, 0.0, 0.0, 2.0, -72.0 },
                DescripFirstWord = "FSL3.3", DescripLength = 6, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 2.0, 0.0, -0.0, -90.0, 0.0, 2.0, -0.0, -126.0, 0.0, 0.0, -2.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 2.0, 0.0, 0.0, -90.0, 0.0, 2.0, 0.0, -126.0, 0.0, 0.0, 2.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 91, 109, 91 }, NibDtype = "uint8",
                NibAffine = new[] { 2.0, 0.0, 0.0, -90.0, 0.0, 2.0, 0.0, -126.0, 0.0, 0.0, 2.0, -72.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 420763.0, NibNonZero = 21118,
            },
            new TemplateRef
            {
                File = "aal.nii.gz",
                Dim = new long[] { 3, 181, 217, 181, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 0, SFormCode = 4, IntentCode = 1002, XyztUnits = 0,
                Quatern = new[] { 0.0, 0.0, 0.0 }, QOffset = new[] { 0.0, 0.0, 0.0 },
                SRow = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0 },
                DescripFirstWord = "", DescripLength = 0, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 181, 217, 181 }, NibDtype = "uint8",
                NibAffine = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 76656511.0, NibNonZero = 1479969,
            },
            new TemplateRef
            {
                File = "brodmann.nii.gz",
                Dim = new long[] { 3, 181, 217, 181, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 0, SFormCode = 4, IntentCode = 1002, XyztUnits = 0,
                Quatern = new[] { 0.0, 0.0, 0.0 }, QOffset = new[] { 0.0, 0.0, 0.0 },
                SRow = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0 },
                DescripFirstWord = "", DescripLength = 0, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 181, 217, 181 }, NibDtype = "uint8",
                NibAffine = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 33673306.0, NibNonZero = 1352119,
            },
            new TemplateRef
            {
                File = "ch2.nii.gz",
                Dim = new long[] { 3, 181, 217, 181, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 0, SFormCode = 4, IntentCode = 0, XyztUnits = 0,
                Quatern = new[] { 1.0, 0.0, 0.0 }, QOffset = new[] { 0.0, 0.0, 0.0 },
                SRow = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0 },
                DescripFirstWord = "spm", DescripLength = 13, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 181, 217, 181 }, NibDtype = "uint8",
                NibAffine = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 317151210.0, NibNonZero = 4151607,
            },
            new TemplateRef
            {
                File = "ch2bet.nii.gz",
                Dim = new long[] { 3, 181, 217, 181, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 0, SFormCode = 4, IntentCode = 0, XyztUnits = 0,
                Quatern = new[] { 1.0, 0.0, 0.0 }, QOffset = new[] { 0.0, 0.0, 0.0 },
                SRow = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0 },
                DescripFirstWord = "spm", DescripLength = 13, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 181, 217, 181 }, NibDtype = "uint8",
                NibAffine = new[] { 1.0, 0.0, 0.0, -90.0, 0.0, 1.0, 0.0, -125.0, 0.0, 0.0, 1.0, -71.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 158526435.0, NibNonZero = 1737193,
            },
            new TemplateRef
            {
                File = "ch2better.nii.gz",
                Dim = new long[] { 3, 301, 370, 316, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { 1.0, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 1, SFormCode = 1, IntentCode = 0, XyztUnits = 0,
                Quatern = new[] { 0.0, 0.0, 0.0 }, QOffset = new[] { -75.0, -107.0, -69.5 },
                SRow = new[] { 0.5, 0.0, 0.0, -75.0, 0.0, 0.5, 0.0, -107.0, 0.0, 0.0, 0.5, -69.5 },
                DescripFirstWord = "spm", DescripLength = 13, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 0.5, 0.0, 0.0, -75.0, 0.0, 0.5, 0.0, -107.0, 0.0, 0.0, 0.5, -69.5, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 0.5, 0.0, 0.0, -75.0, 0.0, 0.5, 0.0, -107.0, 0.0, 0.0, 0.5, -69.5, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 301, 370, 316 }, NibDtype = "uint8",
                NibAffine = new[] { 0.5, 0.0, 0.0, -75.0, 0.0, 0.5, 0.0, -107.0, 0.0, 0.0, 0.5, -69.5, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 1222013263.0, NibNonZero = 13023249,
            },
            new TemplateRef
            {
                File = "inia19-NeuroMaps.nii.gz",
                Dim = new long[] { 3, 168, 206, 128, 1, 1, 1, 1 },
                DataType = 4, BitPix = 16,
                PixDim = new[] { 1.0, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 32976.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 1, SFormCode = 1, IntentCode = 1002, XyztUnits = 0,
                Quatern = new[] { 0.0, 0.0, 0.0 }, QOffset = new[] { 0.0, 0.0, 0.0 },
                SRow = new[] { 0.5, 0.0, 0.0, -42.0, 0.0, 0.5, 0.0, -57.5, 0.0, 0.0, 0.5, -30.0 },
                DescripFirstWord = "", DescripLength = 59, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 0.5, 0.0, 0.0, -42.0, 0.0, 0.5, 0.0, -57.5, 0.0, 0.0, 0.5, -30.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 168, 206, 128 }, NibDtype = "int16",
                NibAffine = new[] { 0.5, 0.0, 0.0, -42.0, 0.0, 0.5, 0.0, -57.5, 0.0, 0.0, 0.5, -30.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 502525881.0, NibNonZero = 801388,
            },
            new TemplateRef
            {
                File = "inia19-t1-brain.nii.gz",
                Dim = new long[] { 3, 168, 206, 128, 1, 1, 1, 1 },
                DataType = 16, BitPix = 32,
                PixDim = new[] { 1.0, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 352.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 0, SFormCode = 1, IntentCode = 0, XyztUnits = 0,
                Quatern = new[] { 0.0, 0.0, 0.0 }, QOffset = new[] { 0.0, 0.0, 0.0 },
                SRow = new[] { 0.5, 0.0, 0.0, -42.0, 0.0, 0.5, 0.0, -57.5, 0.0, 0.0, 0.5, -30.0 },
                DescripFirstWord = "", DescripLength = 59, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { 0.5, 0.0, 0.0, -42.0, 0.0, 0.5, 0.0, -57.5, 0.0, 0.0, 0.5, -30.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 168, 206, 128 }, NibDtype = "float32",
                NibAffine = new[] { 0.5, 0.0, 0.0, -42.0, 0.0, 0.5, 0.0, -57.5, 0.0, 0.0, 0.5, -30.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "RAS", NibSum = 75356682.64319038, NibNonZero = 874576,
            },
            new TemplateRef
            {
                File = "jhu189.nii.gz",
                Dim = new long[] { 3, 157, 189, 136, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 2640.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 2, SFormCode = 2, IntentCode = 1002, XyztUnits = 10,
                Quatern = new[] { 0.0, 0.0, 0.0 }, QOffset = new[] { 0.0, 0.0, 0.0 },
                SRow = new[] { -1.0, 0.0, 0.0, 78.0, 0.0, 1.0, 0.0, -112.0, 0.0, 0.0, 1.0, -50.0 },
                DescripFirstWord = "", DescripLength = 43, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { -1.0, 0.0, 0.0, 78.0, 0.0, 1.0, 0.0, -112.0, 0.0, 0.0, 1.0, -50.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 157, 189, 136 }, NibDtype = "uint8",
                NibAffine = new[] { -1.0, 0.0, 0.0, 78.0, 0.0, 1.0, 0.0, -112.0, 0.0, 0.0, 1.0, -50.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "LAS", NibSum = 106507886.0, NibNonZero = 1771330,
            },
            new TemplateRef
            {
                File = "natbrainlab.nii.gz",
                Dim = new long[] { 3, 157, 189, 136, 1, 1, 1, 1 },
                DataType = 2, BitPix = 8,
                PixDim = new[] { -1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0 },
                VoxOffset = 1296.0, SclSlope = 1.0, SclInter = 0.0,
                QFormCode = 2, SFormCode = 2, IntentCode = 1002, XyztUnits = 10,
                Quatern = new[] { 0.0, 1.0, 0.0 }, QOffset = new[] { 78.0, 0.0, 0.0 },
                SRow = new[] { -1.0, 0.0, 0.0, 78.0, 0.0, 1.0, 0.0, -112.0, 0.0, 0.0, 1.0, -50.0 },
                DescripFirstWord = "", DescripLength = 19, IntentName = "", Magic = "n+1",
                ExtCount = 0,
                ClibQto = new[] { -1.0, 0.0, -0.0, 78.0, 0.0, 1.0, -0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 },
                ClibSto = new[] { -1.0, 0.0, 0.0, 78.0, 0.0, 1.0, 0.0, -112.0, 0.0, 0.0, 1.0, -50.0, 0.0, 0.0, 0.0, 1.0 },
                NibShape = new[] { 157, 189, 136 }, NibDtype = "uint8",
                NibAffine = new[] { -1.0, 0.0, 0.0, 78.0, 0.0, 1.0, 0.0, -112.0, 0.0, 0.0, 1.0, -50.0, 0.0, 0.0, 0.0, 1.0 },
                NibAxcodes = "LAS", NibSum = 23517800.0, NibNonZero = 407432,
            },
        };

        public static TheoryData<string> Files()
        {
            var d = new TheoryData<string>();
            foreach (var r in Refs) d.Add(r.File);
            return d;
        }

        private static TemplateRef Ref(string file) => Array.Find(Refs, r => r.File == file);


        private static void Matrix(double[] expected16, double[,] actual, string what)
        {
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    Assert.True(Math.Abs(expected16[4 * i + j] - actual[i, j]) < 1e-5, what + $"[{i},{j}] expected {expected16[4 * i + j]} got {actual[i, j]}");
        }

        private static string NibDtype(NiftiDataType t)
        {
            switch (t)
            {
                case NiftiDataType.UInt8: return "uint8";
                case NiftiDataType.Int16: return "int16";
                case NiftiDataType.Float32: return "float32";
                default: return t.ToString();
            }
        }

        [SkippableTheory]
        [MemberData(nameof(Files))]
        public void Header_fields_equal_nifti_tool(string file)
        {
            Peers.RequireMricron(file);
            var r = Ref(file);
            var h = NiftiReader.ReadHeader(Path.Combine(Peers.MricronTemplates, file));
            Assert.Equal(r.Dim, h.Dim);
            Assert.Equal(r.DataType, (int)h.DataType);
            Assert.Equal(r.BitPix, h.BitPix);
            Assert.Equal(r.PixDim, h.PixDim);
            Assert.Equal(r.VoxOffset, h.VoxOffset);
            Assert.Equal(r.SclSlope, h.SclSlope);
            Assert.Equal(r.SclInter, h.SclInter);
            Assert.Equal(r.QFormCode, h.QFormCode);
            Assert.Equal(r.SFormCode, h.SFormCode);
            Assert.Equal(r.IntentCode, h.IntentCode);
            Assert.Equal(r.XyztUnits, h.XyztUnits);
            Assert.Equal(r.Quatern, new[] { h.QuaternB, h.QuaternC, h.QuaternD });
            Assert.Equal(r.QOffset, new[] { h.QOffsetX, h.QOffsetY, h.QOffsetZ });
            var srow = new double[12];
            for (int c = 0; c < 4; c++) { srow[c] = h.SRowX[c]; srow[4 + c] = h.SRowY[c]; srow[8 + c] = h.SRowZ[c]; }
            Assert.Equal(r.SRow, srow);
            Assert.Equal(r.DescripLength, h.Descrip.Trim().Length);
            Assert.StartsWith(r.DescripFirstWord, h.Descrip);
            Assert.Equal(r.IntentName, h.IntentName);
            Assert.Equal(r.Magic, h.Magic);
            Assert.Equal(r.ExtCount, h.Extensions.Count);
            Assert.True(h.LittleEndian);
            // nifti_clib's matrices: our qform and sform from the same fields
            if (h.QFormCode > 0) Matrix(r.ClibQto, AffineMath.QForm(h), "qto_xyz");
            Matrix(r.ClibSto, AffineMath.SForm(h), "sto_xyz");
        }

        [SkippableTheory]
        [MemberData(nameof(Files))]
        public void Shape_affine_orientation_and_voxel_sum_equal_nibabel(string file)
        {
            Peers.RequireMricron(file);
            var r = Ref(file);
            var v = NiftiReader.Read(Path.Combine(Peers.MricronTemplates, file));
            Assert.Equal(r.NibShape, v.Dimensions);
            Assert.Equal(r.NibDtype, NibDtype(v.DataType));
            Matrix(r.NibAffine, v.Affine, "affine");
            Assert.Equal(r.NibAxcodes, v.Orientation);
            var values = v.ToFloat64();
            double sum = 0; long nz = 0;
            foreach (var x in values) { sum += x; if (x != 0) nz++; }
            Assert.Equal(r.NibNonZero, nz);
            Assert.True(Math.Abs(r.NibSum - sum) <= 1e-9 * Math.Abs(r.NibSum), $"sum {sum} vs nibabel {r.NibSum}");
        }

        [SkippableTheory]
        [MemberData(nameof(Files))]
        public void Writing_a_template_back_gives_the_same_decompressed_bytes(string file)
        {
            Peers.RequireMricron(file);
            string src = Path.Combine(Peers.MricronTemplates, file);
            var v = NiftiReader.Read(src);
            using (var tmp = new TempDir())
            {
                string dst = tmp.File(file);
                NiftiWriter.Write(v, dst);
                var a = RawFiles.Gunzip(System.IO.File.ReadAllBytes(src));
                var b = RawFiles.Gunzip(System.IO.File.ReadAllBytes(dst));
                if (Ref(file).VoxOffset == 352)
                {
                    Assert.Equal(a, b);
                }
                else
                {
                    // vox_offset is rewritten to 352 (no extensions): header fields other than
                    // vox_offset and the voxels are the same.
                    Assert.Equal(352f, BitConverter.ToSingle(b, 108));
                    Assert.Equal(a[..108], b[..108]);
                    Assert.Equal(a[112..348], b[112..348]);
                    int off = (int)Ref(file).VoxOffset;
                    Assert.Equal(a[off..], b[352..]);
                }
            }
        }
    }
}
