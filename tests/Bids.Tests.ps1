# Convert-AtlasToBids: hand-made trees and the sample dataset to BIDS; -WhatIf, reruns, a killed run,
# collisions, grid mismatches, and the real bids-validator 1.15.0 (npm) on the result.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest

    $script:NoValidator = Get-PeerSkipReason bids-validator
    $script:HasValidator = -not $script:NoValidator
    $script:Validator = if ($script:HasValidator) { (Get-Command bids-validator -CommandType Application | Select-Object -First 1).Source }
    $script:ModulePath = Join-Path (Get-Module Atlas.Psm).ModuleBase 'Atlas.Psm.psd1'

    function New-TestVolume([int[]] $Dims, [double[]] $Vox, [string] $Path, [int] $Seed, [switch] $Mask, [int[][]] $Voxels) {
        # Writes a small image with the engine: a T1 (int16 pseudo-random) or a mask with the listed voxels set.
        $g = [Atlas.Core.Volumes.Grid]::Create($Dims[0], $Dims[1], $Dims[2], $Vox[0], $Vox[1], $Vox[2])
        $n = $Dims[0] * $Dims[1] * $Dims[2]
        if ($Mask) {
            $m = [byte[]]::new($n)
            foreach ($v in $Voxels) { $m[$g.Index($v[0], $v[1], $v[2])] = 1 }
            $vol = [Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $m, $null)
        } else {
            $bytes = [byte[]]::new($n * 2)
            ([Random]::new($Seed)).NextBytes($bytes)
            $a = [short[]]::new($n)
            [Buffer]::BlockCopy($bytes, 0, $a, 0, $bytes.Length)
            $vol = [Atlas.Core.Volumes.AtlasVolume]::FromArray($g, $a, [Atlas.Core.Nifti.NiftiDataType]::Int16, $null)
        }
        New-Item -ItemType Directory -Force -Path (Split-Path $Path) | Out-Null
        [Atlas.Core.Nifti.NiftiWriter]::Write($vol, $Path, $null)
    }

    function New-TestScan([string] $Root, [string] $Cohort, [string] $Subject, [int] $Session, [int[]] $Dims = @(8, 8, 6),
        [double[]] $Vox = @(1, 1, 1), [string] $T1Ext = '.nii.gz', [int] $MaskCount = 1, [System.Collections.IDictionary] $Metadata = @{}) {
        # One R1.1 native scan (cXXXX/cXXXXsXXXXtXX/) as an AtlasSubject, the way Get-AtlasSubject describes it.
        $id = '{0}{1}t{2:00}' -f $Cohort, $Subject, $Session
        $dir = Join-Path $Root "$Cohort/$id"
        $t1 = Join-Path $dir "$id$T1Ext"
        New-TestVolume -Dims $Dims -Vox $Vox -Path $t1 -Seed ($Session * 10000 + [int]$Subject.Substring(1))
        $masks = for ($m = 0; $m -lt $MaskCount; $m++) {
            $p = Join-Path $dir ($(if ($m -eq 0) { "${id}_LesionSmooth.nii.gz" } else { "${id}_LesionSmooth_$m.nii.gz" }))
            New-TestVolume -Dims $Dims -Vox $Vox -Path $p -Mask -Voxels @(@(($m + 1), 1, 1), @(($m + 1), 2, 1))
            $p
        }
        $s = [Atlas.Core.Datasets.AtlasSubject]::new()
        $s.SubjectId = $id; $s.ScanId = $id; $s.Cohort = $Cohort; $s.Subject = $Subject; $s.Session = $Session
        $s.Layout = 'Native'; $s.Space = 'Native'; $s.Root = $Root; $s.Directory = $dir; $s.T1Path = $t1
        $s.LesionMaskPaths = [string[]]@($masks); $s.SmoothLesionMaskPaths = [string[]]@($masks)
        foreach ($k in $Metadata.Keys) { $s.Metadata[$k] = $Metadata[$k] }
        return $s
    }

    function Invoke-BidsValidator([string] $Dataset) {
        # bids-validator --json: error lines "KEY: files" and the warning keys.
        $json = (& $script:Validator $Dataset --json 2>$null) -join "`n"
        $report = $json.Substring($json.IndexOf('{')) | ConvertFrom-Json
        [pscustomobject]@{
            Errors   = @($report.issues.errors | ForEach-Object { "$($_.key): $(@($_.files | ForEach-Object { $_.file.relativePath }) -join ', ')" })
            Warnings = @($report.issues.warnings | ForEach-Object { $_.key } | Sort-Object -Unique)
        }
    }

    function Get-SlowSource {
        # 16 scans with 96x96x64 int16 .nii T1s (compressed on the way), so a run is still busy when stopped; made once.
        $root = Join-Path $TestDrive 'src-slow'
        if (-not (Test-Path $root)) {
            for ($i = 1; $i -le 16; $i++) { $null = New-TestScan -Root $root -Cohort c0009 -Subject ('s{0:0000}' -f $i) -Session 1 -Dims 96, 96, 64 -T1Ext '.nii' }
        }
        return $root
    }

    function Get-SlowSubjects([string] $Root) {
        foreach ($dir in Get-ChildItem -LiteralPath (Join-Path $Root 'c0009') -Directory | Sort-Object Name) {
            $o = [Atlas.Core.Datasets.AtlasSubject]::new()
            $o.SubjectId = $dir.Name; $o.ScanId = $dir.Name; $o.Cohort = 'c0009'; $o.Subject = $dir.Name.Substring(5, 5); $o.Session = 1
            $o.T1Path = Join-Path $dir.FullName "$($dir.Name).nii"
            $o.LesionMaskPaths = [string[]]@(Join-Path $dir.FullName "$($dir.Name)_LesionSmooth.nii.gz")
            $o
        }
    }

    function Get-TreeSnapshot([string] $Root) {
        # Relative path -> SHA-256 of every file (hidden ones too).
        $h = [ordered]@{}
        Get-ChildItem -LiteralPath $Root -Recurse -File -Force | Sort-Object FullName | ForEach-Object {
            $h[[IO.Path]::GetRelativePath($Root, $_.FullName)] = (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash
        }
        return $h
    }

    $script:Src = Join-Path $TestDrive 'src'
    $script:Subjects = @(
        New-TestScan -Root $script:Src -Cohort c0001 -Subject s0002 -Session 1 -MaskCount 2 -Metadata ([ordered]@{ ScannerStrength = '3T'; ScannerBrand = 'Siemens'; StrokeType = 'ischemic' })
        New-TestScan -Root $script:Src -Cohort c0001 -Subject s0002 -Session 2 -T1Ext '.nii' -Metadata ([ordered]@{ ScannerStrength = '3T'; ScannerBrand = 'Siemens'; StrokeType = 'ischemic' })
        New-TestScan -Root $script:Src -Cohort c0002 -Subject s0001 -Session 1 -Dims 6, 6, 4 -Vox 0.9, 0.9, 3 -Metadata ([ordered]@{ ScannerStrength = 1.5; ScannerBrand = 'GE'; StrokeType = 'hemorrhagic' })
    )
}

Describe 'Convert-AtlasToBids on a hand-made native tree' {
    It 'writes the BIDS names, one record per scan, and copies .nii.gz sources byte for byte' {
        $dest = Join-Path $TestDrive 'bids1'
        $r = @($script:Subjects | Convert-AtlasToBids -Destination $dest)
        $r.Count | Should -Be 3
        ($r | ForEach-Object { "$($_.SubjectId)->$($_.BidsSubject)/$($_.BidsSession)" }) |
            Should -Be @('c0001s0002t01->sub-c0001s0002/ses-1', 'c0001s0002t02->sub-c0001s0002/ses-2', 'c0002s0001t01->sub-c0002s0001/ses-1')
        $r[0].FilesWritten | Should -Be 4   # T1w, sidecar, merged mask, mask sidecar
        $r[0].FilesSkipped | Should -Be 0
        $r[0].T1wPath | Should -Be (Join-Path $dest 'sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.nii.gz')
        (Get-FileHash $r[0].T1wPath).Hash | Should -Be (Get-FileHash $script:Subjects[0].T1Path).Hash
        # The .nii source is rewritten as .nii.gz with the same voxels.
        $a = Import-AtlasVolume -LiteralPath $script:Subjects[1].T1Path
        $b = Import-AtlasVolume -LiteralPath $r[1].T1wPath
        [Linq.Enumerable]::SequenceEqual([short[]]$a.Data, [short[]]$b.Data) | Should -BeTrue
        # Two masks (voxels (1,1,1),(1,2,1) and (2,1,1),(2,2,1)) merged into one of 4 voxels.
        $merged = Join-Path $dest 'derivatives/lesions/sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_label-L_desc-T1lesion_mask.nii.gz'
        $mv = Import-AtlasVolume -LiteralPath $merged
        ($mv.ToMask(0) | Measure-Object -Sum).Sum | Should -Be 4
        Get-Content -Raw (Join-Path $dest 'participants.tsv') | Should -Be ("participant_id`tcohort`tscanner_strength`tscanner_brand`tstroke_type`n" +
            "sub-c0001s0002`tc0001`t3T`tSiemens`tischemic`nsub-c0002s0001`tc0002`t1.5`tGE`themorrhagic`n")
        $side = Get-Content -Raw (Join-Path $dest 'sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_T1w.json') | ConvertFrom-Json
        $side.MagneticFieldStrength | Should -Be 1.5
        $side.Manufacturer | Should -Be 'GE'
        @($side.PSObject.Properties).Count | Should -Be 2
        $desc = Get-Content -Raw (Join-Path $dest 'dataset_description.json') | ConvertFrom-Json
        $desc.DatasetType | Should -Be 'raw'
        $desc.GeneratedBy[0].Name | Should -Be 'Atlas.Psm'
        $desc.GeneratedBy[0].Version | Should -Be (Get-Module Atlas.Psm).Version.ToString(3)
        (Get-Content -Raw (Join-Path $dest 'derivatives/lesions/dataset_description.json') | ConvertFrom-Json).DatasetType | Should -Be 'derivative'
        Test-Path (Join-Path $dest 'sub-c0001s0002/sub-c0001s0002_sessions.tsv') | Should -BeTrue
        Test-Path (Join-Path $dest 'sub-c0002s0001/sub-c0002s0001_sessions.tsv') | Should -BeFalse
        $map = Import-Csv -Delimiter "`t" -LiteralPath (Join-Path $dest 'sourcedata/atlas_to_bids.tsv')
        $row = $map | Where-Object bids_path -eq 'sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_T1w.nii.gz'
        $row.operation | Should -Be 'compress'
        $row.source_sha256 | Should -Be (Get-FileHash $script:Subjects[1].T1Path).Hash.ToLowerInvariant()
        $row.bids_sha256 | Should -Be (Get-FileHash $r[1].T1wPath).Hash.ToLowerInvariant()
    }

    It 'accepts subjects wrapped in PSObjects and rejects other objects with an error' {
        $dest = Join-Path $TestDrive 'bids-wrapped'
        $wrapped = [psobject]::new($script:Subjects[2])
        $wrapped | Add-Member -NotePropertyName Extra -NotePropertyValue 1
        $r = @($wrapped, 'not a subject' | Convert-AtlasToBids -Destination $dest -ErrorVariable errs -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 1
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NotAnAtlasSubject*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidType'
    }

    It '-WhatIf lists every file it would write and writes none' {
        $dest = Join-Path $TestDrive 'bids-whatif'
        $real = Join-Path $TestDrive 'bids-whatif-real'
        $null = $script:Subjects | Convert-AtlasToBids -Destination $real
        $expected = @(Get-ChildItem -LiteralPath $real -Recurse -File -Force).Count
        # WhatIf messages go to the host: run in a child pwsh and read its output.
        $runner = Join-Path $TestDrive 'whatif-runner.ps1'
        Set-Content -LiteralPath $runner -Value @'
param($ModulePath, $Dest, $Src)
Import-Module $ModulePath
function S([string] $c, [string] $s, [int] $t, [string] $ext) {
    $id = '{0}{1}t{2:00}' -f $c, $s, $t; $dir = Join-Path $Src "$c/$id"
    $o = [Atlas.Core.Datasets.AtlasSubject]::new()
    $o.SubjectId = $id; $o.ScanId = $id; $o.Cohort = $c; $o.Subject = $s; $o.Session = $t; $o.T1Path = Join-Path $dir "$id$ext"
    $o.LesionMaskPaths = [string[]]@(Get-ChildItem -LiteralPath $dir -Filter '*_LesionSmooth*' | Sort-Object Name | ForEach-Object FullName)
    $o
}
@((S c0001 s0002 1 '.nii.gz'), (S c0001 s0002 2 '.nii'), (S c0002 s0001 1 '.nii.gz')) | Convert-AtlasToBids -Destination $Dest -WhatIf | ForEach-Object { 'RECORD ' + $_.BidsSubject }
'@
        $lines = Invoke-ChildPwsh -Arguments @('-File', $runner, $script:ModulePath, $dest, $script:Src)
        $whatIf = @($lines | Where-Object { "$_" -like 'What if:*' })
        Test-Path $dest | Should -BeFalse
        @($lines | Where-Object { "$_" -like 'RECORD*' }) | Should -BeNullOrEmpty -Because 'nothing was converted, so no record is written'
        # Every file of the real run except the sidecars the child's subjects lack (no metadata → no T1w.json).
        $targets = @($whatIf | ForEach-Object { if ("$_" -match 'on target "([^"]+)"') { $Matches[1] } })
        $targets.Count | Should -Be $whatIf.Count
        $relReal = @(Get-ChildItem -LiteralPath $real -Recurse -File -Force | ForEach-Object { [IO.Path]::GetRelativePath($real, $_.FullName) } | Where-Object { $_ -notlike '*_T1w.json' } | Sort-Object)
        $relWhatIf = @($targets | ForEach-Object { [IO.Path]::GetRelativePath($dest, $_) } | Sort-Object)
        $relWhatIf | Should -Be $relReal
    }

    It 'skips every file on a rerun and rewrites them with -Force' {
        $dest = Join-Path $TestDrive 'bids-rerun'
        $null = $script:Subjects | Convert-AtlasToBids -Destination $dest
        $before = Get-TreeSnapshot $dest
        $times = @{}; Get-ChildItem -LiteralPath $dest -Recurse -File -Force | ForEach-Object { $times[$_.FullName] = $_.LastWriteTimeUtc }
        Start-Sleep -Milliseconds 50
        $r = @($script:Subjects | Convert-AtlasToBids -Destination $dest)
        ($r | Measure-Object FilesWritten -Sum).Sum | Should -Be 0
        ($r | Measure-Object FilesSkipped -Sum).Sum | Should -Be 12
        Get-ChildItem -LiteralPath $dest -Recurse -File -Force | ForEach-Object { $_.LastWriteTimeUtc | Should -Be $times[$_.FullName] }
        $r2 = @($script:Subjects | Convert-AtlasToBids -Destination $dest -Force)
        ($r2 | Measure-Object FilesWritten -Sum).Sum | Should -Be 12
        ((Get-TreeSnapshot $dest).GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) | Should -Be ($before.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })
    }

    It 'refuses colliding participant labels before writing anything' {
        $dest = Join-Path $TestDrive 'bids-collide'
        { $script:Subjects | Convert-AtlasToBids -Destination $dest -SubjectLabel { 'same' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'BidsLabelConflict,Atlas.Psm.Commands.ConvertAtlasToBidsCommand'
        Test-Path $dest | Should -BeFalse
        { $script:Subjects | Convert-AtlasToBids -Destination $dest -SubjectLabel { $_.Cohort + '_' + $_.Subject } -ErrorAction Stop } |
            Should -Throw '*not alphanumeric*'
        Test-Path $dest | Should -BeFalse
        # A valid override: INDI-style numeric labels from the scriptblock.
        $r = @($script:Subjects[2] | Convert-AtlasToBids -Destination $dest -SubjectLabel { $_.Subject.TrimStart('s') })
        $r[0].BidsSubject | Should -Be 'sub-0001'
    }

    It 'reports a mask off the T1 grid naming both files, converts the others, and converts it with -AllowGridMismatch' {
        $root = Join-Path $TestDrive 'src-mismatch'
        $ok = New-TestScan -Root $root -Cohort c0003 -Subject s0001 -Session 1
        $bad = New-TestScan -Root $root -Cohort c0003 -Subject s0002 -Session 1
        New-TestVolume -Dims 8, 8, 6 -Vox 1, 1, 1.2 -Path $bad.LesionMaskPaths[0] -Mask -Voxels @(, @(1, 1, 1))
        $dest = Join-Path $TestDrive 'bids-mismatch'
        $r = @($ok, $bad | Convert-AtlasToBids -Destination $dest -ErrorVariable errs -ErrorAction SilentlyContinue)
        # One record per scan; the failed one counts its failure and wrote nothing.
        $r.BidsSubject | Should -Be 'sub-c0003s0002', 'sub-c0003s0001'
        $r[0].FilesFailed | Should -Be 1
        $r[0].FilesWritten | Should -Be 0
        Test-Path (Join-Path $dest 'sub-c0003s0002') | Should -BeFalse
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GridMismatch*'
        $errs[0].TargetObject | Should -Be $bad.LesionMaskPaths[0]
        "$($errs[0])" | Should -BeLike "*$($bad.T1Path)*"
        $r2 = @($ok, $bad | Convert-AtlasToBids -Destination $dest -AllowGridMismatch)
        $r2.Count | Should -Be 2
        $r2[1].FilesWritten | Should -Be 3   # T1w, mask, mask sidecar (no metadata, so no T1w sidecar)
    }

    It 'checks every source image before copying it: a truncated <What> fails its scan (InvalidData, named), nothing of it is written' -ForEach @(
        @{ What = '.nii.gz T1'; Pick = { param($s) $s.T1Path } }
        @{ What = '.nii.gz lesion mask'; Pick = { param($s) $s.LesionMaskPaths[0] } }
        @{ What = '.nii T1'; Ext = '.nii'; Pick = { param($s) $s.T1Path } }
    ) {
        $root = Join-Path $TestDrive ('src-cut-' + ($What -replace '\W', ''))
        $t1Ext = if ($Ext) { $Ext } else { '.nii.gz' }
        $ok = New-TestScan -Root $root -Cohort c0004 -Subject s0001 -Session 1 -T1Ext $t1Ext
        $cut = New-TestScan -Root $root -Cohort c0004 -Subject s0002 -Session 1 -T1Ext $t1Ext
        $damaged = & $Pick $cut
        $fs = [IO.File]::Open($damaged, 'Open', 'Write')
        try { $fs.SetLength([long]($fs.Length * 2 / 3)) } finally { $fs.Dispose() }
        $dest = Join-Path $TestDrive ('bids-cut-' + ($What -replace '\W', ''))
        $r = @($ok, $cut | Convert-AtlasToBids -Destination $dest -ErrorVariable errs -ErrorAction SilentlyContinue)
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be $damaged
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($errs[0])" | Should -BeLike "*$damaged*"
        $failed = $r | Where-Object BidsSubject -eq 'sub-c0004s0002'
        $failed.FilesFailed | Should -Be 1
        $failed.FilesWritten | Should -Be 0
        ($r | Measure-Object FilesFailed -Sum).Sum | Should -Be 1
        # No half entry: no raw folder, no derivative mask, no mapping row for the failed scan.
        Test-Path (Join-Path $dest 'sub-c0004s0002') | Should -BeFalse
        Test-Path (Join-Path $dest 'derivatives/lesions/sub-c0004s0002') | Should -BeFalse
        Get-Content (Join-Path $dest 'sourcedata/atlas_to_bids.tsv') -Raw | Should -Not -Match 'c0004s0002'
        ($r | Where-Object BidsSubject -eq 'sub-c0004s0001').FilesWritten | Should -BeGreaterThan 0
    }

    It 'the hand-made tree passes bids-validator 1.15.0 (masks in <Placement>)' -ForEach @(
        @{ Placement = 'Derivatives' }, @{ Placement = 'Anat' }) {
        if ($script:NoValidator) { Set-ItResult -Skipped -Because $script:NoValidator; return }
        $dest = Join-Path $TestDrive "bids-valid-$Placement"
        $null = $script:Subjects | Convert-AtlasToBids -Destination $dest -MaskPlacement $Placement
        $report = Invoke-BidsValidator $dest
        @($report.Errors) | Should -BeNullOrEmpty
        # What remains (docs/bids.md says why): one participant without a second session, and a 0.9x0.9x3 mm cohort.
        @($report.Warnings | Sort-Object) | Should -Be @('INCONSISTENT_PARAMETERS', 'INCONSISTENT_SUBJECTS', 'MISSING_SESSION')
    }

    It 'a run killed half way, then rerun, yields the same tree as an uninterrupted run' {
        $root = Get-SlowSource
        $runner = Join-Path $TestDrive 'kill-runner.ps1'
        Set-Content -LiteralPath $runner -Value @'
param($ModulePath, $Root, $Dest)
Import-Module $ModulePath
$subjects = foreach ($dir in Get-ChildItem -LiteralPath (Join-Path $Root 'c0009') -Directory | Sort-Object Name) {
    $o = [Atlas.Core.Datasets.AtlasSubject]::new()
    $o.SubjectId = $dir.Name; $o.ScanId = $dir.Name; $o.Cohort = 'c0009'; $o.Subject = $dir.Name.Substring(5, 5); $o.Session = 1
    $o.T1Path = Join-Path $dir.FullName "$($dir.Name).nii"
    $o.LesionMaskPaths = [string[]]@(Join-Path $dir.FullName "$($dir.Name)_LesionSmooth.nii.gz")
    $o
}
$subjects | Convert-AtlasToBids -Destination $Dest | Out-Null
'@
        $clean = Join-Path $TestDrive 'bids-kill-clean'
        $null = Invoke-ChildPwsh -Arguments @('-File', $runner, $script:ModulePath, $root, $clean)
        $expected = Get-TreeSnapshot $clean

        $dest = Join-Path $TestDrive 'bids-kill'
        $p = Invoke-ChildPwsh -Start -Arguments @('-File', $runner, $script:ModulePath, $root, $dest)
        $sw = [Diagnostics.Stopwatch]::StartNew()
        while (-not $p.HasExited -and $sw.ElapsedMilliseconds -lt 60000) {
            if ((Test-Path $dest) -and @(Get-ChildItem -LiteralPath $dest -Recurse -Filter '*_T1w.nii.gz').Count -ge 2) { break }
            Start-Sleep -Milliseconds 20
        }
        $p.Kill($true); $p.WaitForExit()
        Test-Path (Join-Path $dest 'participants.tsv') | Should -BeFalse -Because 'the child must be killed before it finished'
        # Whatever is there under its final name is complete.
        foreach ($kv in (Get-TreeSnapshot $dest).GetEnumerator()) {
            if ($kv.Key -match '\.tmp') { continue }
            $kv.Value | Should -Be $expected[$kv.Key] -Because "$($kv.Key) must be complete"
        }
        $null = Invoke-ChildPwsh -Arguments @('-File', $runner, $script:ModulePath, $root, $dest)
        $after = Get-TreeSnapshot $dest
        ($after.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) | Should -Be ($expected.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })
    }

    It 'a run stopped like Ctrl+C (StopProcessing) leaves complete files only, and the rerun completes the tree' {
        $root = Get-SlowSource
        $subjects = @(Get-SlowSubjects $root)
        $clean = Join-Path $TestDrive 'bids-stop-clean'
        $null = $subjects | Convert-AtlasToBids -Destination $clean
        $expected = Get-TreeSnapshot $clean

        $dest = Join-Path $TestDrive 'bids-stop'
        # One command in a runspace of its own (no batch: a stopped batch would go on after Dispose).
        $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
        $iss.ImportPSModule([string[]]@($script:ModulePath))
        $ps = [powershell]::Create($iss)
        $null = $ps.AddCommand('Convert-AtlasToBids').AddParameter('Destination', $dest).AddParameter('InputObject', $subjects)
        $async = $ps.BeginInvoke()
        $sw = [Diagnostics.Stopwatch]::StartNew()
        while (-not $async.IsCompleted -and $sw.ElapsedMilliseconds -lt 60000) {
            if ((Test-Path $dest) -and @(Get-ChildItem -LiteralPath $dest -Recurse -Filter '*_T1w.nii.gz').Count -ge 2) { break }
            Start-Sleep -Milliseconds 10
        }
        $ps.Stop()   # what Ctrl+C does: StopProcessing, then the pipeline ends
        try { $null = $ps.EndInvoke($async) } catch { }
        $ps.Runspace.Dispose()
        $ps.Dispose()
        Test-Path (Join-Path $dest 'participants.tsv') | Should -BeFalse -Because 'the run must be stopped before it finished'
        $partial = Get-TreeSnapshot $dest
        foreach ($kv in $partial.GetEnumerator()) { $kv.Value | Should -Be $expected[$kv.Key] -Because "$($kv.Key) must be complete" }
        @($partial.Keys | Where-Object { $_ -match '\.tmp' }) | Should -BeNullOrEmpty -Because 'a stopped run removes its temporary file'
        $r = @($subjects | Convert-AtlasToBids -Destination $dest)
        ($r | Measure-Object FilesSkipped -Sum).Sum | Should -BeGreaterThan 0
        ((Get-TreeSnapshot $dest).GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) | Should -Be ($expected.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })
    }
}

Describe 'Convert-AtlasToBids on hand-made trees of every input layout' {
    BeforeAll {
        function Write-Tiny([string] $Path, [switch] $Mask) {
            $g = [Atlas.Core.Volumes.Grid]::Create(6, 5, 4, 1, 1, 1)
            if ($Mask) { $b = [byte[]]::new(120); $b[7] = 1; $b[8] = 1; $v = [Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $b, $null) }
            else { $f = [float[]]::new(120); for ($i = 0; $i -lt 120; $i++) { $f[$i] = $i }; $v = [Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, $f, $null) }
            New-Item -ItemType Directory -Force -Path (Split-Path $Path) | Out-Null
            [Atlas.Core.Nifti.NiftiWriter]::Write($v, $Path, $null)
        }
        function Get-LayoutSubjects([string] $Root) {
            return @(Get-AtlasSubject -Path $Root -WarningAction SilentlyContinue)
        }
    }

    It '<Layout> converts to the expected files' -ForEach @(
        @{ Layout = 'R1.1 native'; Files = @(
                'c0001/c0001s0002t01/c0001s0002t01.nii.gz', 'c0001/c0001s0002t01/c0001s0002t01_LesionSmooth.nii.gz!', 'c0001/c0001s0002t01/c0001s0002t01_LesionRaw.voi!')
            Expected = @('sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.nii.gz',
                'derivatives/lesions/sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_label-L_desc-T1lesion_mask.nii.gz',
                'derivatives/lesions/sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_label-L_desc-T1lesionRaw_mask.nii.gz') }
        @{ Layout = 'R1.1 native, time point folders'; Files = @(
                'c0001/c0001s0002/t02/c0001s0002t02.nii.gz', 'c0001/c0001s0002/t02/c0001s0002t02_LesionSmooth.nii.gz!')
            Expected = @('sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_T1w.nii.gz',
                'derivatives/lesions/sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_label-L_desc-T1lesion_mask.nii.gz') }
        @{ Layout = 'R1.1 standardized (INDI)'; Files = @(
                'Site1/031768/t01/031768_t1w_deface_stx.nii.gz', 'Site1/031768/t01/031768_LesionSmooth_stx.nii.gz!', 'Site1/031768/t01/031768_LesionSmooth_1_stx.nii.gz!')
            Expected = @('sub-031768/ses-1/anat/sub-031768_ses-1_T1w.nii.gz',
                'derivatives/lesions/sub-031768/ses-1/anat/sub-031768_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz') }
        @{ Layout = 'R1.2 _stx'; Files = @(
                'c0003/c0003s0004t01/c0003s0004t01_t1w_stx.nii.gz', 'c0003/c0003s0004t01/c0003s0004t01_LesionSmooth_stx.nii.gz!')
            Expected = @('sub-c0003s0004/ses-1/anat/sub-c0003s0004_ses-1_T1w.nii.gz',
                'derivatives/lesions/sub-c0003s0004/ses-1/anat/sub-c0003s0004_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz') }
        @{ Layout = 'R2.0 BIDS (Training/Testing/R0NN)'; Files = @(
                'Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz',
                'Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz!',
                'Testing/R002/sub-r002s003/ses-1/anat/sub-r002s003_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz')
            Expected = @('sub-r001s001/ses-1/anat/sub-r001s001_ses-1_T1w.nii.gz',
                'derivatives/lesions/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz',
                'sub-r002s003/ses-1/anat/sub-r002s003_ses-1_T1w.nii.gz') }
    ) {
        $root = Join-Path $TestDrive ('layout-' + ($Layout -replace '[^A-Za-z0-9]', ''))
        foreach ($f in $Files) { Write-Tiny -Path (Join-Path $root $f.TrimEnd('!')) -Mask:($f.EndsWith('!')) }
        $dest = "$root-bids"
        $subjects = Get-LayoutSubjects $root
        $r = @($subjects | Convert-AtlasToBids -Destination $dest -IncludeRawMasks)
        $r.Count | Should -Be $subjects.Count
        $images = @(Get-ChildItem -LiteralPath $dest -Recurse -File -Filter '*.nii.gz' | ForEach-Object { [IO.Path]::GetRelativePath($dest, $_.FullName) -replace '\\', '/' } | Sort-Object)
        $images | Should -Be @($Expected | Sort-Object)
        # Contents: T1 voxels 0..119 as written; every lesion mask holds the 2 voxels of the source(s).
        foreach ($x in $r) { [float[]](Import-AtlasVolume -LiteralPath $x.T1wPath).Data | Select-Object -Last 1 | Should -Be 119 }
        foreach ($m in $images | Where-Object { $_ -like '*_mask.nii.gz' }) {
            ((Import-AtlasVolume -LiteralPath (Join-Path $dest $m)).ToMask(0) | Measure-Object -Sum).Sum | Should -Be 2
        }
        if ($script:HasValidator) {
            # The default output of every layout is a valid dataset (space- only in derivatives).
            @((Invoke-BidsValidator $dest).Errors) | Should -BeNullOrEmpty
        }
    }
}

Describe 'Convert-AtlasToBids on the sample dataset' {
    BeforeAll {
        $root = Join-Path $TestDrive 'sample'
        $sample = New-TestSampleDataset -Path $root -SubjectCount 4
        $script:SampleSubjects = @(Get-AtlasSubject -Path $sample.Root -MetadataPath $sample.Metadata)
    }

    It 'converts every sample subject (Get-AtlasSubject | Convert-AtlasToBids)' {
        $dest = Join-Path $TestDrive 'sample-bids'
        $r = @($script:SampleSubjects | Convert-AtlasToBids -Destination $dest)
        $r.Count | Should -Be $script:SampleSubjects.Count
        foreach ($x in $r) { Test-Path $x.T1wPath | Should -BeTrue }
        $participants = Import-Csv -Delimiter "`t" -LiteralPath (Join-Path $dest 'participants.tsv')
        @($participants).Count | Should -Be @($r.BidsSubject | Sort-Object -Unique).Count
    }

    It 'passes bids-validator 1.15.0 with mask placement <Placement>' -ForEach @(
        @{ Placement = 'Derivatives' }, @{ Placement = 'Anat' }) {
        if ($script:NoValidator) { Set-ItResult -Skipped -Because $script:NoValidator; return }
        $dest = Join-Path $TestDrive "sample-valid-$Placement"
        $null = $script:SampleSubjects | Convert-AtlasToBids -Destination $dest -MaskPlacement $Placement -IncludeRawMasks
        $report = Invoke-BidsValidator $dest
        @($report.Errors) | Should -BeNullOrEmpty
        Write-Host "bids-validator warnings ($Placement): $($report.Warnings -join ', ')"
        # Only the warnings docs/bids.md lists and explains.
        foreach ($w in $report.Warnings) { $w | Should -BeIn @('INCONSISTENT_PARAMETERS', 'INCONSISTENT_SUBJECTS', 'MISSING_SESSION') }
    }

    It 'the hidden records of Atlas.Psm outputs (.<name>.atlas.json) do not make a dataset invalid' {
        if ($script:NoValidator) { Set-ItResult -Skipped -Because $script:NoValidator; return }
        $dest = Join-Path $TestDrive 'sample-records'
        $r = @($script:SampleSubjects | Convert-AtlasToBids -Destination $dest)
        $t1w = $r[0].T1wPath
        # A real record, as a writing cmdlet leaves it beside its output, put beside a BIDS file.
        $copy = Join-Path $TestDrive 'record-source/copy.nii.gz'
        $null = Export-AtlasVolume -LiteralPath $t1w -OutputPath $copy
        $record = Join-Path (Split-Path $copy) '.copy.nii.gz.atlas.json'
        Test-Path -LiteralPath $record | Should -BeTrue
        $anat = Split-Path $t1w
        Copy-Item -LiteralPath $record -Destination (Join-Path $anat ('.' + (Split-Path $t1w -Leaf) + '.atlas.json'))
        Copy-Item -LiteralPath $record -Destination (Join-Path $dest '.dataset.atlas.json')
        @((Invoke-BidsValidator $dest).Errors) | Should -BeNullOrEmpty
        # The control: the same file without the dot is reported, so the validator did look there.
        $visible = Join-Path $anat ((Split-Path $t1w -Leaf) + '.atlas.json')
        Copy-Item -LiteralPath $record -Destination $visible
        ((Invoke-BidsValidator $dest).Errors -join ' ') | Should -Match 'NOT_INCLUDED'
        Remove-Item -LiteralPath $visible
    }
}
