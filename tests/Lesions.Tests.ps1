# Lesion cmdlets: smoothing, components, merge, fill, white-matter correction, reports, overlap maps.
# Fixtures are small masks written with Atlas.Core; expected values are worked out by hand (the
# reasoning is in the xunit tests named in each case) or recorded from nibabel.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Templates = '/usr/share/mricron/templates'

    function script:Get-VoxelSum([Parameter(ValueFromPipeline)] $Volume) {
        process { $s = 0; foreach ($b in $Volume.ToMask(0)) { $s += $b }; $s }
    }

    function script:New-Subject {
        # An R1.1-native-like scan folder: raw masks (3³ cube primary, 5³ cube secondary) and a T1.
        param([string] $Root, [string] $Id = 'c0001s0001t01')
        $dir = Join-Path $Root "c0001/$Id"
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $raw0 = Join-Path $dir "${Id}_LesionRaw.voi"
        $raw1 = Join-Path $dir "${Id}_LesionRaw_1.voi"
        $null = New-TestMask -Path $raw0 -Box @(, @(4, 6, 4, 6, 6, 8))
        $null = New-TestMask -Path $raw1 -Box @(, @(11, 15, 11, 15, 5, 9))
        $s = [Atlas.Core.Datasets.AtlasSubject]::new()
        $s.SubjectId = $Id; $s.ScanId = $Id; $s.Cohort = 'c0001'; $s.Directory = $dir; $s.Root = $Root
        $s.RawLesionMaskPaths = @($raw0, $raw1)
        $s.LesionMaskPaths = @($raw0, $raw1)
        # Wrapped in a PSObject as Get-AtlasSubject emits them.
        $s | Add-Member -NotePropertyName Extra -NotePropertyValue 1 -PassThru
    }
}

Describe 'Invoke-LesionSmooth' {
    BeforeAll {
        $script:Subject = New-Subject -Root (Join-Path $TestDrive 'ds')
        $script:Dir = $script:Subject.Directory
    }

    It 'smooths each raw mask of a subject into -Destination under the published names, with the hand-worked counts' {
        $script:Out = Join-Path $TestDrive 'published'
        $files = @($script:Subject | Invoke-LesionSmooth -Destination $script:Out)
        $files.Count | Should -Be 2
        $files[0].Name | Should -Be 'c0001s0001t01_LesionSmooth.nii.gz'
        $files[1].Name | Should -Be 'c0001s0001t01_LesionSmooth_1.nii.gz'
        $files[0].DirectoryName | Should -Be $script:Out
        # 3³ cube: corners 0.7339³ = 0.395 < 0.5 leave, edges 0.506 stay: 27 - 8 = 19.
        Import-AtlasVolume -LiteralPath $files[0].FullName | Get-VoxelSum | Should -Be 19
        # 5³ cube: corners 0.7349³ = 0.397 leave; edges ≥ 0.7349²·0.9697 = 0.524 stay: 125 - 8 = 117.
        Import-AtlasVolume -LiteralPath $files[1].FullName | Get-VoxelSum | Should -Be 117
        # Files come out as Get-Item gives them (provider properties), so the default view shows their size.
        $files[1].PSIsContainer | Should -BeExactly $false
        $files[1].PSPath | Should -BeLike '*FileSystem::*'
    }

    It 'keeps up-to-date outputs (still output) and regenerates with -Force' {
        $out = Join-Path $script:Out 'c0001s0001t01_LesionSmooth.nii.gz'
        $before = (Get-Item $out).LastWriteTimeUtc
        Start-Sleep -Milliseconds 30
        $again = @($script:Subject | Invoke-LesionSmooth -Destination $script:Out -Verbose 4>&1)
        ($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Select-Object -First 1).Message | Should -Match 'up to date \(newer than its inputs'
        @($again | Where-Object { $_ -is [System.IO.FileInfo] }).Count | Should -Be 2
        (Get-Item $out).LastWriteTimeUtc | Should -Be $before
        $script:Subject | Invoke-LesionSmooth -Destination $script:Out -Force | Out-Null
        (Get-Item $out).LastWriteTimeUtc | Should -BeGreaterThan $before
    }

    It 'rebuilds an output older than its raw mask without -Force, saying why' {
        $raw = $script:Subject.RawLesionMaskPaths[0]
        $out = Join-Path $script:Out 'c0001s0001t01_LesionSmooth.nii.gz'
        (Get-Item $raw).LastWriteTimeUtc = [datetime]::UtcNow.AddMinutes(5)
        $r = @($script:Subject | Invoke-LesionSmooth -Destination $script:Out -Verbose -ErrorVariable errs 4>&1)
        $errs.Count | Should -Be 0
        ($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like "Rebuilding $out*" }).Message | Should -Match "older than its input $([regex]::Escape($raw))"
        @($r | Where-Object { $_ -is [System.IO.FileInfo] }).Count | Should -Be 2
        Import-AtlasVolume -LiteralPath $out | Get-VoxelSum | Should -Be 19
    }

    It '-WhatIf writes nothing; subjects need -Destination, since their dataset is never written' {
        $dest = Join-Path $TestDrive 'smoothed'
        $script:Subject | Invoke-LesionSmooth -Destination $dest -WhatIf
        Test-Path $dest | Should -BeFalse
        { $script:Subject | Invoke-LesionSmooth } | Should -Throw -ErrorId 'DestinationRequired,*'
        { $script:Subject | Invoke-LesionSmooth -Destination (Join-Path $script:Subject.Root 'derived') -Force } | Should -Throw -ErrorId 'OutputInSourceDataset,*'
        @(Get-ChildItem -LiteralPath $script:Dir).Count | Should -Be 2
    }

    It 'returns volumes for paths, float32 maps for -Threshold 0' {
        $v = Invoke-LesionSmooth -LiteralPath $script:Subject.RawLesionMaskPaths[0]
        $v | Should -BeOfType Atlas.Core.Volumes.AtlasVolume
        $v | Get-VoxelSum | Should -Be 19
        $c = Invoke-LesionSmooth -LiteralPath $script:Subject.RawLesionMaskPaths[0] -Threshold 0
        $c.DataType.ToString() | Should -Be 'Float32'
        # Centre of the 3³ cube: (w0 + 2 w1)³ = 0.93943³ = 0.82909.
        $c.GetValue(5, 5, 7) | Should -BeGreaterThan 0.82908
        $c.GetValue(5, 5, 7) | Should -BeLessThan 0.82910
    }

    It 'smooths a 0.9 x 0.9 x 3 mm grid per axis' {
        # One-slice 9x9 plate: along z sigma = 0.283 voxel (w0 = 0.9961); in-plane corner 0.7113² · 0.9961 = 0.504: all 81 stay, nothing above or below.
        $p = Join-Path $TestDrive 'plate.nii.gz'
        $null = New-TestMask -Path $p -Dims @(21, 21, 9) -Spacing @(0.9, 0.9, 3) -Box @(, @(6, 14, 6, 14, 4, 4))
        Invoke-LesionSmooth -Path $p | Get-VoxelSum | Should -Be 81
        (Invoke-LesionSmooth -Path $p -EdgeCorrection None).GetValue(10, 10, 5) | Should -Be 0
    }

    It 'writes an error naming a file that is not an image and goes on' {
        $bad = Join-Path $TestDrive 'bad.nii'
        Set-Content -Path $bad -Value 'not an image, not at all, definitely too short for a header'
        $out = @(Invoke-LesionSmooth -LiteralPath $bad, $script:Subject.RawLesionMaskPaths[0] -ErrorVariable errs -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be $bad
        $errs[0].FullyQualifiedErrorId | Should -Match '^InvokeLesionSmoothFailed'
    }
}

Describe 'Invoke-LesionSmooth against the numpy reference' {
    BeforeAll {
        $script:Py = Get-DebianPython
        $script:Ref = Join-Path $PSScriptRoot 'reference/mricron_smooth.py'
        $script:RefDir = Join-Path $TestDrive 'ref'
        New-Item -ItemType Directory -Path $script:RefDir | Out-Null
        function script:Assert-SameAsReference([string] $Mask, [string] $Edge = 'zonly', [double] $Fwhm = 2) {
            $out = Join-Path $script:RefDir ([IO.Path]::GetFileName($Mask) -replace '\.(voi|nii(\.gz)?)$', "_ref_$Edge.nii.gz")
            $n = & $script:Py $script:Ref $Mask $out $Fwhm 0.5 $Edge
            $LASTEXITCODE | Should -Be 0
            $mode = @{ zonly = 'ZOnly'; all = 'All'; none = 'None' }[$Edge]
            $ours = (Invoke-LesionSmooth -LiteralPath $Mask -Fwhm $Fwhm -EdgeCorrection $mode).ToMask(0)
            $theirs = (Import-AtlasVolume -LiteralPath $out).ToMask(0)
            [System.Linq.Enumerable]::SequenceEqual($ours, $theirs) | Should -BeTrue -Because "$Mask ($Edge) must match the reference voxel for voxel"
            [int]$n | Should -BeGreaterThan 0
        }
    }

    It 'matches on blobs that touch the Z borders, in every edge mode' {

        if ($why = Get-PeerSkipReason python -Module numpy, scipy) { Set-ItResult -Skipped -Because $why; return }
        # Blobs cut by k = 0 and k = 11 exercise the Z edge correction; an x-border blob the X/Y modes.
        $p = Join-Path $script:RefDir 'border.nii.gz'
        $null = New-TestMask -Path $p -Dims @(24, 22, 12) -Box @(@(3, 9, 4, 10, 0, 3), @(14, 20, 12, 18, 8, 11), @(0, 2, 2, 6, 5, 7), @(11, 11, 11, 12, 6, 6))
        foreach ($e in 'zonly', 'all', 'none') { Assert-SameAsReference -Mask $p -Edge $e }
        Assert-SameAsReference -Mask $p -Edge zonly -Fwhm 4
    }

    It 'matches on a 0.9 x 0.9 x 3 mm mask and on .voi masks' {

        if ($why = Get-PeerSkipReason python -Module numpy, scipy) { Set-ItResult -Skipped -Because $why; return }
        $p = Join-Path $script:RefDir 'aniso.nii.gz'
        $null = New-TestMask -Path $p -Dims @(30, 28, 10) -Spacing @(0.9, 0.9, 3) -Box @(@(5, 14, 5, 12, 0, 2), @(16, 25, 14, 22, 4, 9), @(3, 3, 20, 21, 5, 5))
        Assert-SameAsReference -Mask $p
        $s = New-Subject -Root (Join-Path $TestDrive 'refsub') -Id 'c0002s0001t01'
        foreach ($raw in $s.RawLesionMaskPaths) { Assert-SameAsReference -Mask $raw }
    }

    It 'matches on the raw masks of the sample dataset' {

        if ($why = Get-PeerSkipReason python -Module numpy, scipy) { Set-ItResult -Skipped -Because $why; return }
        $sample = New-TestSampleDataset -Path (Join-Path $TestDrive 'refsample') -SubjectCount 4
        $raws = @(Get-ChildItem -Path $sample.Root -Recurse -Filter '*_LesionRaw*.voi')
        $raws.Count | Should -BeGreaterThan 0
        foreach ($r in $raws) { Assert-SameAsReference -Mask $r.FullName }
    }
}

Describe 'Get-LesionComponent' {
    BeforeAll {
        # Three lesions: 3x3x2 = 18, 2x2x2 = 8, and two voxels touching only at a corner.
        $script:CompPath = Join-Path $TestDrive 'comp_LesionSmooth.nii.gz'
        $null = New-TestMask -Path $script:CompPath -Box @(@(1, 2, 1, 2, 1, 2), @(10, 12, 10, 12, 10, 11), @(16, 16, 16, 16, 2, 2), @(17, 17, 17, 17, 3, 3))
    }

    It 'ranks lesions largest first with sizes, centroids and boxes' {
        $c = @(Get-LesionComponent -Path $script:CompPath)
        $c.Count | Should -Be 3
        $c.VoxelCount | Should -Be @(18, 8, 2)
        ($c | ForEach-Object Rank) | Should -Be @(1, 2, 3)
        $c[0].CentroidXMm | Should -Be 11
        $c[0].BoundingBox | Should -Be '10-12,10-12,10-11'
        $c[0].VolumeMm3 | Should -Be 18
    }

    It 'honours -Connectivity and -MinimumVoxels' {
        @(Get-LesionComponent -Path $script:CompPath -Connectivity 6).Count | Should -Be 4
        @(Get-LesionComponent -Path $script:CompPath -Connectivity 18).Count | Should -Be 4
        @(Get-LesionComponent -Path $script:CompPath -MinimumVoxels 3).Count | Should -Be 2
    }

    It 'writes one mask per lesion named as the archive does' {
        $dest = Join-Path $TestDrive 'lesions'
        $c = @(Get-LesionComponent -Path $script:CompPath -Destination $dest)
        $names = $c | ForEach-Object { Split-Path $_.OutputPath -Leaf }
        $names | Should -Be @('comp_LesionSmooth.nii.gz', 'comp_LesionSmooth_1.nii.gz', 'comp_LesionSmooth_2.nii.gz')
        Import-AtlasVolume -LiteralPath $c[1].OutputPath | Get-VoxelSum | Should -Be 8
    }

    It '-WhatIf writes no lesion file' {
        $dest = Join-Path $TestDrive 'lesions-whatif'
        $c = @(Get-LesionComponent -Path $script:CompPath -Destination $dest -WhatIf)
        $c.Count | Should -Be 3
        Test-Path $dest | Should -BeFalse
    }

    It 'refuses to write a lesion file over its own input' {
        Get-LesionComponent -Path $script:CompPath -Destination (Split-Path $script:CompPath) -ErrorVariable errs -ErrorAction SilentlyContinue | Out-Null
        $errs[0].FullyQualifiedErrorId | Should -Match '^OutputIsInput'
    }
}

Describe 'Merge-AtlasLesion' {
    BeforeAll { $script:S2 = New-Subject -Root (Join-Path $TestDrive 'merge') -Id 'c0001s0002t01' }

    It 'unions a subject''s masks or labels them' {
        $u = $script:S2 | Merge-AtlasLesion -MaskKind LesionRaw
        $u | Get-VoxelSum | Should -Be (27 + 125)
        $l = $script:S2 | Merge-AtlasLesion -AsLabelMap
        $l.GetValue(5, 5, 7) | Should -Be 1
        $l.GetValue(13, 13, 7) | Should -Be 2
        $l.GetValue(0, 0, 0) | Should -Be 0
    }

    It 'writes files and names both files when grids differ' {
        $out = Join-Path $TestDrive 'merged.nii.gz'
        Merge-AtlasLesion -LiteralPath $script:S2.RawLesionMaskPaths -OutputPath $out -WhatIf
        Test-Path $out | Should -BeFalse
        $f = Merge-AtlasLesion -LiteralPath $script:S2.RawLesionMaskPaths -OutputPath $out
        $f.FullName | Should -Be $out
        Import-AtlasVolume -LiteralPath $out | Get-VoxelSum | Should -Be 152
        $dest = Join-Path $TestDrive 'merged-subjects'
        (@($script:S2 | Merge-AtlasLesion -Destination $dest))[0].Name | Should -Be 'c0001s0002t01_LesionMerged.nii.gz'
        $other = Join-Path $TestDrive 'other_grid.nii.gz'
        $null = New-TestMask -Path $other -Dims @(20, 20, 17)
        Merge-AtlasLesion -LiteralPath $script:S2.RawLesionMaskPaths[0], $other -ErrorVariable errs -ErrorAction SilentlyContinue | Out-Null
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($errs[0])" | Should -Match 'other_grid\.nii\.gz'
        "$($errs[0])" | Should -Match 'c0001s0002t01_LesionRaw\.voi'
    }

    It 'labels wildcard matches in natural order (_2 before _10), so labels follow the mask numbers' {
        $d = Join-Path $TestDrive 'natural'
        New-Item -ItemType Directory -Path $d | Out-Null
        $g = [Atlas.Core.Volumes.Grid]::Create(12, 1, 1, 1, 1, 1)
        foreach ($n in 1..11) {
            $m = [byte[]]::new(12); $m[$n] = 1
            [Atlas.Core.Nifti.NiftiWriter]::Write([Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $m, $null), (Join-Path $d "c0001s0001t01_LesionSmooth_$n.nii.gz"), $null)
        }
        $l = Merge-AtlasLesion -Path (Join-Path $d '*.nii.gz') -AsLabelMap
        (1..11 | ForEach-Object { $l.GetValue($_, 0, 0) }) | Should -Be (1..11)
    }

    It 'refuses an output parameter that does not apply to the input instead of ignoring it' {
        $out = Join-Path $TestDrive 'subject-to-outputpath.nii.gz'
        $r = $script:S2 | Merge-AtlasLesion -OutputPath $out -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        Test-Path $out | Should -BeFalse
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutputPathForSubject,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$($errs[0])" | Should -Match 'Destination'
        $dest = Join-Path $TestDrive 'files-to-destination'
        $r = Merge-AtlasLesion -LiteralPath $script:S2.RawLesionMaskPaths -Destination $dest -ErrorVariable errs2 -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs2[0].FullyQualifiedErrorId | Should -BeLike 'DestinationForMasks,*'
        $errs2[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs2[0].TargetObject | Should -Be $dest
    }
}

Describe 'Invoke-LesionFill' {
    BeforeAll {
        # Dumbbell: two 5³ cubes of 100 joined by a one-voxel bridge (see LesionFillTests).
        $g = [Atlas.Core.Volumes.Grid]::Create(20, 9, 9, 1, 1, 1)
        $d = [float[]]::new($g.VoxelCount)
        for ($k = 2; $k -le 6; $k++) { for ($j = 2; $j -le 6; $j++) { for ($i = 2; $i -le 6; $i++) { $d[$g.Index($i, $j, $k)] = 100; $d[$g.Index($i + 10, $j, $k)] = 100 } } }
        for ($i = 7; $i -le 11; $i++) { $d[$g.Index($i, 4, 4)] = 100 }
        $script:Img = [Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, $d, $null)
    }

    It 'leaks through a thin bridge; -ErodeDilateCycles cuts it' {
        Invoke-LesionFill -Image $script:Img -Seed 4, 4, 4 -EdgeDifference 60 -OriginDifference 60 | Get-VoxelSum | Should -Be 255
        Invoke-LesionFill -Image $script:Img -Seed 4, 4, 4 -EdgeDifference 60 -OriginDifference 60 -ErodeDilateCycles 1 | Get-VoxelSum | Should -Be 82
        Invoke-LesionFill -Image $script:Img -SeedMm 4, 4, 4 -RadiusMm 1.5 -EdgeDifference 100 -OriginDifference 100 | Get-VoxelSum | Should -Be 19
    }

    It 'reports a seed outside the image' {
        Invoke-LesionFill -Image $script:Img -Seed 40, 4, 4 -ErrorVariable errs -ErrorAction SilentlyContinue | Out-Null
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Invoke-LesionWhiteMatterCorrection' {
    It 'removes lesion voxels inside the white-matter band (hand-worked)' {
        # See WhiteMatterCorrectionTests.HandWorkedBand: mean 200, band 6, two of five lesion voxels removed.
        $g = [Atlas.Core.Volumes.Grid]::Create(9, 1, 1, 1, 1, 1)
        $t1 = [Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, [float[]]@(0, 255, 198, 202, 195, 194, 205.9, 206, 100), $null)
        $wm = [Atlas.Core.Volumes.AtlasVolume]::FromMask($g, [byte[]]@(0, 0, 1, 1, 1, 1, 1, 1, 1), $null)
        $les = [Atlas.Core.Volumes.AtlasVolume]::FromMask($g, [byte[]]@(0, 0, 0, 0, 1, 1, 1, 1, 1), $null)
        $out = Join-Path $TestDrive 'wmc.nii.gz'
        $r = Invoke-LesionWhiteMatterCorrection -T1 $t1 -Mask $les -WhiteMatterMask $wm -OutputPath $out
        $r.Band | Should -Be 6
        $r.RemovedVoxels | Should -Be 2
        $r.PercentRemoved | Should -Be 40
        $r.OutputPath | Should -Be $out
        Import-AtlasVolume -LiteralPath $out | Get-VoxelSum | Should -Be 3
        $csv = $r | ConvertTo-Csv | ConvertFrom-Csv
        $csv.CorrectedVolumeMm3 | Should -Be '3'
        # Made from volumes in memory, the output is rebuilt from the files; then it is up to date: kept, and the
        # record of the correction that made it still output; -WhatIf -Force writes nothing.
        $t1Path = Join-Path $TestDrive 'wm_t1.nii'; $lesPath = Join-Path $TestDrive 'wm_les.nii'; $wmPath = Join-Path $TestDrive 'wm_wm.nii'
        [Atlas.Core.Nifti.NiftiWriter]::Write($t1, $t1Path, $null); [Atlas.Core.Nifti.NiftiWriter]::Write($les, $lesPath, $null)
        [Atlas.Core.Nifti.NiftiWriter]::Write($wm, $wmPath, $null)
        $wm = $wmPath
        Start-Sleep -Milliseconds 20
        $again = Invoke-LesionWhiteMatterCorrection -T1 $t1Path -Mask $lesPath -WhiteMatterMask $wm -OutputPath $out -ErrorVariable errs
        $errs.Count | Should -Be 0
        $again.RemovedVoxels | Should -Be 2
        $before = (Get-Item $out).LastWriteTimeUtc
        $kept = Invoke-LesionWhiteMatterCorrection -T1 $t1Path -Mask $lesPath -WhiteMatterMask $wm -OutputPath $out
        (Get-Item $out).LastWriteTimeUtc | Should -Be $before
        $kept.RemovedVoxels | Should -Be 2
        $kept.CorrectedVolumeMm3 | Should -Be 3
        $kept.OutputPath | Should -Be $out
        Invoke-LesionWhiteMatterCorrection -T1 $t1Path -Mask $lesPath -WhiteMatterMask $wm -OutputPath $out -Force -WhatIf | Out-Null
        (Get-Item $out).LastWriteTimeUtc | Should -Be $before
        # The default table names the mask when there is no subject.
        Invoke-LesionWhiteMatterCorrection -T1 $t1Path -Mask $lesPath -WhiteMatterMask $wm | Out-String -Width 200 | Should -Match 'wm_les\.nii\s'
    }

    It 'estimates white matter by k-means without a mask' {
        # Synthetic brain (see WhiteMatterCorrectionTests.KMeansFindsWhiteMatter in spirit): three tissue
        # levels 30/80/150 in slabs along i; a lesion half in "grey" (80), half in "white" (150).
        $g = [Atlas.Core.Volumes.Grid]::Create(24, 6, 6, 1, 1, 1)
        $t = [float[]]::new($g.VoxelCount); $l = [byte[]]::new($g.VoxelCount)
        for ($k = 0; $k -lt 6; $k++) { for ($j = 0; $j -lt 6; $j++) { for ($i = 2; $i -lt 24; $i++) {
            $t[$g.Index($i, $j, $k)] = if ($i -lt 8) { 30 } elseif ($i -lt 15) { 80 } else { 150 } } } }
        for ($i = 13; $i -le 16; $i++) { $l[$g.Index($i, 3, 3)] = 1 }
        $r = Invoke-LesionWhiteMatterCorrection -T1 ([Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, $t, $null)) -Mask ([Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $l, $null))
        $r.WhiteMatterSource | Should -Be 'KMeans3'
        $r.RemovedVoxels | Should -Be 2
        $r.GetMask() | Get-VoxelSum | Should -Be 2
    }
}

Describe 'Measure-Lesion' {
    BeforeAll { $script:S3 = New-Subject -Root (Join-Path $TestDrive 'measure') -Id 'c0001s0003t01' }

    It 'reports each mask of a subject with SubjectId and rank, flat for CSV' {
        $m = @($script:S3 | Measure-Lesion -MaskKind LesionRaw)
        $m.Count | Should -Be 2
        $m.SubjectId | Should -Be @('c0001s0003t01', 'c0001s0003t01')
        ($m | ForEach-Object Rank) | Should -Be @(1, 2)
        $m.VoxelCount | Should -Be @(27, 125)
        $m[0].CentroidXMm | Should -Be 5
        $m[1].VolumeMl | Should -Be 0.125
        $csvPath = Join-Path $TestDrive 'report.csv'
        $m | Export-Csv -Path $csvPath -NoTypeInformation
        $rows = Import-Csv $csvPath
        $rows[1].VoxelCount | Should -Be '125'
        ($rows[0].PSObject.Properties.Name -join ',') | Should -Not -Match 'Regions|System\.'
    }

    It 'names the mask of each row in the default tables when files come without a subject' {
        $raw = $script:S3.RawLesionMaskPaths
        # Files whose names say nothing of a scan (ATLAS-named files carry their scan's id: Pipelines.Tests.ps1).
        $plainDir = Join-Path $TestDrive 'plain-names'
        $null = New-Item -ItemType Directory -Force -Path $plainDir
        $plain = @(Join-Path $plainDir 'tracing-a.voi'; Join-Path $plainDir 'tracing-b.voi')
        Copy-Item -LiteralPath $raw[0] -Destination $plain[0]; Copy-Item -LiteralPath $raw[1] -Destination $plain[1]
        $text = Get-ChildItem -LiteralPath $plain | Measure-Lesion | Out-String -Width 200
        $text | Should -Match 'tracing-a\.voi\s'
        $text | Should -Match 'tracing-b\.voi\s'
        $text = Get-ChildItem -LiteralPath $plain | Get-LesionComponent | Out-String -Width 200
        $text | Should -Match 'tracing-a\.voi\s'
        $text | Should -Match 'tracing-b\.voi\s'
        $text = Measure-LesionOverlap -Reference $raw[0] -Candidate $raw[1] -WarningAction SilentlyContinue | Out-String -Width 200
        # The candidate's whole file name, under its property's name (issue 11: headers are property names, names not cut).
        $text | Should -Match 'CandidatePath'
        $text | Should -Match 'c0001s0003t01_LesionRaw_1\.voi'
        # Subjects keep their id in that column.
        $script:S3 | Measure-Lesion -MaskKind LesionRaw | Out-String -Width 200 | Should -Match 'c0001s0003t01 '
    }

    It 'measures each lesion with -PerComponent' {
        $p = Join-Path $TestDrive 'two.nii.gz'
        $null = New-TestMask -Path $p -Box @(@(1, 2, 1, 1, 1, 1), @(8, 10, 8, 10, 8, 8))
        $m = @(Measure-Lesion -Path $p -PerComponent)
        $m.Component | Should -Be @(1, 2)
        $m.VoxelCount | Should -Be @(9, 2)
    }

    It 'tells left from right on the LAS-stored Harvard-Oxford atlas' {

        if ($why = Get-PeerSkipReason mricron-data -File HarvardOxford-cort-maxprob-thr0-1mm.nii.gz) { Set-ItResult -Skipped -Because $why; return }
        # nibabel: d = nib.load(HO).get_fdata(); m = d == 1; m[:100] = False -> 76003 voxels, centroid x -28.360 mm.
        $ho = Import-AtlasVolume -Path (Join-Path $script:Templates 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz')
        $mask = $ho.ToLabelMask(1, 0)
        for ($k = 0; $k -lt 182; $k++) { for ($j = 0; $j -lt 218; $j++) { [Array]::Clear($mask, $ho.Grid.Index(0, $j, $k), 100) } }
        $v = [Atlas.Core.Volumes.AtlasVolume]::FromMask($ho.Grid, $mask, $ho.Header)
        $r = $v | Measure-Lesion
        $r.VoxelCount | Should -Be 76003
        $r.Hemisphere | Should -Be 'Left'
        [math]::Round($r.CentroidXMm, 3) | Should -Be (-28.36)
    }

    It 'reports atlas regions and lesion load on AAL' {

        if ($why = Get-PeerSkipReason mricron-data -File aal.nii.gz) { Set-ItResult -Skipped -Because $why; return }
        # nibabel: (d == 73).sum() -> 7942 voxels (Putamen_L).
        $aalPath = Join-Path $script:Templates 'aal.nii.gz'
        $aal = Import-AtlasVolume -Path $aalPath
        $put = [Atlas.Core.Volumes.AtlasVolume]::FromMask($aal.Grid, $aal.ToLabelMask(73, 0), $aal.Header)
        $r = $put | Measure-Lesion -AtlasPath $aalPath -LabelPath (Join-Path $script:Templates 'aal.nii.txt')
        $r.VoxelCount | Should -Be 7942
        $r.PrimaryRegion | Should -Be 'Putamen_L'
        $r.Hemisphere | Should -Be 'Left'
        $rows = @($put | Measure-Lesion -AtlasPath $aalPath -LabelPath (Join-Path $script:Templates 'aal.nii.txt') -ExpandRegions)
        $rows.Count | Should -Be 1
        $rows[0].FractionOfRegion | Should -Be 1
    }

    It 'classifies location with a cortex mask' {
        $p = Join-Path $TestDrive 'loc.nii.gz'
        $cx = Join-Path $TestDrive 'cortex.nii.gz'
        $null = New-TestMask -Path $p -Box @(@(1, 2, 1, 1, 1, 1), @(8, 10, 8, 10, 8, 8))
        $null = New-TestMask -Path $cx -Box @(, @(10, 10, 10, 10, 8, 8))
        (Measure-Lesion -Path $p -PerComponent -CortexMask $cx).Location | Should -Be @('Cortical', 'Subcortical')
    }

    It 'stops with a clear error when the atlas is missing' {
        { Measure-Lesion -Path (Join-Path $TestDrive 'loc.nii.gz') -AtlasPath (Join-Path $TestDrive 'nope.nii.gz') -ErrorAction Stop } | Should -Throw '*nope.nii.gz*'
    }

    It 'names the missing label file as the error target, not the atlas' {
        $atlas = Join-Path $TestDrive 'loc.nii.gz'
        $labels = Join-Path $TestDrive 'no-labels.txt'
        $err = $null
        try { Measure-Lesion -Path $atlas -AtlasPath $atlas -LabelPath $labels -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.TargetObject | Should -Be $labels
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'New-LesionOverlapMap and Merge-LesionOverlapMap' {
    BeforeAll {
        $script:OvDir = Join-Path $TestDrive 'ov'
        New-Item -ItemType Directory -Path $script:OvDir | Out-Null
        # Five masks on 8x8x4: mask n covers i in 0..n, j in 0..3, k = 1 (nested strips).
        $script:Masks = foreach ($n in 0..4) {
            $p = Join-Path $script:OvDir "m$n.nii.gz"
            $null = New-TestMask -Path $p -Dims @(8, 8, 4) -Box @(, @(0, $n, 0, 3, 1, 1))
            $p
        }
    }

    It 'writes count and proportion maps in one pass' {
        $out = Join-Path $TestDrive 'overlap.nii.gz'
        $r = $script:Masks | New-LesionOverlapMap -OutputPath $out
        $r.MaskCount | Should -Be 5
        $r.MaxCount | Should -Be 5
        $r.CountPath | Should -Be (Join-Path $TestDrive 'overlap_count.nii.gz')
        $p = Import-AtlasVolume -LiteralPath $out
        $p.GetValue(0, 0, 1) | Should -Be 1          # in all five
        [math]::Round($p.GetValue(2, 0, 1), 6) | Should -Be 0.6   # masks 2, 3, 4
        $p.GetValue(5, 0, 1) | Should -Be 0
        (Import-AtlasVolume -LiteralPath $r.CountPath).GetValue(3, 3, 1) | Should -Be 2
    }

    It 'refuses -CountPath equal to -OutputPath, and counts a file given twice once' {
        $same = Join-Path $TestDrive 'same.nii.gz'
        $r = $script:Masks | New-LesionOverlapMap -OutputPath $same -CountPath $same -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        Test-Path $same | Should -BeFalse
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$($errs[0])" | Should -Match 'CountPath'
        $r = New-LesionOverlapMap -LiteralPath ($script:Masks + $script:Masks[0]) -OutputPath (Join-Path $TestDrive 'dup.nii.gz') -ErrorVariable errs2 -ErrorAction SilentlyContinue
        $r.MaskCount | Should -Be 5
        $r.MaxCount | Should -Be 5
        $errs2[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateInput,*'
        $errs2[0].TargetObject | Should -Be $script:Masks[0]
        $part = Join-Path $TestDrive 'dup-part.nii.gz'
        $null = $script:Masks | New-LesionOverlapMap -OutputPath $part -Partial
        $m = Merge-LesionOverlapMap -LiteralPath $part, $part -OutputPath (Join-Path $TestDrive 'dup-merged.nii.gz') -ErrorVariable errs3 -ErrorAction SilentlyContinue
        $m.MaskCount | Should -Be 5
        $errs3[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateInput,*'
        $m = Merge-LesionOverlapMap -LiteralPath $part -OutputPath (Join-Path $TestDrive 'm-same.nii.gz') -CountPath (Join-Path $TestDrive 'm-same.nii.gz') -ErrorVariable errs4 -ErrorAction SilentlyContinue
        $m | Should -BeNullOrEmpty
        $errs4[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'merges shards exactly into the one-pass maps' {
        $a = Join-Path $TestDrive 'part_a.nii.gz'; $b = Join-Path $TestDrive 'part_b.nii.gz'
        $script:Masks[0..1] | New-LesionOverlapMap -OutputPath $a -Partial | Out-Null
        $script:Masks[2..4] | New-LesionOverlapMap -OutputPath $b -Partial | Out-Null
        $m = Merge-LesionOverlapMap -Path (Join-Path $TestDrive 'part_*.nii.gz') -OutputPath (Join-Path $TestDrive 'merged.nii.gz')
        $m.MaskCount | Should -Be 5
        $one = (Import-AtlasVolume -LiteralPath (Join-Path $TestDrive 'overlap.nii.gz')).ToFloat32(0)
        $two = (Import-AtlasVolume -LiteralPath (Join-Path $TestDrive 'merged.nii.gz')).ToFloat32(0)
        [System.Linq.Enumerable]::SequenceEqual($one, $two) | Should -BeTrue
        # New-LesionOverlapMap accepts partial maps too.
        $r = New-LesionOverlapMap -LiteralPath $a, $b -OutputPath (Join-Path $TestDrive 'again.nii.gz')
        $r.MaskCount | Should -Be 5
    }

    It 'names a mask on another grid and writes no map, or skips it with -SkipMismatched and writes the map' {
        $odd = Join-Path $script:OvDir 'odd.nii.gz'
        $null = New-TestMask -Path $odd -Dims @(8, 8, 5)
        $outDir = Join-Path $TestDrive 'mismatch-out'
        New-Item -ItemType Directory -Path $outDir | Out-Null
        $r = @($script:Masks[0], $odd) | New-LesionOverlapMap -OutputPath (Join-Path $outDir 'x.nii.gz') -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs.Count | Should -Be 2
        $errs[0].TargetObject | Should -Be $odd
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GridMismatch*'
        $errs[1].FullyQualifiedErrorId | Should -BeLike 'OverlapMapNotWritten*'
        "$($errs[1])" | Should -Match 'SkipMismatched'
        # No map, no count map, no temporary file.
        @(Get-ChildItem -LiteralPath $outDir -Force) | Should -BeNullOrEmpty
        $r2 = @($script:Masks[0], $odd) | New-LesionOverlapMap -OutputPath (Join-Path $outDir 'y.nii.gz') -SkipMismatched -WarningVariable w -WarningAction SilentlyContinue
        ($w -join ' ') | Should -Match 'odd\.nii\.gz'
        $r2.SkippedCount | Should -Be 1
        $r2.MaskCount | Should -Be 1
        Test-Path (Join-Path $outDir 'y.nii.gz') | Should -BeTrue
    }

    It 'reruns: keeps maps newer than their mask files, rebuilds them when inputs are in memory' {
        $out = Join-Path $TestDrive 'rerun.nii.gz'
        $null = $script:Masks | New-LesionOverlapMap -OutputPath $out
        $before = (Get-Item $out).LastWriteTimeUtc
        $again = $script:Masks | New-LesionOverlapMap -OutputPath $out -Verbose 4>&1
        ($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join ' ' | Should -Match 'newer than its inputs'
        (Get-Item $out).LastWriteTimeUtc | Should -Be $before
        $vols = $script:Masks | ForEach-Object { Import-AtlasVolume -LiteralPath $_ } | ForEach-Object { [Atlas.Core.Volumes.AtlasVolume]::FromMask($_.Grid, $_.ToMask(0), $null) }
        $r = $vols | New-LesionOverlapMap -OutputPath $out -Verbose -ErrorVariable errs 4>&1
        $errs.Count | Should -Be 0
        ($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join ' ' | Should -Match 'Rebuilding .*volumes in memory'
        (Get-Item $out).LastWriteTimeUtc | Should -BeGreaterThan $before
    }

    It 'honours -WhatIf and refuses a non-partial map to merge' {
        $script:Masks | New-LesionOverlapMap -OutputPath (Join-Path $TestDrive 'wi.nii.gz') -WhatIf | Out-Null
        Test-Path (Join-Path $TestDrive 'wi.nii.gz') | Should -BeFalse
        Merge-LesionOverlapMap -LiteralPath $script:Masks[0] -OutputPath (Join-Path $TestDrive 'z.nii.gz') -ErrorVariable errs -ErrorAction SilentlyContinue | Out-Null
        $errs[0].TargetObject | Should -Be $script:Masks[0]
        Test-Path (Join-Path $TestDrive 'z.nii.gz') | Should -BeFalse
    }
}

Describe 'A 4D image given as a mask' {
    It 'is measured on its first frame, with a warning naming the file (<Command>)' -ForEach @(
        @{ Command = 'Measure-Lesion' }
        @{ Command = 'Get-LesionComponent' }
    ) {
        # Frame 0 holds one 2-voxel lesion; frame 1 a single voxel elsewhere, which must not count.
        $g = [Atlas.Core.Volumes.Grid]::Create(4, 4, 4, 1, 1, 1)
        $h = [Atlas.Core.Volumes.AtlasVolume]::MakeHeader($g, 'UInt8', $null)
        $h.Dim[0] = 4; $h.Dim[4] = 2
        $data = [byte[]]::new(128); $data[5] = 1; $data[6] = 1; $data[64 + 40] = 1
        $p = Join-Path $TestDrive "four_$Command.nii.gz"
        [Atlas.Core.Nifti.NiftiWriter]::Write([Atlas.Core.Volumes.AtlasVolume]::new($h, $data, $null, $null), $p, $null)
        $rows = @(& $Command -Path $p -WarningVariable w -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 1
        $rows[0].VoxelCount | Should -Be 2
        @($w).Count | Should -Be 1
        "$($w[0])" | Should -BeLike "*four_$Command.nii.gz*4D image with 2 frames*"
    }
}

Describe 'Work ahead of the pipeline (issue 15): results in input order, failures where they happened' {
    BeforeAll {
        # 14 masks whose sizes say which is which: mask n is a row of n + 1 voxels; mask 6 is not an image.
        $script:AheadDir = Join-Path $TestDrive 'ahead'
        New-Item -ItemType Directory -Path $AheadDir -Force | Out-Null
        $script:AheadFiles = for ($n = 0; $n -lt 14; $n++) {
            $p = Join-Path $AheadDir ('m{0:D2}.nii.gz' -f $n)
            if ($n -eq 6) { Set-Content -LiteralPath $p -Value 'not an image' }
            else { $null = New-TestMask -Path $p -Box @(2, (2 + $n), 8, 8, 8, 8) -Dims @(24, 16, 16) }
            $p
        }
    }

    It 'Measure-Lesion: one row per good mask, in input order, and one error naming the broken file' {
        $errs = $null
        $rows = @($AheadFiles | Measure-Lesion -ErrorVariable errs -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 13
        ($rows | ForEach-Object { Split-Path -Leaf $_.MaskPath }) -join ',' | Should -Be ((0..13 | Where-Object { $_ -ne 6 } | ForEach-Object { 'm{0:D2}.nii.gz' -f $_ }) -join ',')
        ($rows | ForEach-Object VoxelCount) -join ',' | Should -Be ((0..13 | Where-Object { $_ -ne 6 } | ForEach-Object { $_ + 1 }) -join ',')
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -BeLike '*m06.nii.gz'
    }

    It 'Measure-Lesion: the error comes out between the rows of the masks before and after it' {
        # Merged into the output stream, the failure of mask 6 sits after mask 5's row and before mask 7's.
        $all = @($AheadFiles | Measure-Lesion -ErrorAction Continue 2>&1)
        $at = 0..($all.Count - 1) | Where-Object { $all[$_] -is [System.Management.Automation.ErrorRecord] }
        @($at).Count | Should -Be 1
        $all[$at - 1].VoxelCount | Should -Be 6
        $all[$at + 1].VoxelCount | Should -Be 8
    }

    It 'Invoke-LesionSmooth -Destination: the written files come out in input order; -ErrorAction Stop stops at the broken one' {
        $dest = Join-Path $TestDrive 'ahead_out'
        $out = @($AheadFiles | Invoke-LesionSmooth -Destination $dest -ErrorAction SilentlyContinue)
        ($out | ForEach-Object Name) -join ',' | Should -Be ((0..13 | Where-Object { $_ -ne 6 } | ForEach-Object { 'm{0:D2}_smooth.nii.gz' -f $_ }) -join ',')
        # The records are written off the pipeline thread, and all of them are there when the cmdlet returns:
        # a rerun keeps every file as up to date.
        foreach ($f in $out) { Test-Path -LiteralPath (Join-Path $dest ('.' + $f.Name + '.atlas.json')) | Should -BeTrue }
        $again = @($AheadFiles | Invoke-LesionSmooth -Destination $dest -ErrorAction SilentlyContinue -Verbose 4>&1)
        @($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Kept existing*' }).Count | Should -Be 13
        $dest2 = Join-Path $TestDrive 'ahead_stop'
        { $AheadFiles | Invoke-LesionSmooth -Destination $dest2 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*m06*'
        # Masks 0-5 were emitted before the failure; work already running ahead may have finished its (atomic) writes,
        # but no temporary or partial file is left, and every file there reads back.
        $left = @(Get-ChildItem -LiteralPath $dest2 -File | Where-Object Name -NotLike '*.atlas.json')
        foreach ($n in 0..5) { $left.Name | Should -Contain ('m{0:D2}_smooth.nii.gz' -f $n) }
        foreach ($f in $left) { $f.Name | Should -Match '^m\d\d_smooth\.nii\.gz$'; { Import-AtlasVolume -LiteralPath $f.FullName } | Should -Not -Throw }
    }

    It 'Measure-LesionOverlap: pairs come out in input order' {
        $good = @($AheadFiles | Where-Object { $_ -notlike '*m06*' })
        $pairs = for ($i = 0; $i -lt $good.Count; $i++) { [pscustomobject]@{ Reference = $good[$i]; Candidate = $good[0] } }
        $rows = @($pairs | Measure-LesionOverlap)
        # Row n (mask of n + 1 voxels against the 1-voxel mask 0, both on row j = k = 8 from i = 2): Dice = 2 / (n + 2).
        ($rows | ForEach-Object ReferenceVoxels) -join ',' | Should -Be ((0..13 | Where-Object { $_ -ne 6 } | ForEach-Object { $_ + 1 }) -join ',')
        $rows[4].Dice | Should -Be (2.0 / 6)
    }
}
