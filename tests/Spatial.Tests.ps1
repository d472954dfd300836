# Geometry cmdlets: ConvertTo-AtlasCanonical, Invoke-AtlasResample, Import/Export-AtlasTransform and
# New-LesionOverlapMap -Reference. Expected values are worked out by hand in each case (the peer
# comparisons with scipy, nibabel and MRtrix are in tests/Atlas.Core.Tests/Spatial).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest

    function script:New-Grid([int[]] $Dims, [double[]] $Linear = @(1, 0, 0, 0, 1, 0, 0, 0, 1), [double[]] $Origin = @(0, 0, 0)) {
        $a = [Atlas.Core.Volumes.AffineMath]::Identity()
        for ($i = 0; $i -lt 3; $i++) { for ($j = 0; $j -lt 3; $j++) { $a[$i, $j] = $Linear[3 * $i + $j] }; $a[$i, 3] = $Origin[$i] }
        [Atlas.Core.Volumes.Grid]::new($Dims[0], $Dims[1], $Dims[2], $null, $a)
    }

    function script:New-Image([string] $Path, $Grid, [scriptblock] $Value) {
        # An int16 image whose voxel (i,j,k) holds & $Value i j k.
        $d = [int16[]]::new($Grid.VoxelCount)
        for ($k = 0; $k -lt $Grid.NZ; $k++) { for ($j = 0; $j -lt $Grid.NY; $j++) { for ($i = 0; $i -lt $Grid.NX; $i++) { $d[$Grid.Index($i, $j, $k)] = & $Value $i $j $k } } }
        $v = [Atlas.Core.Volumes.AtlasVolume]::FromArray($Grid, $d, 'Int16', $null)
        if ($Path) { [Atlas.Core.Nifti.NiftiWriter]::Write($v, $Path, $null) }
        $v
    }

    function script:Set-RasShift([string] $Path, [double] $X, [double] $Y = 0, [double] $Z = 0) {
        Set-Content -Path $Path -Value @("1 0 0 $X", "0 1 0 $Y", "0 0 1 $Z", '0 0 0 1')
    }

    $script:Value = { param($i, $j, $k) 100 * $i + 10 * $j + $k }
}

Describe 'ConvertTo-AtlasCanonical' {
    BeforeAll {
        # LAS storage: x = 7 - i (mm).
        $script:LasGrid = New-Grid @(8, 6, 5) @(-1, 0, 0, 0, 1, 0, 0, 0, 1) @(7, 0, 0)
        $script:Las = Join-Path $TestDrive 'las.nii.gz'
        $null = New-Image $script:Las $script:LasGrid $script:Value
    }

    It 'reorders the voxels to RAS without interpolation; every voxel keeps its world point' {
        $out = Join-Path $TestDrive 'ras.nii.gz'
        $f = ConvertTo-AtlasCanonical -Path $script:Las -OutputPath $out
        $f.FullName | Should -Be $out
        $v = Import-AtlasVolume $out
        $v.Orientation | Should -Be 'RAS'
        # New voxel i is old voxel 7 - i: value 100 (7 - i) + 10 j + k.
        $v.GetValue(0, 2, 3, 0) | Should -Be (700 + 20 + 3)
        $v.GetValue(7, 0, 1, 0) | Should -Be 1
        $v.VoxelToWorld(0, 0, 0) | Should -Be @(0, 0, 0)
        # qform and sform carry the same new geometry.
        $h = $v.Header
        [Atlas.Core.Volumes.AffineMath]::QForm($h)[0, 0] | Should -Be 1
        [Atlas.Core.Volumes.AffineMath]::SForm($h)[0, 0] | Should -Be 1
    }

    It 'gives a volume when no output is named, and -Orientation LAS restores the original order' {
        $ras = ConvertTo-AtlasCanonical -Path $script:Las
        $ras | Should -BeOfType ([Atlas.Core.Volumes.AtlasVolume])
        $back = $ras | ConvertTo-AtlasCanonical -Orientation las
        $back.Orientation | Should -Be 'LAS'
        $back.GetValue(3, 4, 2, 0) | Should -Be 342
    }

    It 'warns when qform and sform disagree by more than 1 mm' {
        $v = New-Image $null $script:LasGrid $script:Value
        $v.Header.SRowZ[3] = 2.5
        $p = Join-Path $TestDrive 'disagree.nii'
        [Atlas.Core.Nifti.NiftiWriter]::Write($v, $p, $null)
        $null = ConvertTo-AtlasCanonical -Path $p -WarningVariable w -WarningAction SilentlyContinue
        $w.Count | Should -Be 1
        "$($w[0])" | Should -Match 'disagree by up to 2.5 mm'
    }

    It 'writes nothing under -WhatIf, refuses a bad orientation, and never writes a subject without -Destination' {
        $out = Join-Path $TestDrive 'whatif.nii.gz'
        ConvertTo-AtlasCanonical -Path $script:Las -OutputPath $out -WhatIf
        Test-Path $out | Should -BeFalse
        { ConvertTo-AtlasCanonical -Path $script:Las -Orientation RRS } | Should -Throw -ErrorId 'BadOrientation,*'
        $s = [Atlas.Core.Datasets.AtlasSubject]::new(); $s.SubjectId = 's1'; $s.T1Path = $script:Las
        { $s | ConvertTo-AtlasCanonical } | Should -Throw -ErrorId 'DestinationRequired,*'
    }
}

Describe 'Invoke-AtlasResample' {
    BeforeAll {
        $script:Grid1 = New-Grid @(10, 8, 6)
        $script:Img = Join-Path $TestDrive 'img.nii.gz'
        $null = New-Image $script:Img $script:Grid1 $script:Value
        $script:Shift = Join-Path $TestDrive 'shift.txt'
        Set-RasShift $script:Shift 2 1 0
    }

    It 'samples the input at T(y): a 2 mm, 1 mm shift moves the values by two columns and one row, 0 outside' {
        $r = Invoke-AtlasResample -Path $script:Img -Reference $script:Img -TransformPath $script:Shift -TransformFormat RasMatrix
        $r.DataType | Should -Be 'Int16'
        # Output (i, j, k) = input (i + 2, j + 1, k) = 100 (i + 2) + 10 (j + 1) + k.
        $r.GetValue(0, 0, 0, 0) | Should -Be 210
        $r.GetValue(7, 6, 5, 0) | Should -Be 975
        $r.GetValue(8, 0, 0, 0) | Should -Be 0
        $r.GetValue(0, 7, 0, 0) | Should -Be 0
        # -Inverse shifts the other way.
        (Invoke-AtlasResample -Path $script:Img -Reference $script:Img -TransformPath $script:Shift -TransformFormat RasMatrix -Inverse).GetValue(2, 1, 0, 0) | Should -Be 0
    }

    It 'interpolates linearly onto a finer grid (half-voxel points are means) and keeps masks binary by nearest' {
        # Reference voxel i at x = i/2 mm: linear gives 100 i/2 at odd i (mean of two neighbours).
        $fine = New-Grid @(19, 15, 11) @(0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5)
        $r = Invoke-AtlasResample -Path $script:Img -Reference $fine -DataType Float32
        $r.DataType | Should -Be 'Float32'
        $r.GetValue(3, 0, 0, 0) | Should -Be 150
        $r.GetValue(3, 3, 1, 0) | Should -Be 165.5
        $mask = Join-Path $TestDrive 'mask.nii.gz'
        New-TestMask -Path $mask -Grid $script:Grid1 -Box @(2, 5, 2, 5, 1, 3)
        $m = Invoke-AtlasResample -Path $mask -Reference $fine -Verbose 4>&1 | Where-Object { $_ -is [Atlas.Core.Volumes.AtlasVolume] -or ($_.Message -and ($script:Msg = $_.Message)) } | Where-Object { $_ -is [Atlas.Core.Volumes.AtlasVolume] }
        $script:Msg | Should -Match 'Nearest'
        $distinct = $m.ToFloat64(0) | Sort-Object -Unique
        $distinct | Should -Be @(0, 1)
        # Nearest of i/2 (ties up) lands in 2..5 for i/2 in [1.5, 5.5): i = 3..10 (8) along x and y; z 1..3 for i = 1..6 (6).
        ($m.ToMask(0) | Measure-Object -Sum).Sum | Should -Be (8 * 8 * 6)
    }

    It 'reads an FSL .mat with the reference and the input it relates' {
        # Identity in FSL coordinates between two grids with the same world: the identity map.
        $mat = Join-Path $TestDrive 'eye.mat'
        Set-Content $mat @('1 0 0 0', '0 1 0 0', '0 0 1 0', '0 0 0 1')
        $r = Invoke-AtlasResample -Path $script:Img -Reference $script:Img -TransformPath $mat
        $r.GetValue(4, 3, 2, 0) | Should -Be 432
        { Import-AtlasTransform $mat -ErrorAction Stop } | Should -Throw -ErrorId 'TransformNeedsImages,*'
    }

    It 'writes a subject T1 (linear) and masks (nearest) under -Destination in the dataset''s layout' {
        $root = Join-Path $TestDrive 'ds'
        $dir = Join-Path $root 'c0001/c0001s0001t01'
        New-Item -ItemType Directory $dir -Force | Out-Null
        $t1 = Join-Path $dir 'c0001s0001t01_t1w.nii.gz'; $null = New-Image $t1 $script:Grid1 $script:Value
        $m1 = Join-Path $dir 'c0001s0001t01_LesionSmooth.nii.gz'; New-TestMask -Path $m1 -Grid $script:Grid1 -Box @(1, 2, 1, 2, 1, 2)
        $s = [Atlas.Core.Datasets.AtlasSubject]::new(); $s.SubjectId = 'c0001s0001t01'; $s.Root = $root; $s.T1Path = $t1; $s.LesionMaskPaths = @($m1)
        $dest = Join-Path $TestDrive 'std'
        $files = @($s | Invoke-AtlasResample -Reference $script:Img -TransformPath $script:Shift -TransformFormat RasMatrix -Destination $dest)
        $files.FullName | Should -Be @((Join-Path $dest 'c0001/c0001s0001t01/c0001s0001t01_t1w.nii.gz'), (Join-Path $dest 'c0001/c0001s0001t01/c0001s0001t01_LesionSmooth.nii.gz'))
        # The mask box 1..2 moves to 1-2 .. 2-2 along x and 0..1 along y: 1 x 2 x 2 voxels inside.
        ((Import-AtlasVolume $files[1].FullName).ToMask(0) | Measure-Object -Sum).Sum | Should -Be 4
        # A rerun keeps the up-to-date files; an older output is refused without -Force.
        $again = @($s | Invoke-AtlasResample -Reference $script:Img -TransformPath $script:Shift -TransformFormat RasMatrix -Destination $dest)
        $again.Count | Should -Be 2
        { $s | Invoke-AtlasResample -Reference $script:Img -Destination $root -ErrorAction Stop } | Should -Throw -ErrorId 'OutputInSourceDataset,*'
    }

    It 'reports bad inputs with the file named: not a transform, not an image, a singular matrix' {
        $notes = Join-Path $TestDrive 'notes.txt'; Set-Content $notes 'hello'
        { Invoke-AtlasResample -Path $script:Img -Reference $script:Img -TransformPath $notes } | Should -Throw -ErrorId 'BadTransform,*'
        $e = $null
        try { Invoke-AtlasResample -Path $script:Img -Reference $script:Img -TransformPath $notes } catch { $e = $_ }
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
        "$e" | Should -Match ([regex]::Escape($notes))
        { Invoke-AtlasResample -Path $script:Img -Reference $notes } | Should -Throw -ErrorId 'BadReference,*'
        { Invoke-AtlasResample -Path $script:Img -Reference $TestDrive } | Should -Throw -ErrorId 'BadReference,*'
        $sing = Join-Path $TestDrive 'singular.txt'
        Set-Content $sing @('1 0 0 0', '0 0 0 0', '0 0 1 0', '0 0 0 1')
        $null = Invoke-AtlasResample -Path $script:Img -Reference $script:Img -TransformPath $sing -TransformFormat RasMatrix -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'SingularMatrix,*'
        $out = Join-Path $TestDrive 'never.nii.gz'
        $null = Invoke-AtlasResample -Path $script:Img -Reference $script:Img -TransformPath $sing -TransformFormat RasMatrix -OutputPath $out -ErrorAction SilentlyContinue
        Test-Path $out | Should -BeFalse
        @(Get-ChildItem -Path $TestDrive -Filter '.never*' -Force).Count | Should -Be 0
    }
}

Describe 'Import-AtlasTransform and Export-AtlasTransform' {
    BeforeAll {
        $script:FixedImg = Join-Path $TestDrive 'fixed.nii'
        $null = New-Image $script:FixedImg (New-Grid @(12, 10, 8) @(-1.5, 0, 0, 0, 1.5, 0, 0, 0, 2) @(8, -7, -8)) $script:Value
        $script:MovingImg = Join-Path $TestDrive 'moving.nii'
        $null = New-Image $script:MovingImg (New-Grid @(9, 9, 9) @(2, 0, 0, 0, 2, 0.1, 0, 0, 2) @(-9, -9, -9)) $script:Value
        $m = [Atlas.Core.Volumes.AffineMath]::Identity()
        $m[0, 0] = 0.98; $m[0, 1] = 0.12; $m[1, 0] = -0.1; $m[1, 1] = 1.03; $m[2, 2] = 0.95; $m[0, 3] = 3.5; $m[1, 3] = -2; $m[2, 3] = 1.25
        $script:T = [Atlas.Core.Spatial.AffineTransform]::new($m, $null)
    }

    It 'round-trips through <Name> (<Format>)' -ForEach @(
        @{ Name = 'itk.txt'; Format = 'Auto' }, @{ Name = 'ants.mat'; Format = 'Itk' }, @{ Name = 'TransformParameters.0.txt'; Format = 'Elastix' },
        @{ Name = 'flirt.mat'; Format = 'Auto' }, @{ Name = 'ras.txt'; Format = 'RasMatrix' }
    ) {
        $out = Join-Path $TestDrive $Name
        $f = $script:T | Export-AtlasTransform -OutputPath $out -Format $Format -FixedImage $script:FixedImg -MovingImage $script:MovingImg
        $f.FullName | Should -Be $out
        $back = Import-AtlasTransform $out -FixedImage $script:FixedImg -MovingImage $script:MovingImg
        $back.MaxDifference($script:T) | Should -BeLessThan 1e-9
        $back.Source | Should -Be $out
    }

    It 'converts one file format into another, and -Inverse gives the moving→fixed map' {
        $itk = Join-Path $TestDrive 'conv.txt'
        $script:T | Export-AtlasTransform -OutputPath $itk
        $fsl = Join-Path $TestDrive 'conv.mat'
        $null = Export-AtlasTransform -Path $itk -OutputPath $fsl -FixedImage $script:FixedImg -MovingImage $script:MovingImg
        (Import-AtlasTransform $fsl -FixedImage $script:FixedImg -MovingImage $script:MovingImg).MaxDifference($script:T) | Should -BeLessThan 1e-9
        $inv = Import-AtlasTransform $itk -Inverse
        [Atlas.Core.Spatial.AffineTransform]::Compose($script:T, $inv).IsIdentity(1e-12) | Should -BeTrue
        # Point check: T maps (0,0,0) to its translation.
        (Import-AtlasTransform $itk).Apply(0, 0, 0) | Should -Be @(3.5, -2, 1.25)
    }

    It 'keeps a file it did not make without -Force, writes nothing under -WhatIf and needs images for FSL' {
        # A file this module did not make (no record beside it) is kept, with a ResourceExists error.
        $out = Join-Path $TestDrive 'exists.txt'
        Set-Content $out 'not ours'
        $null = $script:T | Export-AtlasTransform -OutputPath $out -ErrorVariable errs -ErrorAction SilentlyContinue
        Get-Content $out | Should -Be 'not ours'
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $null = $script:T | Export-AtlasTransform -OutputPath $out -Force
        $w = Join-Path $TestDrive 'whatif.txt'
        $script:T | Export-AtlasTransform -OutputPath $w -WhatIf
        Test-Path $w | Should -BeFalse
        $null = $script:T | Export-AtlasTransform -OutputPath (Join-Path $TestDrive 'x.mat') -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'TransformNeedsImages,*'
        $e2[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $bad = Join-Path $TestDrive 'bad.txt'; Set-Content $bad '#Insight Transform File V1.0'
        $null = Import-AtlasTransform $bad -ErrorVariable e3 -ErrorAction SilentlyContinue
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'BadTransform,*'
        "$($e3[0])" | Should -Match ([regex]::Escape($bad))
    }
}

Describe 'New-LesionOverlapMap -Reference' {
    It 'resamples masks on other grids onto the reference by nearest neighbour, one verbose line each' {
        $ref = New-Grid @(20, 20, 16)
        $refPath = Join-Path $TestDrive 'ref.nii.gz'; New-TestMask -Path $refPath -Grid $ref -Box @(0, 0, 0, 0, 0, 0)
        $a = Join-Path $TestDrive 'a.nii.gz'; New-TestMask -Path $a -Grid $ref -Box @(3, 6, 3, 6, 3, 6)
        # On a 2 mm grid voxels 2..3 (centres 4 and 6 mm): nearest of x/2 picks them for x = 3..6 (3.5 → 4 is outside).
        $coarse = New-Grid @(10, 10, 8) @(2, 0, 0, 0, 2, 0, 0, 0, 2)
        $b = Join-Path $TestDrive 'b.nii.gz'; New-TestMask -Path $b -Grid $coarse -Box @(2, 3, 2, 3, 2, 3)
        $out = Join-Path $TestDrive 'overlap.nii.gz'
        $r = New-LesionOverlapMap -Path $a, $b -OutputPath $out -Reference $refPath -Verbose 4>&1
        $verbose = @($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Resampled*' })
        $verbose.Count | Should -Be 1
        $verbose[0].Message | Should -Match 'b\.nii\.gz'
        $res = $r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $res.MaskCount | Should -Be 2
        $res.MaxCount | Should -Be 2
        $count = Import-AtlasVolume $res.CountPath
        ($count.ToFloat64(0) | Measure-Object -Sum).Sum | Should -Be (64 + 64)
        $count.GetValue(4, 4, 4, 0) | Should -Be 2
        # Without -Reference the map still refuses the other grid.
        $null = New-LesionOverlapMap -Path $a, $b -OutputPath (Join-Path $TestDrive 'o2.nii.gz') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -BeGreaterThan 0
        Test-Path (Join-Path $TestDrive 'o2.nii.gz') | Should -BeFalse
    }
}

Describe 'Regeneration with a Grid or a transform object as a parameter' {
    It 'rebuilds when the reference grid or the transform differs in a way its short display hides' {
        $g = New-Grid @(6, 6, 6)
        $img = Join-Path $TestDrive 'g.nii.gz'; $null = New-Image $img $g $script:Value
        $out = Join-Path $TestDrive 'regrid.nii.gz'
        $null = Invoke-AtlasResample -Path $img -Reference (New-Grid @(6, 6, 6) -Origin @(0.5, 0, 0)) -OutputPath $out
        # The same dimensions and voxel size, another origin: the record's parameter text differs.
        $v = Invoke-AtlasResample -Path $img -Reference (New-Grid @(6, 6, 6) -Origin @(1, 0, 0)) -OutputPath $out -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($v | Where-Object { $_.Message -like "Rebuilding $out*" }).Count | Should -Be 1
        (Import-AtlasVolume $out).GetValue(0, 0, 0, 0) | Should -Be 100
        $m = [Atlas.Core.Volumes.AffineMath]::Identity(); $m[0, 1] = 0.001
        ([Atlas.Core.Spatial.AffineTransform]::new($m, $null)).ToString($null, $null) | Should -Not -Be ([Atlas.Core.Spatial.AffineTransform]::Identity.ToString($null, $null))
    }
}
