# Measure-LesionOverlap / Measure-RaterReliability: inputs (paths, volumes, subjects, CSV rows),
# hand-worked values, empty-mask warnings, grid errors naming both files, -Summary, completion.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Dir = Join-Path $TestDrive 'masks'
    New-Item -ItemType Directory -Path $script:Dir | Out-Null

    # Cube A = 2..5 in i, j, k; B = the same cube moved one voxel along i (worked in the xunit tests:
    # Dice 0.75, Jaccard 0.6, Hausdorff 1 mm, 20 of each surface's 56 voxels at 1 mm -> ASD 40/112).
    $script:A = Join-Path $script:Dir 'a.nii.gz'
    $script:B = Join-Path $script:Dir 'b.nii.gz'
    $null = New-TestMask -Dims 12, 12, 12 -Box 2, 5, 2, 5, 2, 5 -Path $script:A
    $null = New-TestMask -Dims 12, 12, 12 -Box 3, 6, 2, 5, 2, 5 -Path $script:B
    $script:Empty = Join-Path $script:Dir 'empty.nii.gz'
    $null = New-TestMask -Dims 12, 12, 12 -Path $script:Empty
    $script:Other = Join-Path $script:Dir 'other-grid.nii.gz'
    $null = New-TestMask -Dims 12, 12, 13 -Box 2, 5, 2, 5, 2, 5 -Path $script:Other
}

Describe 'Measure-LesionOverlap' {
    It 'compares two files with the hand-worked values' {
        $r = Measure-LesionOverlap -Reference $script:A -Candidate $script:B
        $r | Should -BeOfType ([Atlas.Core.Metrics.LesionOverlap])
        $r.Dice | Should -Be 0.75
        $r.Jaccard | Should -BeLessThan 0.6000001
        $r.Jaccard | Should -BeGreaterThan 0.5999999
        $r.TruePositiveVoxels | Should -Be 48
        $r.HausdorffMm | Should -Be 1
        [math]::Abs($r.AverageSurfaceDistanceMm - 40 / 112) | Should -BeLessThan 1e-12
        $r.ReferencePath | Should -Be $script:A
        $r.LesionF1 | Should -Be 1
    }

    It 'resolves relative paths against the PowerShell location and takes volumes and FileInfo' {
        Push-Location $script:Dir
        try { (Measure-LesionOverlap a.nii.gz b.nii.gz).Dice | Should -Be 0.75 } finally { Pop-Location }
        $va = Import-AtlasVolume -Path $script:A
        (Measure-LesionOverlap -Reference $va -Candidate (Get-Item $script:B)).Dice | Should -Be 0.75
    }

    It 'binds Reference, Candidate and SubjectId by property name (a CSV of pairs)' {
        $rows = @(
            [pscustomobject]@{ SubjectId = 's1'; Reference = $script:A; Candidate = $script:B }
            [pscustomobject]@{ SubjectId = 's2'; Reference = $script:A; Candidate = $script:A }
        )
        $out = @($rows | Measure-LesionOverlap)
        $out.Count | Should -Be 2
        $out[0].SubjectId | Should -Be 's1'
        $out[1].Dice | Should -Be 1
        $out[1].HausdorffMm | Should -Be 0
    }

    It 'takes subjects with mask kinds and scriptblocks, and adds SubjectId' {
        $s = [Atlas.Core.Datasets.AtlasSubject]::new()
        $s.SubjectId = 'c0001s0001t01'
        $s.LesionMaskPaths = @($script:A)
        $s.SmoothLesionMaskPaths = @($script:A)
        $s.RawLesionMaskPaths = @($script:B)
        $r = $s | Measure-LesionOverlap -Reference LesionSmooth -Candidate LesionRaw
        $r.SubjectId | Should -Be 'c0001s0001t01'
        $r.Dice | Should -Be 0.75
        $r2 = $s | Measure-LesionOverlap -Reference Lesion -Candidate { $_.RawLesionMaskPaths[0] }
        $r2.Dice | Should -Be 0.75
    }

    It 'reports a subject without the mask kind as an error and goes on' {
        $s = [Atlas.Core.Datasets.AtlasSubject]::new()
        $s.SubjectId = 'nomask'
        $t = [Atlas.Core.Datasets.AtlasSubject]::new()
        $t.SubjectId = 'ok'; $t.LesionMaskPaths = @($script:A); $t.RawLesionMaskPaths = @($script:A)
        $out = @($s, $t | Measure-LesionOverlap -Reference Lesion -Candidate LesionRaw -ErrorVariable ev -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Match '^MaskKindNotFound'
        "$($ev[0])" | Should -Match 'nomask'
    }

    It 'warns with both names when exactly one mask is empty: Dice 0, distances NaN' {
        $r = Measure-LesionOverlap -Reference $script:A -Candidate $script:Empty -WarningVariable wv -WarningAction SilentlyContinue
        $r.Dice | Should -Be 0
        [double]::IsNaN($r.HausdorffMm) | Should -BeTrue
        [double]::IsNaN($r.Hausdorff95Mm) | Should -BeTrue
        $r.EmptyMasks | Should -Be 'Candidate'
        $wv.Count | Should -Be 1
        "$($wv[0])" | Should -Match 'a\.nii\.gz'
        "$($wv[0])" | Should -Match 'empty\.nii\.gz'
    }

    It 'treats two empty masks as perfect agreement, with a warning' {
        $r = Measure-LesionOverlap -Reference $script:Empty -Candidate $script:Empty -WarningVariable wv -WarningAction SilentlyContinue
        $r.Dice | Should -Be 1
        $r.HausdorffMm | Should -Be 0
        $r.LesionF1 | Should -Be 1
        $wv.Count | Should -Be 1
    }

    It 'refuses masks on different grids with an error naming both files' {
        $r = Measure-LesionOverlap -Reference $script:A -Candidate $script:Other -ErrorVariable ev -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Match '^GridMismatch'
        $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $ev[0].TargetObject | Should -Be $script:Other
        "$($ev[0])" | Should -Match 'a\.nii\.gz'
        "$($ev[0])" | Should -Match 'other-grid\.nii\.gz'
    }

    It 'reports a missing file as ObjectNotFound naming it' {
        $missing = Join-Path $script:Dir 'missing.nii.gz'
        $null = Measure-LesionOverlap -Reference $script:A -Candidate $missing -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($ev[0])" | Should -Match 'missing\.nii\.gz'
    }

    It 'counts lesions with the chosen connectivity' {
        # Reference: two voxels touching by an edge (2,2,2)+(3,3,2); candidate: (2,2,2).
        # 6-connected: 2 lesions, one found (F1 = 1/(1 + 1/2)); 18 or 26: 1 lesion, found.
        $g = [Atlas.Core.Volumes.Grid]::Create(8, 8, 8, 1, 1, 1)
        $m = [byte[]]::new(512); $m[$g.Index(2, 2, 2)] = 1; $m[$g.Index(3, 3, 2)] = 1
        $c = [byte[]]::new(512); $c[$g.Index(2, 2, 2)] = 1
        $rv = [Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $m, $null)
        $cv = [Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $c, $null)
        $r6 = Measure-LesionOverlap $rv $cv -Connectivity 6
        $r6.ReferenceLesions | Should -Be 2
        $r6.LesionFalseNegatives | Should -Be 1
        [math]::Abs($r6.LesionF1 - 2 / 3) | Should -BeLessThan 1e-12
        $r6.LesionCountDifference | Should -Be 1
        (Measure-LesionOverlap $rv $cv -Connectivity 18).ReferenceLesions | Should -Be 1
        (Measure-LesionOverlap $rv $cv).Connectivity | Should -Be 26
        { Measure-LesionOverlap $rv $cv -Connectivity 8 } | Should -Throw
    }

    It 'selects one label of label maps with -Label' {
        $g = [Atlas.Core.Volumes.Grid]::Create(8, 8, 8, 1, 1, 1)
        $lab = [int16[]]::new(512)
        foreach ($i in 0..1) { $lab[$g.Index($i, 0, 0)] = 1 }
        foreach ($i in 4..6) { $lab[$g.Index($i, 4, 4)] = 2 }
        $v = [Atlas.Core.Volumes.AtlasVolume]::FromArray($g, $lab, 'Int16', $null)
        $r = Measure-LesionOverlap $v $v -Label 2
        $r.ReferenceVoxels | Should -Be 3
        (Measure-LesionOverlap $v $v).ReferenceVoxels | Should -Be 5
    }

    It 'uses -Percentile for Hausdorff95Mm' {
        $r = Measure-LesionOverlap $script:A $script:B -Percentile 50
        $r.Hausdorff95Mm | Should -Be 0          # 36 of 56 directed distances are 0
        $r.Percentile | Should -Be 50
    }

    It 'appends Mean, SD, Median, Min and Max rows with -Summary, and exports a tidy CSV' {
        $rows = @(
            [pscustomobject]@{ SubjectId = 's1'; Reference = $script:A; Candidate = $script:B }
            [pscustomobject]@{ SubjectId = 's2'; Reference = $script:A; Candidate = $script:A }
        )
        $out = @($rows | Measure-LesionOverlap -Summary)
        $out.Count | Should -Be 7
        ($out | Select-Object -Skip 2).Statistic | Should -Be @('Mean', 'SD', 'Median', 'Min', 'Max')
        $out[2].Dice | Should -Be 0.875
        [math]::Abs($out[3].Dice - [math]::Sqrt(2 * 0.125 * 0.125)) | Should -BeLessThan 1e-12
        $out[5].Dice | Should -Be 0.75
        $csv = Join-Path $TestDrive 'overlap.csv'
        $out | Export-Csv -Path $csv -NoTypeInformation
        $back = Import-Csv $csv
        @($back).Count | Should -Be 7
        $back[0].PSObject.Properties.Name | Should -Contain 'HausdorffMm'
        $back[0].PSObject.Properties.Name | Should -Contain 'SubjectId'
    }

    It 'completes the mask kinds' {
        $line = 'Measure-LesionOverlap -Reference LesionS'
        $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $c.CompletionMatches.CompletionText | Should -Be @('LesionSmooth')
        $line = 'Measure-LesionOverlap -Reference Lesion -Candidate '
        $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $c.CompletionMatches.CompletionText | Should -Be @('Lesion', 'LesionSmooth', 'LesionRaw')
    }

    It 'agrees with scipy on AAL and Brodmann regions' {

        if ($why = Get-PeerSkipReason mricron-data -File aal.nii.gz) { Set-ItResult -Skipped -Because $why; return }
        # /usr/bin/python3 tests/reference/metrics_reference.py -> calcarine_L-BA17 (AAL 43 vs Brodmann 17):
        # Dice 0.4481586051975352, HD 27.313000567495326, HD95 20.223748416156685, ASD 5.136331818149017.
        $t = '/usr/share/mricron/templates'
        # -Label applies to both maps, so the two regions are cut out as volumes first.
        $aal = Import-AtlasVolume "$t/aal.nii.gz"; $ba = Import-AtlasVolume "$t/brodmann.nii.gz"
        $ra = [Atlas.Core.Volumes.AtlasVolume]::FromMask($aal.Grid, $aal.ToLabelMask(43, 0), $null)
        $cb = [Atlas.Core.Volumes.AtlasVolume]::FromMask($ba.Grid, $ba.ToLabelMask(17, 0), $null)
        $r = Measure-LesionOverlap $ra $cb
        [math]::Abs($r.Dice - 0.4481586051975352) | Should -BeLessThan 1e-12
        [math]::Abs($r.HausdorffMm - 27.313000567495326) | Should -BeLessThan 1e-9
        [math]::Abs($r.Hausdorff95Mm - 20.223748416156685) | Should -BeLessThan 1e-9
        [math]::Abs($r.AverageSurfaceDistanceMm - 5.136331818149017) | Should -BeLessThan 1e-9
    }
}

Describe 'Measure-RaterReliability' {
    BeforeAll {
        # Subject s1: raters r1, r2, r3 trace cubes at i0 = 2, 3, 4 (attempt 1) and 2, 3, 3 (attempt 2).
        $script:RelDir = Join-Path $TestDrive 'raters'
        New-Item -ItemType Directory -Path $script:RelDir | Out-Null
        $script:Tracings = foreach ($t in @(
                @('r1', 1, 2), @('r2', 1, 3), @('r3', 1, 4),
                @('r1', 2, 2), @('r2', 2, 3), @('r3', 2, 3))) {
            $name = "s1_$($t[0])_$($t[1]).nii.gz"
            $i0 = $t[2]
            $null = New-TestMask -Dims 12, 12, 12 -Box $i0, ($i0 + 3), 2, 5, 2, 5 -Path (Join-Path $script:RelDir $name)
            [pscustomobject]@{ SubjectId = 's1'; Rater = $t[0]; Attempt = $t[1]; MaskPath = $name }
        }
        $script:Csv = Join-Path $script:RelDir 'tracings.csv'
        $script:Tracings | Export-Csv -Path $script:Csv -NoTypeInformation
    }

    It 'reads a CSV with paths relative to it and reports the paper''s summaries' {
        $rep = Measure-RaterReliability -Path $script:Csv
        $rep | Should -BeOfType ([Atlas.Core.Metrics.RaterReliabilityReport])
        $rep.Tracings | Should -Be 6
        # Attempt 1: Dice r1-r2 0.75, r1-r3 0.5, r2-r3 0.75 -> rater means 0.625, 0.75, 0.625.
        $a1 = $rep.Summary | Where-Object { $_.Analysis -eq 'InterRater' -and $_.SubjectId -eq 's1' -and $_.Attempt -eq '1' }
        [math]::Abs($a1.DiceMean - 2 / 3) | Should -BeLessThan 1e-12
        [math]::Abs($a1.DiceSD - [math]::Sqrt(3 / 576)) | Should -BeLessThan 1e-12
        # Intra-rater: r1 1, r2 1, r3 0.75 (its cube moved one voxel).
        $intra = $rep.Summary | Where-Object { $_.Analysis -eq 'IntraRater' -and $_.SubjectId -eq 'All' -and $_.Rater -eq 'All' }
        [math]::Abs($intra.DiceMean - 2.75 / 3) | Should -BeLessThan 1e-12
        ($rep.Pairs | Where-Object Analysis -EQ 'IntraRater').Count | Should -Be 3
    }

    It 'takes tracings from the pipeline (absolute paths) and gives the same report' {
        $rows = $script:Tracings | ForEach-Object {
            [pscustomobject]@{ SubjectId = $_.SubjectId; Rater = $_.Rater; Attempt = $_.Attempt; MaskPath = (Join-Path $script:RelDir $_.MaskPath) }
        }
        $rep = $rows | Measure-RaterReliability
        @($rep).Count | Should -Be 1
        @($rep.Pairs).Count | Should -Be 9
    }

    It 'computes ICC(2,1) and ICC(3,1) of volumes when there are several subjects' {
        # s2: three raters trace cubes of 2, 3, 4 slices (32, 48, 64 voxels) -> volumes differ between raters.
        $rows = [System.Collections.Generic.List[object]]::new()
        foreach ($t in $script:Tracings) { $rows.Add([pscustomobject]@{ SubjectId = 's1'; Rater = $t.Rater; Attempt = $t.Attempt; MaskPath = (Join-Path $script:RelDir $t.MaskPath) }) }
        foreach ($x in @(@('r1', 3), @('r2', 4), @('r3', 5))) {
            foreach ($att in 1, 2) {
                $p = Join-Path $script:RelDir "s2_$($x[0])_$att.nii.gz"
                $null = New-TestMask -Dims 12, 12, 12 -Box 2, 5, 2, 5, 2, $x[1] -Path $p
                $rows.Add([pscustomobject]@{ SubjectId = 's2'; Rater = $x[0]; Attempt = $att; MaskPath = $p })
            }
        }
        $rep = $rows | Measure-RaterReliability
        $icc = $rep.Icc | Where-Object { $_.Analysis -eq 'InterRater' -and $_.Scope -eq 'Attempt 1' }
        $icc.Model | Should -Be @('ICC(2,1)', 'ICC(3,1)')
        # Table (subjects x raters): s1 64 64 64, s2 32 48 64. Row means 64, 48; grand 56; column means 48, 56, 64.
        # SS total = 3*8^2 + 24^2 + 8^2 + 8^2 = 896; BMS = 3*(8^2+8^2)/1 = 384; JMS = 2*(8^2+0+8^2)/2 = 128;
        # EMS = (896 - 384 - 256)/2 = 128. ICC(3,1) = (384-128)/(384+2*128) = 0.4; ICC(2,1) adds
        # 3*(JMS-EMS)/2 = 0 to the denominator, so it is 0.4 too.
        [math]::Abs($icc[1].Icc - 0.4) | Should -BeLessThan 1e-12
        [math]::Abs($icc[0].Icc - 0.4) | Should -BeLessThan 1e-12
        $icc[0].Subjects | Should -Be 2
        $icc[0].Raters | Should -Be 3
    }

    It 'rejects a row without MaskPath with an error and stops on an unreadable mask naming it' {
        $bad = [pscustomobject]@{ SubjectId = 's1'; Rater = 'x'; Attempt = 1 }
        $null = $bad | Measure-RaterReliability -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Match '^IncompleteTracing'
        # From a CSV, the error names the file and the row.
        $badCsv = Join-Path $TestDrive 'incomplete.csv'
        Set-Content -Path $badCsv -Value "SubjectId,Rater,Attempt,MaskPath`ns1,a,1,`n"
        $null = Measure-RaterReliability -Path $badCsv -ErrorVariable ev2 -ErrorAction SilentlyContinue
        $ev2[0].FullyQualifiedErrorId | Should -Match '^IncompleteTracing'
        $ev2[0].TargetObject | Should -Be $badCsv
        $ev2[0].Exception.Message | Should -BeLike "*incomplete.csv, data row 1*"
        # One tracing alone: nothing to compare, said in a warning.
        $lone = [pscustomobject]@{ SubjectId = 's1'; Rater = 'a'; Attempt = 1; MaskPath = $script:A } | Measure-RaterReliability -WarningVariable w -WarningAction SilentlyContinue
        $lone.Pairs.Count | Should -Be 0
        ($w -join ' ') | Should -BeLike '*No subject has two tracings*'
        $rows = @(
            [pscustomobject]@{ SubjectId = 's1'; Rater = 'a'; Attempt = 1; MaskPath = $script:A }
            [pscustomobject]@{ SubjectId = 's1'; Rater = 'b'; Attempt = 1; MaskPath = (Join-Path $TestDrive 'nope.nii.gz') }
        )
        { $rows | Measure-RaterReliability -ErrorAction Stop } | Should -Throw -ExpectedMessage '*nope.nii.gz*'
    }
}
