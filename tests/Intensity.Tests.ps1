# Intensity cmdlets: Invoke-AtlasBiasCorrection (N4) and Invoke-AtlasIntensityNormalization.
# The algorithms' accuracy is tested in xunit (tests/Atlas.Core.Tests/Intensity: a known field on a
# piecewise-constant phantom, Colin27 at half resolution); here: files, formulas on small images worked by
# hand, warnings and errors, -WhatIf and the keep/overwrite rule.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest

    function script:New-Float {
        # A float32 image (x fastest) from values; frames > 1 make a 4D file of that many copies.
        param([string] $Path, [int[]] $Dims, [float[]] $Values, [int] $Frames = 1)
        $g = [Atlas.Core.Volumes.Grid]::Create($Dims[0], $Dims[1], $Dims[2], 2, 2, 2)
        $h = [Atlas.Core.Volumes.AtlasVolume]::MakeHeader($g, [Atlas.Core.Nifti.NiftiDataType]::Float32, $null)
        $data = [float[]]::new($Values.Length * $Frames)
        for ($f = 0; $f -lt $Frames; $f++) { [Array]::Copy($Values, 0, $data, $f * $Values.Length, $Values.Length) }
        if ($Frames -gt 1) { $h.Dim[0] = 4; $h.Dim[4] = $Frames }
        $v = [Atlas.Core.Volumes.AtlasVolume]::new($h, $data, $null, $null)
        [Atlas.Core.Nifti.NiftiWriter]::Write($v, $Path, $null)
        $Path
    }

    function script:New-Phantom {
        # 16 x 16 x 16: a ball of 'tissue' (100 in the core, 60 in a shell) times a field exp(0.2 (i - 7.5) / 7.5).
        param([string] $Path, [int] $Frames = 1, [switch] $WithNaN, [switch] $WithNegative)
        $v = [float[]]::new(4096)
        for ($k = 0; $k -lt 16; $k++) { for ($j = 0; $j -lt 16; $j++) { for ($i = 0; $i -lt 16; $i++) {
                    $r = [math]::Sqrt(($i - 7.5) * ($i - 7.5) + ($j - 7.5) * ($j - 7.5) + ($k - 7.5) * ($k - 7.5))
                    $s = if ($r -lt 4) { 100 } elseif ($r -lt 7) { 60 } else { 0 }
                    $v[$i + 16 * ($j + 16 * $k)] = $s * [math]::Exp(0.2 * ($i - 7.5) / 7.5)
                } } }
        if ($WithNaN) { $v[8 + 16 * (8 + 16 * 8)] = [float]::NaN }
        if ($WithNegative) { $v[3 + 16 * (8 + 16 * 8)] = -5 }
        New-Float -Path $Path -Dims 16, 16, 16 -Values $v -Frames $Frames
    }

    $script:Work = Join-Path $TestDrive 'intensity'
    New-Item -ItemType Directory -Path $script:Work -Force | Out-Null
    $script:T1 = New-Phantom -Path (Join-Path $script:Work 'phantom.nii.gz')
}

Describe 'Invoke-AtlasBiasCorrection' {
    It 'writes OUT = IN / FIELD and a field that rises along i as the one put in' {
        $out = Join-Path $script:Work 'n4.nii.gz'; $field = Join-Path $script:Work 'field.nii.gz'
        $r = Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath $out -BiasFieldPath $field -ShrinkFactor 1
        $r | Should -BeOfType Atlas.Core.Intensity.BiasCorrectionResult
        $r.OutputPath | Should -Be $out
        $r.BiasFieldPath | Should -Be $field
        $r.MaskSource | Should -Be 'Otsu'
        $in = (Import-AtlasVolume -Path $script:T1).ToFloat32(0)
        $o = (Import-AtlasVolume -Path $out).ToFloat32(0)
        $f = (Import-AtlasVolume -Path $field).ToFloat32(0)
        foreach ($idx in 1000, 2184, 2200, 3000) { $o[$idx] | Should -BeGreaterOrEqual ($in[$idx] / $f[$idx] - 1e-3); $o[$idx] | Should -BeLessOrEqual ($in[$idx] / $f[$idx] + 1e-3) }
        # The field put in is exp(0.2 (i - 7.5) / 7.5): from i = 4 to i = 11 it grows by exp(0.2 * 7 / 7.5) = 1.205.
        $row = 16 * (8 + 16 * 8)
        ($f[$row + 11] / $f[$row + 4]) | Should -BeGreaterThan 1.12
        ($f[$row + 11] / $f[$row + 4]) | Should -BeLessThan 1.30
    }

    It 'takes a file from Get-ChildItem through -LiteralPath and a subject through T1Path' {
        $r = Get-Item -LiteralPath $script:T1 | Invoke-AtlasBiasCorrection -OutputPath (Join-Path $script:Work 'piped.nii.gz') -ShrinkFactor 1
        $r.Path | Should -Be $script:T1
        $r = [pscustomobject]@{ T1Path = $script:T1 } | Invoke-AtlasIntensityNormalization -Method ZScore -OutputPath (Join-Path $script:Work 'piped_z.nii.gz')
        $r.Path | Should -Be $script:T1
    }

    It 'honours -WhatIf and keeps an existing output without -Force' {
        $out = Join-Path $script:Work 'whatif.nii.gz'
        Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath $out -ShrinkFactor 1 -WhatIf | Should -BeNullOrEmpty
        Test-Path $out | Should -BeFalse
        Set-Content -Path $out -Value 'not an image'
        (Get-Item $out).LastWriteTimeUtc = [datetime]::UtcNow.AddDays(-1)
        Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath $out -ShrinkFactor 1 -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^OutputExists'
        $e[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath $out -ShrinkFactor 1 -Force | Should -Not -BeNullOrEmpty
        (Import-AtlasVolume -Path $out).Dimensions | Should -Be @(16, 16, 16)
    }

    It 'keeps up-to-date outputs on a rerun and outputs the recorded result; other parameters rebuild them' {
        $out = Join-Path $script:Work 'rerun.nii.gz'; $field = Join-Path $script:Work 'rerun_field.nii.gz'
        $first = Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath $out -BiasFieldPath $field -ShrinkFactor 1
        $t = (Get-Item $out).LastWriteTimeUtc
        $all = Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath $out -BiasFieldPath $field -ShrinkFactor 1 -Verbose 4>&1
        $kept = @($all | Where-Object { $_ -is [Atlas.Core.Intensity.BiasCorrectionResult] })
        $kept.Count | Should -Be 1
        $kept[0].IterationsPerLevel | Should -Be $first.IterationsPerLevel
        (Get-Item $out).LastWriteTimeUtc | Should -Be $t
        ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join ' ' | Should -Match 'Kept existing'
        $again = Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath $out -BiasFieldPath $field -ShrinkFactor 1 -MaximumIterations 5, 5
        $again.Levels | Should -Be 2
        (Get-Item $out).LastWriteTimeUtc | Should -BeGreaterThan $t
    }

    It 'warns about a 4D T1, NaN and negative voxels, naming the file' {
        $t = New-Phantom -Path (Join-Path $script:Work 'phantom4d.nii.gz') -Frames 2 -WithNaN -WithNegative
        $out = Join-Path $script:Work 'n4_4d.nii.gz'
        $r = Invoke-AtlasBiasCorrection -Path $t -Mask $script:T1 -OutputPath $out -ShrinkFactor 1 -WarningVariable w -WarningAction SilentlyContinue
        $w.Count | Should -Be 3
        $w | ForEach-Object { "$_" | Should -Match 'phantom4d' }
        ($w -join ' ') | Should -Match 'first frame'
        ($w -join ' ') | Should -Match 'NaN'
        ($w -join ' ') | Should -Match 'negative'
        $r.NaNVoxels | Should -Be 1
        $v = Import-AtlasVolume -Path $out
        $v.Dimensions | Should -Be @(16, 16, 16)
        $v.FrameCount | Should -Be 1
        [float]::IsNaN($v.ToFloat32(0)[8 + 16 * (8 + 16 * 8)]) | Should -BeTrue
    }

    It 'reports an empty mask and a mask on another grid as errors naming the file' {
        $empty = New-Float -Path (Join-Path $script:Work 'empty_mask.nii.gz') -Dims 16, 16, 16 -Values ([float[]]::new(4096))
        Invoke-AtlasBiasCorrection -Path $script:T1 -Mask $empty -OutputPath (Join-Path $script:Work 'e1.nii.gz') -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($e[0])" | Should -Match 'empty_mask'
        Test-Path (Join-Path $script:Work 'e1.nii.gz') | Should -BeFalse
        $other = New-Float -Path (Join-Path $script:Work 'other_grid.nii.gz') -Dims 8, 8, 8 -Values ([float[]]::new(512))
        Invoke-AtlasBiasCorrection -Path $script:T1 -LesionMask $other -OutputPath (Join-Path $script:Work 'e2.nii.gz') -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2.Count | Should -Be 1
        "$($e2[0])" | Should -Match 'other_grid'
        Test-Path (Join-Path $script:Work 'e2.nii.gz') | Should -BeFalse
    }

    It 'reports a missing T1 and an output that is not an image name' {
        Invoke-AtlasBiasCorrection -Path (Join-Path $script:Work 'nope.nii.gz') -OutputPath (Join-Path $script:Work 'x.nii.gz') -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath (Join-Path $script:Work 'x.txt') -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Invoke-AtlasBiasCorrection -Path $script:T1 -OutputPath $script:T1 -Force -ErrorVariable e3 -ErrorAction SilentlyContinue
        "$($e3[0])" | Should -Match 'replace its input'
    }

    It 'leaves a dilated lesion out of the estimation' {
        $les = [float[]]::new(4096); $les[10 + 16 * (8 + 16 * 8)] = 1
        $lp = New-Float -Path (Join-Path $script:Work 'lesion.nii.gz') -Dims 16, 16, 16 -Values $les
        $r = Invoke-AtlasBiasCorrection -Path $script:T1 -LesionMask $lp -LesionDilationMm 2 -OutputPath (Join-Path $script:Work 'n4_les.nii.gz') -ShrinkFactor 1
        # 2 mm voxels: the voxel itself and its 6 face neighbours (2 mm away); diagonals are 2.8 mm.
        $r.LesionVoxelsExcluded | Should -Be 7
    }
}

Describe 'Invoke-AtlasIntensityNormalization' {
    BeforeAll {
        # 4 x 1 x 1 image 1, 2, 3, 4 (and a fifth voxel 9 outside the mask).
        $script:Small = New-Float -Path (Join-Path $script:Work 'small.nii.gz') -Dims 5, 1, 1 -Values @(1, 2, 3, 4, 9)
        $script:SmallMask = New-Float -Path (Join-Path $script:Work 'small_mask.nii.gz') -Dims 5, 1, 1 -Values @(1, 1, 1, 1, 0)
    }

    It 'ZScore: (IN - 2.5) / sqrt(1.25) for the mask 1, 2, 3, 4' {
        $out = Join-Path $script:Work 'z.nii.gz'
        $r = Invoke-AtlasIntensityNormalization -Path $script:Small -Mask $script:SmallMask -Method ZScore -OutputPath $out
        $r.Offset | Should -Be 2.5
        [math]::Abs($r.Scale - [math]::Sqrt(1.25)) | Should -BeLessThan 1e-12
        $o = (Import-AtlasVolume -Path $out).ToFloat32(0)
        [math]::Abs($o[0] - (1 - 2.5) / [math]::Sqrt(1.25)) | Should -BeLessThan 1e-5
        [math]::Abs($o[4] - (9 - 2.5) / [math]::Sqrt(1.25)) | Should -BeLessThan 1e-5
    }

    It 'Percentile: the 25th and 75th percentiles (1.75 and 3.25, numpy linear) become 0 and 1' {
        $out = Join-Path $script:Work 'p.nii.gz'
        $r = Invoke-AtlasIntensityNormalization -Path $script:Small -Mask $script:SmallMask -Method Percentile -LowPercentile 25 -HighPercentile 75 -OutputPath $out
        $r.LowValue | Should -Be 1.75
        $r.HighValue | Should -Be 3.25
        $o = (Import-AtlasVolume -Path $out).ToFloat32(0)
        $o[0] | Should -Be -0.5
        $o[3] | Should -Be 1.5
    }

    It 'WhiteMatterPeak puts the bright tissue of the sample T1 at 1' {
        $sample = New-TestSampleDataset -Path (Join-Path $TestDrive 'norm-sample') -SubjectCount 1
        $s = Get-AtlasSubject -Path $sample.Root | Select-Object -First 1
        $out = Join-Path $script:Work 'wm.nii.gz'
        $r = Invoke-AtlasIntensityNormalization -Path $s.T1Path -LesionMask $s.LesionMaskPaths[0] -Method WhiteMatterPeak -OutputPath $out
        # The sample's white matter is 690 and its scalp 700, times a bias of a few per cent.
        $r.WhiteMatterPeak | Should -BeGreaterThan 640
        $r.WhiteMatterPeak | Should -BeLessThan 760
        $r.MaskSource | Should -Be 'Otsu'
    }

    It 'refuses percentiles in the wrong order and a constant mask' {
        Invoke-AtlasIntensityNormalization -Path $script:Small -Method Percentile -LowPercentile 90 -HighPercentile 10 -OutputPath (Join-Path $script:Work 'bad.nii.gz') -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $flat = New-Float -Path (Join-Path $script:Work 'flat.nii.gz') -Dims 4, 1, 1 -Values @(5, 5, 5, 5)
        $m = New-Float -Path (Join-Path $script:Work 'flat_mask.nii.gz') -Dims 4, 1, 1 -Values @(1, 1, 1, 1)
        Invoke-AtlasIntensityNormalization -Path $flat -Mask $m -Method ZScore -OutputPath (Join-Path $script:Work 'flat_z.nii.gz') -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($e2[0])" | Should -Match 'flat.nii.gz'
        Test-Path (Join-Path $script:Work 'flat_z.nii.gz') | Should -BeFalse
    }
}
