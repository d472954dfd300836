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

    It 'recovers the known affine (RMS over the template brain within 0.3 mm, issue 13''s target) and writes it as ITK text' {
        $s = $script:Out[0]
        (Get-Content -LiteralPath $s.TransformPath -TotalCount 1) | Should -Be '#Insight Transform File V1.0'
        $s.TransformPath | Should -BeLike "*$($s.ScanId)_from-T1w_to-sampletemplateT1w_mode-image_xfm.txt"
        $est = [Atlas.Core.Spatial.TransformFiles]::Read($s.TransformPath, 'Auto', $null, $null).Matrix
        $truthFile = Join-Path $script:Subjects[0].Directory ([Atlas.Core.Samples.SampleDataset]::TruthFileName($s.ScanId))
        $truth = [Atlas.Core.Samples.SampleDataset]::ReadTruth($truthFile)
        $brain = (Import-AtlasVolume -LiteralPath $script:Sample.TemplateMaskPath).ToMask()
        $rms = [Atlas.Core.Spatial.Registration.SyntheticMove]::RmsErrorMm($est, $truth, $script:Template.Grid, $brain)
        $rms | Should -BeLessThan 0.3
    }

    It '-WholeHeadCost registers on the whole template head: also within 0.3 mm, and recorded as a parameter' {
        $dest = Join-Path $TestDrive 'standard-head'
        $s = @($script:Subjects | ConvertTo-AtlasStandardSpace -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -Destination $dest -WholeHeadCost -NoDeface)[0]
        $est = [Atlas.Core.Spatial.TransformFiles]::Read($s.TransformPath, 'Auto', $null, $null).Matrix
        $truth = [Atlas.Core.Samples.SampleDataset]::ReadTruth((Join-Path $script:Subjects[0].Directory ([Atlas.Core.Samples.SampleDataset]::TruthFileName($s.ScanId))))
        $brain = (Import-AtlasVolume -LiteralPath $script:Sample.TemplateMaskPath).ToMask()
        [Atlas.Core.Spatial.Registration.SyntheticMove]::RmsErrorMm($est, $truth, $script:Template.Grid, $brain) | Should -BeLessThan 0.3
        # Another cost is another result: the two transforms differ, and the record says which one this is.
        (Get-Content -Raw -LiteralPath $s.TransformPath) | Should -Not -Be (Get-Content -Raw -LiteralPath $script:Out[0].TransformPath)
        ([Atlas.Core.Datasets.OutputRecord]::TryRead($s.T1Path)).Parameters['WholeHeadCost'] | Should -Be 'True'
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

    It 'a disk that fills mid-dataset: an error per scan naming its file, nothing half-written, every scan still tried' {
        # A real full disk: a 512 KiB tmpfs as the destination (the masks fit, no standardized T1 does).
        if (-not $IsLinux -or (& id -u) -ne '0') { Set-ItResult -Skipped -Because 'a full disk is made by mounting a small tmpfs, which needs Linux and root'; return }
        $full = Join-Path $TestDrive 'full'
        $null = New-Item -ItemType Directory -Path $full
        $null = & mount -t tmpfs -o size=512k tmpfs $full 2>&1
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'mount -t tmpfs was refused (no CAP_SYS_ADMIN in this container)'; return }
        try {
            $two = Join-Path $TestDrive 'two'
            $null = New-AtlasSampleDataset -Destination $two -SubjectCount 2 -Seed 5 -Standardization
            $subjects = @(Get-AtlasSubject -Path $two | Select-Object -First 2)
            $subjects.Count | Should -Be 2
            $out = @($subjects | ConvertTo-AtlasStandardSpace -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -Destination $full -NoBiasCorrection -ErrorVariable errs -ErrorAction SilentlyContinue)
            $out.Count | Should -Be 0
            # One error per scan (each scan was registered and tried), each naming the scan's output that did not fit.
            $scanErrors = @($errs | Where-Object FullyQualifiedErrorId -Like 'ConvertToAtlasStandardSpaceFailed*')
            $scanErrors.Count | Should -BeGreaterOrEqual 2
            foreach ($s in $subjects) {
                @($scanErrors | Where-Object { "$($_.TargetObject)" -like "*$($s.ScanId)*" }).Count | Should -BeGreaterThan 0 -Because "$($s.ScanId) is named"
            }
            $scanErrors[0].CategoryInfo.Category | Should -Be 'WriteError'
            # Nothing half-written: no temporary file is left, every image there reads whole, and no scan has its
            # transform (the last file of a scan), so a rerun with space standardizes both again.
            $files = @(Get-ChildItem -LiteralPath $full -Recurse -File -Force)
            @($files | Where-Object { $_.Name -like '*.tmp*' -or $_.Name -like '*~*' }).Count | Should -Be 0
            foreach ($f in $files | Where-Object Name -Like '*.nii.gz') { { Import-AtlasVolume -LiteralPath $f.FullName } | Should -Not -Throw -Because $f.FullName }
            @($files | Where-Object Name -Like '*_xfm.txt').Count | Should -Be 0
        }
        finally { $null = & umount $full 2>&1 }
    }

    It 'Test-AtlasDataset reports a failed registration as an Error (and a good one not at all)' {
        $checks = @(Test-AtlasDataset -Path $script:Std)
        $script:Out[0].Verdict | Should -Be 'Good' -Because 'the phantom scan registers well (RMS test above)'
        @($checks | Where-Object Check -EQ 'Registration').Count | Should -Be 0
        # The verdict lives in the standardized T1's own record: a failed one is made by editing that record.
        $record = Join-Path (Split-Path $script:Out[0].T1Path) ('.' + (Split-Path -Leaf $script:Out[0].T1Path) + '.atlas.json')
        $text = Get-Content -Raw -LiteralPath $record
        try {
            $text -replace '"Verdict": "Good"', '"Verdict": "Failed"' -replace '"VerdictReason": ""', '"VerdictReason": "brain overlap 0.41 < 0.75"' | Set-Content -LiteralPath $record -NoNewline
            $found = @(Test-AtlasDataset -Path $script:Std | Where-Object Check -EQ 'Registration')
            $found.Count | Should -Be 1
            $found[0].Severity | Should -Be 'Error'
            $found[0].ScanId | Should -Be $script:Out[0].ScanId
            $found[0].Path | Should -Be $script:Out[0].T1Path
            $found[0].Message | Should -BeLike '*failed its checks (brain overlap 0.41 < 0.75)*'
            { Test-AtlasDataset -Path $script:Std -FailOnError } | Should -Throw
            $page = Join-Path $TestDrive 'qc-failed'
            $null = Get-AtlasSubject -Path $script:Std | New-AtlasQcReport -Destination $page
            (Get-Content -Raw -LiteralPath (Join-Path $page 'index.html')) | Should -Match 'Registration'
        }
        finally { Set-Content -LiteralPath $record -Value $text -NoNewline }
    }

    It 'New-AtlasQcReport outlines the template brain over each standardized T1 (cyan), unless told not to' {
        Add-Type -TypeDefinition 'public static class CyanCount { public static int Of(uint[] px) { int n = 0; foreach (var p in px) if (((p >> 16) & 255) == 0 && ((p >> 8) & 255) == 220 && (p & 255) == 255) n++; return n; } }' -ErrorAction SilentlyContinue
        $with = Join-Path $TestDrive 'qc-outline'
        $without = Join-Path $TestDrive 'qc-no-outline'
        $std = @(Get-AtlasSubject -Path $script:Std)
        $null = $std | New-AtlasQcReport -Destination $with -ImagesBeside
        $null = $std | New-AtlasQcReport -Destination $without -ImagesBeside -NoTemplateOutline
        $a = [Atlas.Core.Rendering.PngCodec]::Read((Get-ChildItem -LiteralPath $with -Recurse -Filter *.png)[0].FullName)
        $b = [Atlas.Core.Rendering.PngCodec]::Read((Get-ChildItem -LiteralPath $without -Recurse -Filter *.png)[0].FullName)
        # An outline of a head-sized brain on three 1-mm planes: hundreds of edge pixels, none without it.
        [CyanCount]::Of($a.Pixels) | Should -BeGreaterThan 300
        [CyanCount]::Of($b.Pixels) | Should -Be 0
        # The slices stay on the lesion: the outline is a reference, not part of what the slices aim at.
        $a.Width | Should -Be $b.Width
    }

    It 'New-AtlasQcReport -TemplateMask that is not an image is an InvalidData error naming it' {
        $bad = Join-Path $TestDrive 'bad-mask.nii.gz'
        Set-Content -LiteralPath $bad -Value 'hello'
        $err = { Get-AtlasSubject -Path $script:Std | New-AtlasQcReport -Destination (Join-Path $TestDrive 'qc-bad') -TemplateMask $bad } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -BeLike '*bad-mask.nii.gz*'
        Test-Path (Join-Path $TestDrive 'qc-bad') | Should -BeFalse
    }
}

Describe 'Invoke-AtlasDeface' {
    BeforeAll {
        $script:Scan = $script:Subjects[0]
        # The known template-to-scan affine of the sample scan, as an ITK file, and the template's face and brain
        # brought onto the scan's grid through it (nearest neighbour): the truth the defacing is judged by.
        $truthFile = Join-Path $script:Scan.Directory ([Atlas.Core.Samples.SampleDataset]::TruthFileName($script:Scan.ScanId))
        $script:Truth = [Atlas.Core.Spatial.AffineTransform]::new([Atlas.Core.Samples.SampleDataset]::ReadTruth($truthFile))
        $script:TruthPath = Join-Path $TestDrive 'truth.txt'
        $script:In = Import-AtlasVolume -LiteralPath $script:Scan.T1Path
        [Atlas.Core.Spatial.TransformFiles]::Write($script:TruthPath, $script:Truth, 'Itk', $script:Template.Grid, $script:In.Grid)
        $brainVol = Import-AtlasVolume -LiteralPath $script:Sample.TemplateMaskPath
        $faceVol = [Atlas.Core.Volumes.AtlasVolume]::FromMask($script:Template.Grid, [Atlas.Core.Spatial.StandardSpace]::FaceRegion($script:Template, $brainVol), $null)
        $back = $script:Truth.Inverse()
        $script:NativeFace = [Atlas.Core.Spatial.Resampler]::Resample($faceVol, $script:In.Grid, $back, 'Nearest').ToMask()
        $script:NativeBrain = [Atlas.Core.Spatial.Resampler]::Resample($brainVol, $script:In.Grid, $back, 'Nearest').ToMask()
        Add-Type -TypeDefinition @'
public static class DefaceCheck {
    // [changed to 0, changed to anything else, face voxels that were non-zero, of those now 0, brain voxels changed]
    public static long[] Of(float[] before, float[] after, byte[] face, byte[] brain) {
        long zeroed = 0, other = 0, face0 = 0, faceHit = 0, brainHit = 0;
        for (int i = 0; i < before.Length; i++) {
            bool changed = before[i] != after[i];
            if (changed && after[i] == 0) zeroed++; else if (changed) other++;
            if (face[i] != 0 && before[i] != 0) { face0++; if (after[i] == 0) faceHit++; }
            if (brain[i] != 0 && changed) brainHit++;
        }
        return new[] { zeroed, other, face0, faceHit, brainHit };
    }
}
'@ -ErrorAction SilentlyContinue
    }

    It 'through the known transform: the face is zeroed, nothing else changes, no brain voxel is touched' {
        $out = Join-Path $TestDrive 'defaced_truth.nii.gz'
        $r = Invoke-AtlasDeface -Path $script:Scan.T1Path -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -TransformPath $script:TruthPath -OutputPath $out
        $after = Import-AtlasVolume -LiteralPath $out
        $after.Grid.Matches($script:In.Grid) | Should -BeTrue
        $after.DataType | Should -Be $script:In.DataType
        $zeroed, $other, $face, $hit, $brain = [DefaceCheck]::Of($script:In.ToFloat32(), $after.ToFloat32(), $script:NativeFace, $script:NativeBrain)
        $other | Should -Be 0
        $zeroed | Should -Be $r.ZeroedVoxels
        $face | Should -BeGreaterThan 1000
        ($hit / $face) | Should -BeGreaterOrEqual 0.95
        $brain | Should -Be 0
    }

    It 'through a registration made here: >= 95 % of the face zeroed, no brain voxel touched, the verdict in the record' {
        $out = Join-Path $TestDrive 'defaced_reg.nii.gz'
        $r = Invoke-AtlasDeface -Path $script:Scan.T1Path -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -LesionMask $script:Scan.LesionMaskPaths[0] -OutputPath $out
        $r.Verdict | Should -Not -BeNullOrEmpty
        $zeroed, $other, $face, $hit, $brain = [DefaceCheck]::Of($script:In.ToFloat32(), (Import-AtlasVolume -LiteralPath $out).ToFloat32(), $script:NativeFace, $script:NativeBrain)
        $other | Should -Be 0
        ($hit / $face) | Should -BeGreaterOrEqual 0.95
        $brain | Should -Be 0
        # A rerun keeps the file and gives the record of the run that wrote it.
        $again = Invoke-AtlasDeface -Path $script:Scan.T1Path -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -LesionMask $script:Scan.LesionMaskPaths[0] -OutputPath $out -Verbose 4>&1
        @($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Kept existing*' }).Count | Should -Be 1
        @($again | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })[0].ZeroedVoxels | Should -Be $r.ZeroedVoxels
    }

    It '-WhatIf writes nothing; the T1 itself is never the output' {
        $out = Join-Path $TestDrive 'whatif_defaced.nii.gz'
        Invoke-AtlasDeface -Path $script:Scan.T1Path -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -TransformPath $script:TruthPath -OutputPath $out -WhatIf
        Test-Path -LiteralPath $out | Should -BeFalse
        $copy = Join-Path $TestDrive 'copy_t1.nii.gz'
        Copy-Item -LiteralPath $script:Scan.T1Path -Destination $copy
        $err = $null
        Invoke-AtlasDeface -Path $copy -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -TransformPath $script:TruthPath -OutputPath $copy -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -BeLike '*names the T1 itself*'
    }

    It 'without -TemplateMask takes the brain mask beside the template (the same voxels zeroed); none there is an error saying what to give' {
        $with = Invoke-AtlasDeface -Path $script:Scan.T1Path -Template $script:Sample.TemplatePath -TemplateMask $script:Sample.TemplateMaskPath -TransformPath $script:TruthPath -OutputPath (Join-Path $TestDrive 'with_mask.nii.gz')
        $found = Invoke-AtlasDeface -Path $script:Scan.T1Path -Template $script:Sample.TemplatePath -TransformPath $script:TruthPath -OutputPath (Join-Path $TestDrive 'found_mask.nii.gz') -Verbose 4>&1
        $verbose = @($found | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $result = @($found | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $result[0].ZeroedVoxels | Should -Be $with.ZeroedVoxels
        ($verbose.Message -join ' ') | Should -BeLike '*sample_template_brainmask.nii.gz*'
        $alone = Join-Path $TestDrive 'alone'
        $null = New-Item -ItemType Directory -Path $alone
        Copy-Item -LiteralPath $script:Sample.TemplatePath -Destination $alone
        $err = $null
        Invoke-AtlasDeface -Path $script:Scan.T1Path -Template (Join-Path $alone (Split-Path -Leaf $script:Sample.TemplatePath)) -TransformPath $script:TruthPath -OutputPath (Join-Path $TestDrive 'no_mask.nii.gz') -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike 'Give -TemplateMask*sample_template_T1w.nii.gz*sample_template_brainmask.nii.gz*'
        Test-Path (Join-Path $TestDrive 'no_mask.nii.gz') | Should -BeFalse
    }

    It 'a template that is not an image is an InvalidData error naming it' {
        $bad = Join-Path $TestDrive 'not-a-template.nii.gz'
        Set-Content -LiteralPath $bad -Value 'hello'
        $err = $null
        Invoke-AtlasDeface -Path $script:Scan.T1Path -Template $bad -TemplateMask $script:Sample.TemplateMaskPath -TransformPath $script:TruthPath -OutputPath (Join-Path $TestDrive 'bad.nii.gz') -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].Exception.Message | Should -BeLike '*not-a-template.nii.gz*'
    }
}
