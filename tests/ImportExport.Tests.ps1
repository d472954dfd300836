# Import-AtlasVolume / Export-AtlasVolume: binding, wildcards, -WhatIf, errors that name the file.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Templates = '/usr/share/mricron/templates'

    # A small volume written by the module itself: 4x3x2 int16 with known values.
    $script:Dir = Join-Path $TestDrive 'vols'
    New-Item -ItemType Directory -Path $script:Dir | Out-Null
}

Describe 'Import-AtlasVolume' {
    It 'reads a real MNI template with the header values nibabel reports' {
        if ($why = Get-PeerSkipReason mricron-data -File aal.nii.gz) { Set-ItResult -Skipped -Because $why; return }
        # nibabel 5.0 (Debian): img = nib.load('aal.nii.gz'); img.shape, img.affine, nib.aff2axcodes(img.affine)
        #   -> (181, 217, 181), affine translation (-90, -125, -71), ('R','A','S'); header sform_code 4
        $v = Import-AtlasVolume -Path (Join-Path $script:Templates 'aal.nii.gz')
        $v.Dimensions | Should -Be @(181, 217, 181)
        $v.Orientation | Should -Be 'RAS'
        $v.DataType.ToString() | Should -Be 'UInt8'
        $v.Affine[0, 3] | Should -Be -90
        $v.Affine[1, 3] | Should -Be -125
        $v.Header.SFormCode | Should -Be 4
    }

    It 'reads a LAS-stored atlas as LAS' {

        if ($why = Get-PeerSkipReason mricron-data -File HarvardOxford-cort-maxprob-thr0-1mm.nii.gz) { Set-ItResult -Skipped -Because $why; return }
        # nibabel: nib.aff2axcodes(nib.load('HarvardOxford-cort-maxprob-thr0-1mm.nii.gz').affine) -> ('L','A','S')
        $v = Import-AtlasVolume -Path (Join-Path $script:Templates 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz') -HeaderOnly
        $v.Orientation | Should -Be 'LAS'
        $v.HasData | Should -BeFalse
        # World x of voxel 0 is +90 (left-to-right storage flipped: x decreases with i).
        $v.VoxelToWorld(0, 0, 0)[0] | Should -Be 90
    }

    It 'expands wildcards and binds files from Get-ChildItem' {

        if ($why = Get-PeerSkipReason mricron-data -File aal.nii.gz) { Set-ItResult -Skipped -Because $why; return }
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

    It 'says a folder given as an image is a folder (InvalidArgument), not that it is missing' {
        $folder = Join-Path $script:Dir 'scan-folder.nii.gz'
        New-Item -ItemType Directory -Path $folder -Force | Out-Null
        Import-AtlasVolume -LiteralPath $folder -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].TargetObject | Should -Be $folder
        "$($errs[0])" | Should -Match 'is a folder'
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

    It 'reports a hostile header (<What>) as InvalidData naming the file, without a stack trace' -ForEach @(
        @{ What = 'sform with an infinite value'; Offset = 280; Value = [float]::PositiveInfinity }
        @{ What = 'dims claiming 32767^3 voxels'; Offset = 0; Value = 0 }) {
        $src = Join-Path $script:Dir 'hostile-src.nii.gz'
        $g = [Atlas.Core.Volumes.Grid]::Create(4, 4, 4, 1, 1, 1)
        [Atlas.Core.Nifti.NiftiWriter]::Write([Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, [float[]]::new(64), $null), (Join-Path $script:Dir 'hostile-src.nii'), $null)
        $bytes = [IO.File]::ReadAllBytes((Join-Path $script:Dir 'hostile-src.nii'))
        if ($Offset -eq 280) { [BitConverter]::GetBytes([float]$Value).CopyTo($bytes, 280) }   # srow_x[0]; the writer sets sform_code 1
        else { foreach ($o in 42, 44, 46) { [BitConverter]::GetBytes([int16]32767).CopyTo($bytes, $o) } }
        $bad = Join-Path $script:Dir ("hostile-$Offset.nii")
        [IO.File]::WriteAllBytes($bad, $bytes)
        Import-AtlasVolume -LiteralPath $bad -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be $bad
        $errs[0].Exception | Should -BeOfType ([Atlas.Core.Nifti.NiftiFormatException])
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

    It 'keeps an existing file it did not write unless -Force; rewrites its own from a volume in memory' {
        $target = Join-Path $script:Dir 'keep.nii'
        Set-Content -LiteralPath $target -Value 'not written by Export-AtlasVolume'
        $before = (Get-Item $target).LastWriteTimeUtc
        Start-Sleep -Milliseconds 20
        $script:Vol | Export-AtlasVolume -Path $target -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-Item $target).LastWriteTimeUtc | Should -Be $before
        $script:Vol | Export-AtlasVolume -Path $target -Force
        (Get-Item $target).LastWriteTimeUtc | Should -BeGreaterThan $before
        # Its own file, from a volume in memory (whose age is unknown): rebuilt without -Force.
        $mine = (Get-Item $target).LastWriteTimeUtc
        Start-Sleep -Milliseconds 20
        $script:Vol | Export-AtlasVolume -Path $target -ErrorVariable errs2
        $errs2.Count | Should -Be 0
        (Get-Item $target).LastWriteTimeUtc | Should -BeGreaterThan $mine
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

Describe 'Import-AtlasVolume frames and damaged files' {
    BeforeAll {
        $script:Bad = Join-Path $TestDrive 'damaged'
        New-Item -ItemType Directory -Path $script:Bad | Out-Null
        # A 2x2x1 int16 image written by the module, values 1..4 (352-byte header + 8 data bytes).
        $g = [Atlas.Core.Volumes.Grid]::Create(2, 2, 1, 1, 1, 1)
        $v = [Atlas.Core.Volumes.AtlasVolume]::FromArray($g, [int16[]](1, 2, 3, 4), [Atlas.Core.Nifti.NiftiDataType]::Int16, $null)
        $script:Plain = Join-Path $script:Bad 'plain.nii'
        [Atlas.Core.Nifti.NiftiWriter]::Write($v, $script:Plain, $null)
        $script:PlainBytes = [IO.File]::ReadAllBytes($script:Plain)

        function script:Patch([byte[]] $bytes, [int] $offset, [byte[]] $value) {
            $copy = [byte[]]$bytes.Clone()
            [Array]::Copy($value, 0, $copy, $offset, $value.Length)
            return , $copy
        }
        function script:Gzip([byte[]] $bytes) {
            $ms = [IO.MemoryStream]::new()
            $z = [IO.Compression.GZipStream]::new($ms, [IO.Compression.CompressionLevel]::Optimal, $true)
            $z.Write($bytes, 0, $bytes.Length); $z.Dispose()
            return , $ms.ToArray()
        }
    }

    It '-Frame reads one 0-based frame of a 4D file and FrameCount still tells all frames' {
        # dim[0] = 4 (offset 40), dim[4] = 3 frames (offset 48); frames hold 1..4, 11..14, 21..24.
        $b = Patch $script:PlainBytes 40 ([BitConverter]::GetBytes([int16]4))
        $b = Patch $b 48 ([BitConverter]::GetBytes([int16]3))
        $frames = [byte[]]($b + ([int16[]](11, 12, 13, 14, 21, 22, 23, 24) | ForEach-Object { [BitConverter]::GetBytes($_) }))
        $p = Join-Path $script:Bad 'four.nii.gz'
        [IO.File]::WriteAllBytes($p, (Gzip $frames))
        $f2 = Import-AtlasVolume -Path $p -Frame 2
        $f2.FrameCount | Should -Be 3
        $f2.Dimensions | Should -Be @(2, 2, 1)
        $f2.GetValue(0, 0, 0) | Should -Be 21
        $f2.GetValue(1, 1, 0) | Should -Be 24
        (Import-AtlasVolume -Path $p -Frame 0).GetValue(1, 0, 0) | Should -Be 2
        Import-AtlasVolume -Path $p -Frame 3 -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].TargetObject | Should -Be $p
    }

    It '-HeaderOnly reads the header of a file whose voxels are missing' {
        $p = Join-Path $script:Bad 'headeronly.nii'
        [IO.File]::WriteAllBytes($p, $script:PlainBytes[0..351])
        $h = Import-AtlasVolume -LiteralPath $p -HeaderOnly
        $h.HasData | Should -BeFalse
        $h.Dimensions | Should -Be @(2, 2, 1)
        $h.DataType.ToString() | Should -Be 'Int16'
    }

    It 'names the file and the right category for <Name>' -ForEach @(
        @{ Name = 'a corrupt gzip'; File = 'corrupt.nii.gz'; Category = 'InvalidData' }
        @{ Name = 'a truncated gzip'; File = 'cut.nii.gz'; Category = 'InvalidData' }
        @{ Name = 'a wrong magic'; File = 'magic.nii'; Category = 'InvalidData' }
        @{ Name = 'an unsupported datatype'; File = 'float128.nii'; Category = 'NotImplemented' }
        @{ Name = 'a vox_offset beyond the file'; File = 'offset.nii'; Category = 'InvalidData' }
        @{ Name = 'a header that does not match the file size'; File = 'size.nii'; Category = 'InvalidData' }
    ) {
        $p = Join-Path $script:Bad $File
        switch ($File) {
            'corrupt.nii.gz' {
                # incompressible voxels, then damage in the middle: caught by the inflater or the CRC
                $rnd = [Random]::new(3); $noise = [byte[]]::new(20000); $rnd.NextBytes($noise)
                $b = Patch $script:PlainBytes 42 ([BitConverter]::GetBytes([int16]5000))
                $gz = Gzip ([byte[]]($b[0..351] + $noise)); $gz[[int]($gz.Length / 2)] = $gz[[int]($gz.Length / 2)] -bxor 0x55
                [IO.File]::WriteAllBytes($p, $gz)
            }
            'cut.nii.gz' { $gz = Gzip $script:PlainBytes; [IO.File]::WriteAllBytes($p, $gz[0..($gz.Length - 12)]) }
            'magic.nii' { [IO.File]::WriteAllBytes($p, (Patch $script:PlainBytes 344 ([Text.Encoding]::ASCII.GetBytes('xx9')))) }
            'float128.nii' { [IO.File]::WriteAllBytes($p, (Patch $script:PlainBytes 70 ([BitConverter]::GetBytes([int16]1536)))) }
            'offset.nii' { [IO.File]::WriteAllBytes($p, (Patch $script:PlainBytes 108 ([BitConverter]::GetBytes([single]100000)))) }
            'size.nii' { [IO.File]::WriteAllBytes($p, $script:PlainBytes[0..355]) }
        }
        $out = Import-AtlasVolume -LiteralPath $p, $script:Plain -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1 -Because 'the next input is still read'
        @($out)[0].GetValue(1, 1, 0) | Should -Be 4
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be $Category
        $errs[0].TargetObject | Should -Be $p
        "$($errs[0])" | Should -Match ([regex]::Escape($File))
        $errs[0].FullyQualifiedErrorId | Should -Match '^ImportAtlasVolumeFailed'
    }

    It 'goes on through a Get-ChildItem pipeline past a damaged file' {
        $dir = Join-Path $TestDrive 'mixed'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Copy-Item $script:Plain (Join-Path $dir 'a.nii')
        [IO.File]::WriteAllBytes((Join-Path $dir 'b.nii'), $script:PlainBytes[0..355])
        Copy-Item $script:Plain (Join-Path $dir 'c.nii')
        $out = Get-ChildItem -Path $dir -Filter '*.nii' | Sort-Object Name | Import-AtlasVolume -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 2
        @($out | ForEach-Object { Split-Path $_.Path -Leaf }) | Should -Be @('a.nii', 'c.nii')
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be (Join-Path $dir 'b.nii')
    }
}
