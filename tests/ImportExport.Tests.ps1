# Import-AtlasVolume / Export-AtlasVolume: binding, wildcards, -WhatIf, errors that name the file.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Templates = '/usr/share/mricron/templates'
    $script:HasTemplates = Test-Path (Join-Path $script:Templates 'aal.nii.gz')

    # A small volume written by the module itself: 4x3x2 int16 with known values.
    $script:Dir = Join-Path $TestDrive 'vols'
    New-Item -ItemType Directory -Path $script:Dir | Out-Null
}

Describe 'Import-AtlasVolume' {
    It 'reads a real MNI template with the header values nibabel reports' -Skip:(-not (Test-Path '/usr/share/mricron/templates/aal.nii.gz')) {
        # nibabel 5 (Debian): img = nib.load('aal.nii.gz'); img.shape, img.affine, nib.aff2axcodes(img.affine)
        #   -> (181, 217, 181), translation (-90, -126... see below), ('R','A','S'); sform_code 4
        $v = Import-AtlasVolume -Path (Join-Path $script:Templates 'aal.nii.gz')
        $v.Dimensions | Should -Be @(181, 217, 181)
        $v.Orientation | Should -Be 'RAS'
        $v.DataType.ToString() | Should -Be 'UInt8'
        $v.Affine[0, 3] | Should -Be -90
        $v.Affine[1, 3] | Should -Be -125
        $v.Header.SFormCode | Should -Be 4
    }

    It 'reads a LAS-stored atlas as LAS' -Skip:(-not (Test-Path '/usr/share/mricron/templates/HarvardOxford-cort-maxprob-thr0-1mm.nii.gz')) {
        # nibabel: nib.aff2axcodes(nib.load('HarvardOxford-cort-maxprob-thr0-1mm.nii.gz').affine) -> ('L','A','S')
        $v = Import-AtlasVolume -Path (Join-Path $script:Templates 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz') -HeaderOnly
        $v.Orientation | Should -Be 'LAS'
        $v.HasData | Should -BeFalse
        # World x of voxel 0 is +90 (left-to-right storage flipped: x decreases with i).
        $v.VoxelToWorld(0, 0, 0)[0] | Should -Be 90
    }

    It 'expands wildcards and binds files from Get-ChildItem' -Skip:(-not (Test-Path '/usr/share/mricron/templates/aal.nii.gz')) {
        $byWildcard = @(Import-AtlasVolume -Path (Join-Path $script:Templates 'JHU-WhiteMatter-labels-*mm.nii.gz') -HeaderOnly)
        $byWildcard.Count | Should -Be 2
        $byPipe = @(Get-ChildItem -Path $script:Templates -Filter 'JHU-WhiteMatter-labels-*mm.nii.gz' | Import-AtlasVolume -HeaderOnly)
        $byPipe.Count | Should -Be 2
        ($byPipe | ForEach-Object { $_.Dimensions[0] } | Sort-Object) | Should -Be @(91, 182)
    }

    It 'writes a non-terminating error naming a missing file and goes on with the next' {
        $good = Join-Path $script:Dir 'good.nii'
        $g = [Atlas.Core.Volumes.Grid]::Create(4, 3, 2, 1, 1, 1)
        [Atlas.Core.Nifti.NiftiWriter]::Write([Atlas.Core.Volumes.AtlasVolume]::FromMask($g, [byte[]](1..24 | ForEach-Object { $_ % 2 }), $null), $good, $null)
        $missing = Join-Path $script:Dir 'missing.nii.gz'
        $out = Import-AtlasVolume -LiteralPath $missing, $good -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be $missing
    }

    It 'reports a truncated file as InvalidData with its path' {
        $good = Join-Path $script:Dir 'trunc-src.nii'
        $g = [Atlas.Core.Volumes.Grid]::Create(8, 8, 8, 1, 1, 1)
        [Atlas.Core.Nifti.NiftiWriter]::Write([Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, [float[]]::new(512), $null), $good, $null)
        $bytes = [IO.File]::ReadAllBytes($good)
        $trunc = Join-Path $script:Dir 'trunc.nii'
        [IO.File]::WriteAllBytes($trunc, $bytes[0..1000])
        Import-AtlasVolume -LiteralPath $trunc -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be $trunc
        "$($errs[0])" | Should -Match 'trunc\.nii'
    }

    It 'reports a file that is not an image as InvalidData' {
        $bad = Join-Path $script:Dir 'notes.nii'
        Set-Content -Path $bad -Value 'this is not a NIfTI file at all, just some text that is long enough'
        Import-AtlasVolume -LiteralPath $bad -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].FullyQualifiedErrorId | Should -Match '^ImportAtlasVolumeFailed'
    }
}

Describe 'Export-AtlasVolume' {
    BeforeAll {
        $g = [Atlas.Core.Volumes.Grid]::Create(5, 4, 3, 0.9, 0.9, 3)
        $data = [float[]](0..59 | ForEach-Object { $_ * 1.5 })
        $script:Vol = [Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, $data, $null)
    }

    It '-WhatIf writes nothing' {
        $target = Join-Path $script:Dir 'whatif.nii.gz'
        $script:Vol | Export-AtlasVolume -Path $target -WhatIf
        Test-Path $target | Should -BeFalse
        @(Get-ChildItem $script:Dir -Force -Filter '.whatif*').Count | Should -Be 0
    }

    It 'round-trips values, voxel size and datatype' {
        $target = Join-Path $script:Dir 'rt.nii.gz'
        $f = $script:Vol | Export-AtlasVolume -Path $target -PassThru
        $f.FullName | Should -Be $target
        $back = Import-AtlasVolume -LiteralPath $target
        $back.VoxelSizeMm | Should -Be @([double][float]0.9, [double][float]0.9, 3) -Because 'pixdim is stored as float32'
        $back.DataType.ToString() | Should -Be 'Float32'
        $back.GetValue(4, 3, 2) | Should -Be 88.5
    }

    It 'keeps an existing file unless -Force' {
        $target = Join-Path $script:Dir 'keep.nii'
        $script:Vol | Export-AtlasVolume -Path $target
        $before = (Get-Item $target).LastWriteTimeUtc
        Start-Sleep -Milliseconds 20
        $script:Vol | Export-AtlasVolume -Path $target -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-Item $target).LastWriteTimeUtc | Should -Be $before
        $script:Vol | Export-AtlasVolume -Path $target -Force
        (Get-Item $target).LastWriteTimeUtc | Should -BeGreaterThan $before
    }

    It 'refuses values that do not fit the datatype, writing nothing' {
        $target = Join-Path $script:Dir 'u8.nii'
        # 0..59 * 1.5 tops at 88.5, which fits uint8; one voxel of 300 does not.
        $g = [Atlas.Core.Volumes.Grid]::Create(5, 4, 3, 1, 1, 1)
        $data = [float[]]::new(60); $data[17] = 300
        $big = [Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, $data, $null)
        $big | Export-AtlasVolume -Path $target -DataType UInt8 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        "$($errs[0])" | Should -Match 'does not fit'
        Test-Path $target | Should -BeFalse
        @(Get-ChildItem $script:Dir -Force -Filter '.u8.nii*').Count | Should -Be 0
    }

    It 'rounds to an integer type when the values fit' {
        $target = Join-Path $script:Dir 'i16.nii'
        $script:Vol | Export-AtlasVolume -Path $target -DataType Int16
        $back = Import-AtlasVolume -LiteralPath $target
        $back.DataType.ToString() | Should -Be 'Int16'
        # 1.5 * 59 = 88.5 rounds half away from zero to 89; 1.5 * 1 = 1.5 -> 2
        $back.GetValue(4, 3, 2) | Should -Be 89
        $back.GetValue(1, 0, 0) | Should -Be 2
    }
}
