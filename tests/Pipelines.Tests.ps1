# Pipelines as users write them (issue 11): provenance through the pipe, read-only source datasets,
# warnings on masks that are not masks, one parameter convention, and the nightly script.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest

    # Three subjects of the sample dataset: lesions by the documented pattern 2, 1, 3, and the second
    # subject scanned twice (t02). So these are the (SubjectId, Session, Rank) of every smoothed mask.
    $script:Expected = @(
        'c0001s0001t01|1|1', 'c0001s0001t01|1|2', 'c0002s0001t01|1|1', 'c0002s0001t02|2|1',
        'c0003s0001t01|1|1', 'c0003s0001t01|1|2', 'c0003s0001t01|1|3')
    $script:Root = Join-Path $TestDrive 'ds'
    $null = New-AtlasSampleDataset -Destination $script:Root -SubjectCount 3
    $script:Subjects = @(Get-AtlasSubject -LiteralPath $script:Root)

    function script:Pairs($records) { @($records | ForEach-Object { '{0}|{1}|{2}' -f $_.SubjectId, $_.Session, $_.Rank }) }

    function script:Get-TreeHash([string] $Path) {
        # Every file under the folder, hidden ones included, with its content hash and time.
        Get-ChildItem -LiteralPath $Path -Recurse -Force -File | Sort-Object FullName |
            ForEach-Object { '{0} {1} {2}' -f $_.FullName, (Get-FileHash -LiteralPath $_.FullName).Hash, $_.LastWriteTimeUtc.Ticks }
    }
}

Describe 'Provenance through the pipe (issue 11, item 1)' {
    It 'direct: every record of a subject names its scan, session, mask kind and rank' {
        $rows = @($script:Subjects | Measure-Lesion)
        Pairs $rows | Should -Be $script:Expected
        $rows.MaskKind | Sort-Object -Unique | Should -Be 'LesionSmooth'
        $rows.ScanId | Should -Be ($rows.SubjectId)
    }

    It 'piped as file objects: Invoke-LesionSmooth | Measure-Lesion | Export-Csv keeps SubjectId and Rank' {
        $csv = Join-Path $TestDrive 'lesions.csv'
        $script:Subjects | Invoke-LesionSmooth -Destination (Join-Path $TestDrive 'smoothed') | Measure-Lesion | Export-Csv -LiteralPath $csv
        $rows = @(Import-Csv -LiteralPath $csv)
        Pairs $rows | Should -Be $script:Expected
        $rows.MaskKind | Sort-Object -Unique | Should -Be 'LesionSmooth'
    }

    It 'the written files carry the provenance as properties' {
        $files = @($script:Subjects | Invoke-LesionSmooth -Destination (Join-Path $TestDrive 'smoothed'))
        $files.Count | Should -Be 7
        Pairs $files | Should -Be $script:Expected
        ($files | Where-Object Name -eq 'c0003s0001t01_LesionSmooth_2.nii.gz').Rank | Should -Be 3
    }

    It 'piped as path strings, and later by -Path: the same pairs' {
        $dest = Join-Path $TestDrive 'smoothed'
        Pairs @($script:Subjects | Invoke-LesionSmooth -Destination $dest | ForEach-Object FullName | Measure-Lesion) | Should -Be $script:Expected
        Pairs @(Measure-Lesion -Path (Join-Path $dest '*.nii.gz')) | Should -Be $script:Expected
    }

    It 'a file whose name says nothing gets its provenance from the record beside it' {
        # <ScanId>_LesionMerged.nii.gz is no ATLAS name: only the record knows the scan. A union of several masks is rank 0.
        $dest = Join-Path $TestDrive 'merged'
        $null = $script:Subjects | Merge-AtlasLesion -Destination $dest
        $rows = @(Measure-Lesion -Path (Join-Path $dest '*.nii.gz'))
        Pairs $rows | Should -Be @('c0001s0001t01|1|0', 'c0002s0001t01|1|1', 'c0002s0001t02|2|1', 'c0003s0001t01|1|0')
    }

    It 'lesions of Get-LesionComponent files are ranked as the archive numbers them' {
        $dest = Join-Path $TestDrive 'components'
        $null = $script:Subjects[0] | Merge-AtlasLesion -Destination (Join-Path $TestDrive 'merged0') |
            Get-LesionComponent -Destination $dest
        $rows = @(Measure-Lesion -Path (Join-Path $dest '*.nii.gz'))
        Pairs $rows | Should -Be @('c0001s0001t01|1|1', 'c0001s0001t01|1|2')
    }
}

Describe 'A dataset read by Get-AtlasSubject is never written (issue 11, item 2)' {
    BeforeAll {
        $script:Before = @(Get-TreeHash $script:Root)
        $script:Raw = @(Get-ChildItem -LiteralPath $script:Root -Recurse -Filter '*_LesionRaw*.voi')
    }
    AfterAll {
        # Whatever was tried, the dataset is byte for byte and time for time what it was.
        @(Get-TreeHash $script:Root) | Should -Be $script:Before
    }

    It 'subjects without -Destination: a terminating error naming -Destination (-Force too)' {
        { $script:Subjects | Invoke-LesionSmooth -Force } | Should -Throw -ErrorId 'DestinationRequired,Atlas.Psm.Commands.InvokeLesionSmoothCommand' -ExpectedMessage '*-Destination*'
        { $script:Subjects | Invoke-LesionWhiteMatterCorrection -Force } | Should -Throw -ErrorId 'DestinationRequired,*' -ExpectedMessage '*-Destination*'
    }

    It '<Name> into the dataset is refused before anything is written, -Force included' -ForEach @(
        @{ Name = 'Invoke-LesionSmooth (subjects)'; Run = { param($root) $script:Subjects | Invoke-LesionSmooth -Destination (Join-Path $root 'derived') -Force } }
        @{ Name = 'Invoke-LesionSmooth (paths)'; Run = { param($root) Invoke-LesionSmooth -LiteralPath $script:Raw[0].FullName -Destination $script:Raw[0].DirectoryName -Force } }
        @{ Name = 'Invoke-LesionWhiteMatterCorrection'; Run = { param($root) $script:Subjects | Invoke-LesionWhiteMatterCorrection -Destination $root -Force } }
        @{ Name = 'Merge-AtlasLesion'; Run = { param($root) $script:Subjects | Merge-AtlasLesion -Destination (Join-Path $root 'c0001') -Force } }
        @{ Name = 'Get-LesionComponent'; Run = { param($root) $script:Subjects | Get-LesionComponent -Destination (Join-Path $root 'c0001/c0001s0001t01') -Force } }
        @{ Name = 'Export-AtlasSnapshot'; Run = { param($root) $script:Subjects | Export-AtlasSnapshot -Destination $root -Force } }
        @{ Name = 'Export-AtlasVolume'; Run = { param($root) Export-AtlasVolume -LiteralPath $script:Raw[0].FullName -OutputPath (Join-Path $root 'x.nii.gz') -Force } }
        @{ Name = 'New-LesionOverlapMap'; Run = { param($root) $script:Subjects | New-LesionOverlapMap -OutputPath (Join-Path $root 'map.nii.gz') -SkipMismatched -Force } }
        @{ Name = 'New-AtlasQcReport'; Run = { param($root) $script:Subjects | New-AtlasQcReport -Destination (Join-Path $root 'qc') -NoChecks -Force } }
        @{ Name = 'Convert-AtlasToBids'; Run = { param($root) $script:Subjects | Convert-AtlasToBids -Destination (Join-Path $root 'bids') -Force } }
        @{ Name = 'New-AtlasSampleDataset'; Run = { param($root) New-AtlasSampleDataset -Destination $root -SubjectCount 1 -Force } }
    ) {
        $err = $null
        try { & $Run $script:Root } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'OutputInSourceDataset,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$err" | Should -BeLike "*$($script:Root)*"
        @(Get-TreeHash $script:Root) | Should -Be $script:Before
    }
}

Describe 'A dataset is never written, even in a session that did not read it (issue 11, item 2)' {
    It 'a file in its layout''s folders (<Layout>) carries its dataset root: writing beside it is refused in a fresh pwsh' -ForEach @(
        @{ Layout = 'native'; Relative = 'c0001/c0001s0001t01/c0001s0001t01_LesionRaw.voi' }
    ) {
        $before = @(Get-TreeHash $script:Root)
        $file = Join-Path $script:Root $Relative
        $modulePath = Get-AtlasModuleUnderTestPath
        $cmd = "Import-Module '$modulePath'; try { Invoke-LesionSmooth -LiteralPath '$file' -Destination '$(Split-Path $file)' -Force -ErrorAction Stop; 'written' } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category; `"`$_`" }"
        $out = @(Invoke-ChildPwsh @('-Command', $cmd) | ForEach-Object { "$_" })
        $out[0] | Should -BeLike 'OutputInSourceDataset,*' -Because ($out -join "`n")
        $out[1] | Should -Be 'InvalidArgument'
        $out[2] | Should -BeLike "*$($script:Root)*"
        @(Get-TreeHash $script:Root) | Should -Be $before
    }

    It 'a loose file with an ATLAS name (no layout folders) is not a dataset: its output goes beside it' {
        $loose = Join-Path $TestDrive 'loose'
        $null = New-Item -ItemType Directory -Force -Path $loose
        Copy-Item -LiteralPath (Join-Path $script:Root 'c0001/c0001s0001t01/c0001s0001t01_LesionRaw.voi') -Destination $loose
        $modulePath = Get-AtlasModuleUnderTestPath
        $cmd = "Import-Module '$modulePath'; (Invoke-LesionSmooth -LiteralPath '$(Join-Path $loose 'c0001s0001t01_LesionRaw.voi')' -Destination '$loose' -ErrorAction Stop).Name"
        $out = @(Invoke-ChildPwsh @('-Command', $cmd) | ForEach-Object { "$_" })
        $out | Should -Be 'c0001s0001t01_LesionSmooth.nii.gz'
    }
}

Describe 'Measure-Lesion on images that are not masks (issue 11, item 8)' {
    BeforeAll {
        $script:T1 = $script:Subjects[0].T1Path
        $g = [Atlas.Core.Volumes.Grid]::Create(8, 8, 8, 1, 1, 1)
        $script:Empty = Join-Path $TestDrive 'empty.nii.gz'
        [Atlas.Core.Nifti.NiftiWriter]::Write([Atlas.Core.Volumes.AtlasVolume]::FromMask($g, [byte[]]::new(512), $null), $script:Empty, $null)
    }

    It 'a T1 given as a mask: a warning naming the file, as Test-AtlasDataset words it' {
        $rows = @(Measure-Lesion -LiteralPath $script:T1 -WarningVariable w -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 1
        @($w).Count | Should -Be 1
        "$($w[0])" | Should -BeLike "$($script:T1)*not binary*MaskNotBinary*"
    }

    It 'an empty mask: a warning naming the file, and the zero row' {
        $rows = @(Measure-Lesion -LiteralPath $script:Empty -WarningVariable w -WarningAction SilentlyContinue)
        $rows[0].VoxelCount | Should -Be 0
        @($w).Count | Should -Be 1
        "$($w[0])" | Should -BeLike "$($script:Empty)*empty*MaskEmpty*"
    }

    It 'a real mask: no warning' {
        $null = Measure-Lesion -LiteralPath $script:Subjects[0].LesionMaskPaths[0] -WarningVariable w
        @($w).Count | Should -Be 0
    }
}

Describe 'One parameter convention (issue 11, item 9)' {
    BeforeDiscovery {
        $script:Cmdlets = @(Get-Command -Module Atlas.Psm -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
    }

    It '<Name>: -Path comes with -LiteralPath (alias PSPath); only -OutputPath, -CountPath and -Destination name outputs' -ForEach $script:Cmdlets {
        $p = (Get-Command $Name).Parameters
        if ($p.ContainsKey('Path')) {
            $lp = if ($p.ContainsKey('LiteralPath')) { $p.LiteralPath } else { $p.Values | Where-Object { $_.Aliases -contains 'LiteralPath' } }
            $lp | Should -Not -BeNullOrEmpty -Because "$Name -Path is an input, paired with -LiteralPath"
            $lp.Aliases | Should -Contain 'PSPath'
        }
        # Output parameters of the old names stay as aliases of the new ones.
        $outputs = @($p.Keys | Where-Object { $_ -match 'Output|Destination' })
        $outputs | ForEach-Object { $_ | Should -BeIn @('OutputPath', 'CountPath', 'Destination') }
    }

    It 'the renamed and added parameters exist, and old names still work' {
        (Get-Command Invoke-LesionSmooth).Parameters.MaskKind.Attributes.ValidValues | Should -Be @('Lesion', 'LesionSmooth', 'LesionRaw')
        (Get-Command Export-AtlasVolume).Parameters.LiteralPath.Aliases | Should -Contain 'PSPath'
        (Get-Command Export-AtlasVolume).Parameters.OutputPath.Aliases | Should -Contain 'Path'
        (Get-Command New-AtlasSampleDataset).Parameters.Destination.Aliases | Should -Contain 'Path'
        $out = Join-Path $TestDrive 'old-name.nii.gz'
        $null = Import-AtlasVolume -LiteralPath $script:Subjects[0].LesionMaskPaths[0] | Export-AtlasVolume -Path $out
        Test-Path -LiteralPath $out | Should -BeTrue
        # Get-ChildItem output converts through -LiteralPath: the same voxels, stored as asked.
        $f = Get-Item -LiteralPath $script:Subjects[0].LesionMaskPaths[0] | Export-AtlasVolume -OutputPath (Join-Path $TestDrive 'gci.nii') -DataType Int16 -PassThru
        $v = Import-AtlasVolume -LiteralPath $f.FullName
        $v.DataType | Should -Be 'Int16'
        $src = Import-AtlasVolume -LiteralPath $script:Subjects[0].LesionMaskPaths[0]
        ($v.ToMask() | Measure-Object -Sum).Sum | Should -Be (($src.ToMask() | Measure-Object -Sum).Sum)
    }

    It 'Invoke-LesionSmooth -MaskKind LesionSmooth smooths the published smoothed masks' {
        $files = @($script:Subjects[0] | Invoke-LesionSmooth -MaskKind LesionSmooth -Destination (Join-Path $TestDrive 'resmoothed'))
        $files.Count | Should -Be 2
        # A mask that is not raw is named after its own file with _smooth, and keeps its scan and rank.
        $files.Name | Should -Be @('c0001s0001t01_LesionSmooth_smooth.nii.gz', 'c0001s0001t01_LesionSmooth_1_smooth.nii.gz')
        Pairs $files | Should -Be @('c0001s0001t01|1|1', 'c0001s0001t01|1|2')
    }

    It 'about_Atlas.Psm documents the convention' {
        $about = Get-Content -Raw (Join-Path $PSScriptRoot '../docs/about_Atlas.Psm.md')
        $about | Should -Match '## Parameters'
        $about | Should -Match '`-Destination` is a folder'
        $about | Should -Match '`-OutputPath` is one output file'
    }
}

Describe 'The nightly script (docs/examples/nightly.ps1)' {
    BeforeAll {
        $script:Nightly = Join-Path $PSScriptRoot '../docs/examples/nightly.ps1'
        $script:ModulePath = if ($env:ATLAS_PSM_MODULE) { $env:ATLAS_PSM_MODULE } else { Join-Path $PSScriptRoot '../out/Atlas.Psm/Atlas.Psm.psd1' }
        $script:NightlyRoot = Join-Path $TestDrive 'nightly-ds'
        $null = New-AtlasSampleDataset -Destination $script:NightlyRoot -SubjectCount 2
        $script:Derived = Join-Path $TestDrive 'nightly-out'
        function script:Invoke-Nightly([string] $Root = $script:NightlyRoot, [string[]] $More = @()) {
            $lines = @(Invoke-ChildPwsh (@('-File', $script:Nightly, '-DatasetPath', $Root, '-Destination', $script:Derived, '-Module', $script:ModulePath) + $More))
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Lines = @($lines | ForEach-Object { "$_" }) }
        }
    }

    It 'exits 0 and writes the derived files; a rerun with nothing changed rewrites nothing and exits 0' {
        $r = Invoke-Nightly
        $r.ExitCode | Should -Be 0 -Because ($r.Lines -join "`n")
        @(Get-ChildItem (Join-Path $script:Derived 'smoothed') -Filter '*.nii.gz').Count | Should -Be 4
        @(Import-Csv (Join-Path $script:Derived 'lesions.csv')).Count | Should -Be 4
        @(Import-Csv (Join-Path $script:Derived 'lesions.csv') | Where-Object { -not $_.SubjectId }).Count | Should -Be 0
        Test-Path (Join-Path $script:Derived 'qc/index.html') | Should -BeTrue
        @(Get-ChildItem (Join-Path $script:Derived 'snapshots') -Filter '*.png').Count | Should -Be 3
        $before = @(Get-TreeHash $script:Derived)
        $r = Invoke-Nightly
        $r.ExitCode | Should -Be 0 -Because ($r.Lines -join "`n")
        @(Get-TreeHash $script:Derived) | Should -Be $before
    }

    It 'a newer scan rebuilds what depends on it, and only that' {
        $raw = Join-Path $script:NightlyRoot 'c0002/c0002s0001t01/c0002s0001t01_LesionRaw.voi'
        (Get-Item -LiteralPath $raw).LastWriteTimeUtc = [datetime]::UtcNow
        $smoothed = Join-Path $script:Derived 'smoothed/c0002s0001t01_LesionSmooth.nii.gz'
        $other = Join-Path $script:Derived 'smoothed/c0001s0001t01_LesionSmooth.nii.gz'
        $t0 = (Get-Item $smoothed).LastWriteTimeUtc; $t1 = (Get-Item $other).LastWriteTimeUtc
        $r = Invoke-Nightly
        $r.ExitCode | Should -Be 0 -Because ($r.Lines -join "`n")
        (Get-Item $smoothed).LastWriteTimeUtc | Should -BeGreaterThan $t0
        (Get-Item $other).LastWriteTimeUtc | Should -Be $t1
    }

    It 'a broken scan: exit 1 and one line naming the file, while the others are still done' {
        $copy = Join-Path $TestDrive 'nightly-broken'
        Copy-Item -LiteralPath $script:NightlyRoot -Destination $copy -Recurse
        $bad = Join-Path $copy 'c0002/c0002s0001t01/c0002s0001t01_LesionRaw.voi'
        [IO.File]::WriteAllBytes($bad, [byte[]](1..40))
        $script:Derived = Join-Path $TestDrive 'nightly-broken-out'
        $r = Invoke-Nightly -Root $copy
        $r.ExitCode | Should -Be 1
        $fail = @($r.Lines | Where-Object { $_ -like 'nightly: smooth:*' })
        $fail.Count | Should -Be 1
        $fail[0] | Should -BeLike "*$bad*"
        Test-Path (Join-Path $script:Derived 'smoothed/c0001s0001t01_LesionSmooth.nii.gz') | Should -BeTrue
    }

    It 'a dataset that does not exist: exit 2 with the reason' {
        $r = Invoke-Nightly -Root (Join-Path $TestDrive 'no-such-dataset')
        $r.ExitCode | Should -Be 2
        ($r.Lines -join "`n") | Should -Match 'nightly: setup: .*no-such-dataset'
    }

    It 'an output folder inside the dataset: exit 2 before anything is written in it' {
        $before = @(Get-TreeHash $script:NightlyRoot)
        $script:Derived = Join-Path $script:NightlyRoot 'derived'
        $r = Invoke-Nightly
        $r.ExitCode | Should -Be 2 -Because ($r.Lines -join "`n")
        ($r.Lines -join "`n") | Should -Match 'nightly: setup: .*inside the dataset'
        Test-Path -LiteralPath $script:Derived | Should -BeFalse
        @(Get-TreeHash $script:NightlyRoot) | Should -Be $before
    }
}
