# ConvertTo-AtlasStandardSpace on the sample's phantom scans (the head moved by known affines, with bias
# fields and lesions): files, geometry, the recovered transform against the truth, reruns, bad input.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Native = Join-Path $TestDrive 'native'
    $script:Sample = New-AtlasSampleDataset -Destination $script:Native -SubjectCount 1 -Seed 5 -Standardization
    $script:Std = Join-Path $TestDrive 'standard'
    $script:Subjects = @(Get-AtlasSubject -Path $script:Native)
    $script:Out = @($script:Subjects | ConvertTo-AtlasStandardSpace -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -Destination $script:Std -WarningVariable script:Warn)
    $script:Template = Import-AtlasVolume -LiteralPath $script:Sample.TemplatePath
}

Describe 'ConvertTo-AtlasStandardSpace' {
    It 'outputs one standardized subject per scan, keeping SubjectId, Session and metadata' {
        $script:Out.Count | Should -Be $script:Subjects.Count
        $script:Out[0].SubjectId | Should -Be $script:Subjects[0].SubjectId
        $script:Out[0].Session | Should -Be $script:Subjects[0].Session
        $script:Out[0].Space | Should -Be 'MNI152'
        $script:Out[0].Verdict | Should -BeIn 'Good', 'Suspect', 'Failed'
    }

    It 'a rerun rewrites nothing and still outputs the scans with their verdicts' {
        $before = Get-ChildItem -LiteralPath $script:Std -Recurse -File | ForEach-Object { [pscustomobject]@{ P = $_.FullName; T = $_.LastWriteTimeUtc } }
        $again = @($script:Subjects | ConvertTo-AtlasStandardSpace -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -Destination $script:Std)
        $again.Count | Should -Be $script:Subjects.Count
        $again[0].Verdict | Should -Be $script:Out[0].Verdict
        $again[0].FinalCost | Should -Be $script:Out[0].FinalCost
        foreach ($f in $before) { (Get-Item -LiteralPath $f.P).LastWriteTimeUtc | Should -Be $f.T -Because $f.P }
    }

    It 'writes a dataset Get-AtlasSubject reads back, with the metadata sheet' {
        $back = @(Get-AtlasSubject -Path $script:Std)
        $back.Count | Should -Be $script:Subjects.Count
        $back[0].ScanId | Should -Be $script:Subjects[0].ScanId
        $back[0].RawLesionMaskPaths.Count | Should -Be $script:Subjects[0].RawLesionMaskPaths.Count
        $back[0].SmoothLesionMaskPaths.Count | Should -Be $script:Subjects[0].SmoothLesionMaskPaths.Count
        $back[0].HasMetadata | Should -BeTrue
        $back[0].Hemisphere | Should -Be $script:Subjects[0].Hemisphere
    }

    It 'puts the T1 and every mask on the template grid, masks binary' {
        $s = $script:Out[0]
        (Import-AtlasVolume -LiteralPath $s.T1Path -HeaderOnly).Grid.Matches($script:Template.Grid) | Should -BeTrue
        foreach ($m in @($s.RawLesionMaskPaths) + @($s.SmoothLesionMaskPaths)) {
            $v = Import-AtlasVolume -LiteralPath $m
            $v.Grid.Matches($script:Template.Grid) | Should -BeTrue -Because $m
            @([Linq.Enumerable]::Distinct([float[]]$v.ToFloat32()) | Sort-Object) | Should -Be @(0, 1) -Because "$m stays binary"
        }
    }

    It 'recovers the known affine (RMS over the template brain within 1.5 mm) and writes it as ITK text' {
        $s = $script:Out[0]
        (Get-Content -LiteralPath $s.TransformPath -TotalCount 1) | Should -Be '#Insight Transform File V1.0'
        $s.TransformPath | Should -BeLike "*$($s.ScanId)_from-T1w_to-sampletemplateT1w_mode-image_xfm.txt"
        $est = [Atlas.Core.Spatial.TransformFiles]::Read($s.TransformPath, 'Auto', $null, $null).Matrix
        $truthFile = Join-Path $script:Subjects[0].Directory ([Atlas.Core.Samples.SampleDataset]::TruthFileName($s.ScanId))
        $rows = @(Get-Content -LiteralPath $truthFile | Where-Object { $_ -notmatch '^#' -and $_.Trim() })
        $truth = [double[,]]::new(4, 4)
        for ($i = 0; $i -lt 4; $i++) { $f = $rows[$i].Trim() -split '\s+'; for ($j = 0; $j -lt 4; $j++) { $truth[$i, $j] = [double]::Parse($f[$j], [Globalization.CultureInfo]::InvariantCulture) } }
        $brain = (Import-AtlasVolume -LiteralPath $script:Sample.TemplateMaskPath).ToMask()
        $rms = [Atlas.Core.Spatial.Registration.SyntheticMove]::RmsErrorMm($est, $truth, $script:Template.Grid, $brain)
        $rms | Should -BeLessThan 1.5
    }

    It 'defaces: face voxels of the template space are zero, brain voxels are not touched' {
        $face = [Atlas.Core.Spatial.StandardSpace]::FaceRegion($script:Template, (Import-AtlasVolume -LiteralPath $script:Sample.TemplateMaskPath))
        $brain = (Import-AtlasVolume -LiteralPath $script:Sample.TemplateMaskPath).ToMask()
        $t1 = (Import-AtlasVolume -LiteralPath $script:Out[0].T1Path).ToFloat32()
        Add-Type -TypeDefinition 'public static class FaceCount { public static long[] Of(byte[] f, float[] t, byte[] b) { long n = 0, nz = 0, o = 0; for (int i = 0; i < f.Length; i++) if (f[i] != 0) { n++; if (t[i] != 0) nz++; if (b[i] != 0) o++; } return new[] { n, nz, o }; } }' -ErrorAction SilentlyContinue
        $faceCount, $nonZeroFace, $overlap = [FaceCount]::Of($face, $t1, $brain)
        $faceCount | Should -BeGreaterThan 100
        $nonZeroFace | Should -Be 0
        $overlap | Should -Be 0
    }

    It 'writes registration.tsv with one row per scan' {
        $rows = @(Import-Csv -LiteralPath (Join-Path $script:Std 'registration.tsv') -Delimiter "`t")
        $rows.Count | Should -Be $script:Subjects.Count
        $rows[0].ScanId | Should -Be $script:Subjects[0].ScanId
        [double]$rows[0].BrainOverlap | Should -BeGreaterThan 0.9
    }

    It '-WhatIf writes nothing' {
        $dest = Join-Path $TestDrive 'whatif'
        $null = $script:Subjects | ConvertTo-AtlasStandardSpace -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -Destination $dest -WhatIf
        Test-Path $dest | Should -BeFalse
    }

    It 'a template that is not an image is a clear error naming it' {
        $bad = Join-Path $TestDrive 'not-an-image.nii.gz'
        Set-Content -LiteralPath $bad -Value 'hello'
        $err = { $script:Subjects | ConvertTo-AtlasStandardSpace -Template $bad -TemplateMask $script:Sample.TemplateMaskPath -Destination (Join-Path $TestDrive 'x') } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -BeLike "*not-an-image.nii.gz*"
    }

    It 'a brain mask without a brain is an error naming it' {
        $empty = Join-Path $TestDrive 'empty-mask.nii.gz'
        $m = Import-AtlasVolume -LiteralPath $script:Sample.TemplateMaskPath
        [Atlas.Core.Volumes.AtlasVolume]::FromMask($m.Grid, [byte[]]::new($m.Grid.VoxelCount)) | Export-AtlasVolume -OutputPath $empty
        $err = { $script:Subjects | ConvertTo-AtlasStandardSpace -Template $script:Sample.TemplatePath -TemplateMask $empty -Destination (Join-Path $TestDrive 'y') } | Should -Throw -PassThru
        $err.Exception.Message | Should -BeLike '*empty-mask.nii.gz*no brain voxel*'
    }

    It 'refuses a destination inside the source dataset' {
        $err = { $script:Subjects | ConvertTo-AtlasStandardSpace -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -Destination (Join-Path $script:Native 'std') } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutputInSourceDataset*'
    }
}
