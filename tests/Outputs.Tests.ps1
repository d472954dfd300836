# What every writing cmdlet shares: an existing output is kept without -Force, by one rule
# (docs/about_Atlas.Psm.md, "Files written"), and a failed write names the file the user asked
# for, never the temporary file it goes through.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest

    function script:New-Fixture([string] $Root) {
        # One R1.1 native scan under src/ (T1, two raw and two smoothed masks), a white-matter mask and a
        # partial overlap map under extra/, all two hours old; outputs go under out/.
        $dir = Join-Path $Root 'src/c0001/c0001s0001t01'
        $t1 = Join-Path $dir 'c0001s0001t01.nii.gz'
        New-TestT1 -Path $t1
        $raw0 = Join-Path $dir 'c0001s0001t01_LesionRaw.voi'
        $raw1 = Join-Path $dir 'c0001s0001t01_LesionRaw_1.voi'
        $mask0 = Join-Path $dir 'c0001s0001t01_LesionSmooth.nii.gz'
        $mask1 = Join-Path $dir 'c0001s0001t01_LesionSmooth_1.nii.gz'
        New-TestMask -Path $raw0 -Box 4, 7, 4, 7, 4, 7
        New-TestMask -Path $raw1 -Box 12, 15, 12, 15, 8, 11
        New-TestMask -Path $mask0 -Box 4, 7, 4, 7, 4, 7
        New-TestMask -Path $mask1 -Box 12, 15, 12, 15, 8, 11
        $wm = Join-Path $Root 'extra/wm.nii.gz'
        New-TestMask -Path $wm -Box 2, 17, 2, 17, 2, 13
        $partial = Join-Path $Root 'extra/shard1.nii.gz'
        $null = New-LesionOverlapMap -LiteralPath $mask0, $mask1 -OutputPath $partial -Partial
        $old = [datetime]::UtcNow.AddHours(-2)
        Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'extra') -Recurse -File | ForEach-Object { $_.LastWriteTimeUtc = $old }
        $out = Join-Path $Root 'out'
        New-Item -ItemType Directory -Force -Path $out | Out-Null
        [pscustomobject]@{
            Root = $Root; Out = $out; T1 = $t1; Raw0 = $raw0; Mask0 = $mask0; Mask1 = $mask1; Wm = $wm; Partial = $partial
            Subject = Get-AtlasSubject -LiteralPath (Join-Path $Root 'src')
        }
    }

    function script:Split-Streams([object[]] $All) {
        # Output objects, errors and verbose messages of a run captured with 2>&1 4>&1.
        [pscustomobject]@{
            Objects = @($All | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.VerboseRecord] })
            Errors  = @($All | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Verbose = @($All | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        }
    }
}

Describe 'Existing outputs: one regeneration rule for every writing cmdlet' {
    BeforeDiscovery {
        # Run writes with the cmdlet (-Force when $Force; $More splatted: the changed parameter); Output is the
        # file compared before and after; Touch the input made newer than the output (none for a sample dataset);
        # Change a parameter that changes what is written; Target the path an OutputExists error names.
        # Every writer outputs something for a kept up-to-date output (Export-AtlasVolume with -PassThru).
        $script:Writers = @(
            @{ Name = 'Export-AtlasVolume'; Touch = 'T1'; Change = @{ DataType = 'Float32' }
                Run = { param($fx, $Force, $More) Export-AtlasVolume -LiteralPath $fx.T1 -OutputPath (Join-Path $fx.Out 'copy.nii.gz') -PassThru -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'copy.nii.gz' } }
            @{ Name = 'Export-AtlasSnapshot'; Touch = 'T1'; Change = @{ Radiological = $true }
                Run = { param($fx, $Force, $More) Export-AtlasSnapshot -LiteralPath $fx.T1 -Destination $fx.Out -Plane Axial -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'c0001s0001t01.png' } }
            @{ Name = 'Invoke-LesionSmooth'; Touch = 'Raw0'; Change = @{ Fwhm = 6 }
                Run = { param($fx, $Force, $More) Invoke-LesionSmooth -LiteralPath $fx.Raw0 -Destination $fx.Out -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'c0001s0001t01_LesionSmooth.nii.gz' } }
            @{ Name = 'Invoke-LesionWhiteMatterCorrection'; Touch = 'Mask0'; Change = @{ Percent = 20 }
                Run = { param($fx, $Force, $More) Invoke-LesionWhiteMatterCorrection -T1 $fx.T1 -Mask $fx.Mask0 -WhiteMatterMask $fx.Wm -OutputPath (Join-Path $fx.Out 'wmc.nii.gz') -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'wmc.nii.gz' } }
            @{ Name = 'Merge-AtlasLesion'; Touch = 'Mask1'; Change = @{ AsLabelMap = $true }
                Run = { param($fx, $Force, $More) Merge-AtlasLesion -LiteralPath $fx.Mask0, $fx.Mask1 -OutputPath (Join-Path $fx.Out 'merged.nii.gz') -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'merged.nii.gz' } }
            @{ Name = 'Get-LesionComponent'; Touch = 'Mask0'; Change = @{ Connectivity = 6 }
                Run = { param($fx, $Force, $More) Get-LesionComponent -LiteralPath $fx.Mask0 -Destination $fx.Out -BaseName 'lesion' -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'lesion.nii.gz' } }
            @{ Name = 'New-LesionOverlapMap'; Touch = 'Mask1'; Change = @{ AllMasks = $true }
                Run = { param($fx, $Force, $More) New-LesionOverlapMap -LiteralPath $fx.Mask0, $fx.Mask1 -OutputPath (Join-Path $fx.Out 'map.nii.gz') -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'map.nii.gz' } }
            @{ Name = 'Merge-LesionOverlapMap'; Touch = 'Partial'; Change = @{ Partial = $true }
                Run = { param($fx, $Force, $More) Merge-LesionOverlapMap -LiteralPath $fx.Partial -OutputPath (Join-Path $fx.Out 'merged-map.nii.gz') -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'merged-map.nii.gz' } }
            @{ Name = 'New-AtlasQcReport'; Touch = 'T1'; Change = @{ Title = 'Another title' }
                Run = { param($fx, $Force, $More) $fx.Subject | New-AtlasQcReport -Destination (Join-Path $fx.Out 'qc') -NoChecks -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'qc/index.html' } }
            @{ Name = 'New-AtlasSampleDataset'; Change = @{ Seed = 2 }
                Run = { param($fx, $Force, $More) New-AtlasSampleDataset -Destination (Join-Path $fx.Out 'sample') -SubjectCount 1 -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'sample/ATLAS_sample_metadata.csv' }
                Target = { param($fx) Join-Path $fx.Out 'sample' } }
            @{ Name = 'ConvertTo-AtlasCanonical'; Touch = 'T1'; Change = @{ Orientation = 'LPS' }
                Run = { param($fx, $Force, $More) ConvertTo-AtlasCanonical -LiteralPath $fx.T1 -OutputPath (Join-Path $fx.Out 'canonical.nii.gz') -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'canonical.nii.gz' } }
            @{ Name = 'Invoke-AtlasResample'; Touch = 'Mask0'; Change = @{ Interpolation = 'Linear' }
                Run = { param($fx, $Force, $More) Invoke-AtlasResample -LiteralPath $fx.Mask0 -Reference $fx.T1 -Destination $fx.Out -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'c0001s0001t01_LesionSmooth.nii.gz' } }
            @{ Name = 'Export-AtlasTransform'; Change = @{ Format = 'RasMatrix' }
                Run = { param($fx, $Force, $More)
                    $src = Join-Path $fx.Root 'extra/itk.txt'
                    if (-not (Test-Path $src)) {
                        Set-Content $src '#Insight Transform File V1.0', 'Transform: AffineTransform_double_3_3', 'Parameters: 1 0 0 0 1 0 0 0 1 2 0 0', 'FixedParameters: 0 0 0'
                        (Get-Item $src).LastWriteTimeUtc = [datetime]::UtcNow.AddHours(-2)
                    }
                    Export-AtlasTransform -Path $src -OutputPath (Join-Path $fx.Out 'converted.txt') -Force:$Force @More }
                Output = { param($fx) Join-Path $fx.Out 'converted.txt' } }
        )
    }

    It '<Name>: up to date kept and output; older than an input, or other parameters, rebuilt; a file it did not make refused; -Force rebuilds' -ForEach $script:Writers {
        $ErrorActionPreference = 'Continue'   # the errors are what is tested
        $fx = New-Fixture (Join-Path $TestDrive $Name)
        $out = & $Output $fx
        $target = if ($Target) { & $Target $fx } else { $out }
        $none = @{}
        $first = @(& $Run $fx $false $none)
        $first.Count | Should -BeGreaterThan 0
        Test-Path -LiteralPath $out | Should -BeTrue
        $record = Join-Path (Split-Path $out) ('.' + (Split-Path $out -Leaf) + '.atlas.json')
        Test-Path -LiteralPath $record | Should -BeTrue
        $json = Get-Content -LiteralPath $record -Raw | ConvertFrom-Json
        $json.Cmdlet | Should -Be $Name
        $json.ModuleVersion | Should -Be (Get-Module Atlas.Psm).Version.ToString(3)

        # Up to date: kept without a word but a verbose line, and still output.
        (Get-Item -LiteralPath $out).LastWriteTimeUtc = [datetime]::UtcNow.AddHours(-1)
        $hash = (Get-FileHash -LiteralPath $out).Hash
        $VerbosePreference = 'Continue'
        $r = Split-Streams @(& $Run $fx $false $none 2>&1 4>&1)
        $r.Errors | Should -BeNullOrEmpty
        @($r.Verbose | Where-Object { $_.StartsWith("Kept existing $out") }) | Should -Match 'up to date.*use -Force to overwrite'
        $r.Objects.Count | Should -Be $first.Count
        (Get-FileHash -LiteralPath $out).Hash | Should -Be $hash
        (Get-Item -LiteralPath $out).LastWriteTimeUtc | Should -BeLessThan ([datetime]::UtcNow.AddMinutes(-30))

        if ($Touch) {
            # Older than an input: rebuilt without -Force, saying why.
            (Get-Item -LiteralPath $fx.$Touch).LastWriteTimeUtc = [datetime]::UtcNow.AddMinutes(-30)
            $r = Split-Streams @(& $Run $fx $false $none 2>&1 4>&1)
            $r.Errors | Should -BeNullOrEmpty
            @($r.Verbose | Where-Object { $_.StartsWith("Rebuilding $out") }) | Should -Match 'older than its input'
            (Get-Item -LiteralPath $out).LastWriteTimeUtc | Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(-10))
            $r.Objects.Count | Should -BeGreaterThan 0
        }

        # Made with other parameters: rebuilt, naming the parameter; then the new parameters are up to date.
        $name = @($Change.Keys)[0]
        $r = Split-Streams @(& $Run $fx $false $Change 2>&1 4>&1)
        $r.Errors | Should -BeNullOrEmpty
        @($r.Verbose | Where-Object { $_.StartsWith("Rebuilding $out") }) | Should -Match "made with -$name "
        (Get-Content -LiteralPath $record -Raw | ConvertFrom-Json).Parameters.$name | Should -Not -BeNullOrEmpty
        $r = Split-Streams @(& $Run $fx $false $Change 2>&1 4>&1)
        @($r.Verbose | Where-Object { $_.StartsWith("Kept existing $out") }).Count | Should -Be 1

        # A file this module did not make (no record beside it): kept, with a ResourceExists error naming it.
        Remove-Item -LiteralPath $record -Force
        $hash = (Get-FileHash -LiteralPath $out).Hash
        $r = Split-Streams @(& $Run $fx $false $Change 2>&1)
        $r.Errors.Count | Should -BeGreaterThan 0
        $r.Errors | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'ResourceExists' }
        $r.Errors.TargetObject | Should -Contain $target
        (Get-FileHash -LiteralPath $out).Hash | Should -Be $hash

        # -Force rebuilds it, and records it again.
        $VerbosePreference = 'SilentlyContinue'
        $forced = @(& $Run $fx $true $Change)
        $forced.Count | Should -BeGreaterThan 0
        (Get-Item -LiteralPath $out).LastWriteTimeUtc | Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(-10))
        Test-Path -LiteralPath $record | Should -BeTrue
    }

    It 'Convert-AtlasToBids: identical files kept, a file that differs from its source rebuilt without -Force' {
        $ErrorActionPreference = 'Continue'
        $fx = New-Fixture (Join-Path $TestDrive 'bids-rule')
        $dest = Join-Path $fx.Out 'bids'
        $out = Join-Path $dest 'sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_T1w.nii.gz'
        $null = $fx.Subject | Convert-AtlasToBids -Destination $dest
        $VerbosePreference = 'Continue'
        $r = Split-Streams @($fx.Subject | Convert-AtlasToBids -Destination $dest 2>&1 4>&1)
        $r.Errors | Should -BeNullOrEmpty
        $r.Objects[0].FilesWritten | Should -Be 0
        @($r.Verbose | Where-Object { $_.StartsWith("Kept existing $out") }).Count | Should -Be 1
        Copy-Item -LiteralPath $fx.Mask0 -Destination $out -Force
        $r = Split-Streams @($fx.Subject | Convert-AtlasToBids -Destination $dest 2>&1 4>&1)
        $r.Errors | Should -BeNullOrEmpty
        $r.Objects[0].FilesWritten | Should -Be 1
        @($r.Verbose | Where-Object { $_.StartsWith("Rebuilding $out") }) | Should -Match 'differs from its source'
        (Get-FileHash -LiteralPath $out).Hash | Should -Be (Get-FileHash -LiteralPath $fx.T1).Hash
    }

    It 'Export-AtlasVolume of a volume in memory: never up to date, so its own earlier file is rebuilt' {
        $fx = New-Fixture (Join-Path $TestDrive 'in-memory')
        $out = Join-Path $fx.Out 'mem.nii.gz'
        $null = Import-AtlasVolume -LiteralPath $fx.T1 | Export-AtlasVolume -OutputPath $out
        $VerbosePreference = 'Continue'
        $r = Split-Streams @(Import-AtlasVolume -LiteralPath $fx.T1 | Export-AtlasVolume -OutputPath $out -PassThru 2>&1 4>&1)
        $r.Errors | Should -BeNullOrEmpty
        @($r.Verbose | Where-Object { $_.StartsWith("Rebuilding $out") }) | Should -Match 'volumes in memory'
        $r.Objects.Count | Should -Be 1
    }

    It 'the record is written by the cmdlet that wrote the file, and -WhatIf writes none' {
        $fx = New-Fixture (Join-Path $TestDrive 'whatif')
        $null = Invoke-LesionSmooth -LiteralPath $fx.Raw0 -Destination $fx.Out -WhatIf
        @(Get-ChildItem -LiteralPath $fx.Out -Force) | Should -BeNullOrEmpty
    }
}

Describe 'A failed write names the file asked for, never its temporary file' {
    BeforeDiscovery {
        # A file name no file system takes (300 characters): the write fails in every cmdlet.
        $script:Failing = @(
            @{ Name = 'Export-AtlasSnapshot'; Run = { param($fx, $p) Export-AtlasSnapshot -LiteralPath $fx.T1 -Destination $p -Plane Axial } }
            @{ Name = 'Export-AtlasVolume'; Run = { param($fx, $p) Import-AtlasVolume -LiteralPath $fx.T1 | Export-AtlasVolume -Path $p } }
            @{ Name = 'Merge-AtlasLesion'; Run = { param($fx, $p) Merge-AtlasLesion -LiteralPath $fx.Mask0, $fx.Mask1 -OutputPath $p } }
            @{ Name = 'New-LesionOverlapMap'; Run = { param($fx, $p) New-LesionOverlapMap -LiteralPath $fx.Mask0, $fx.Mask1 -OutputPath $p } }
            @{ Name = 'Merge-LesionOverlapMap'; Run = { param($fx, $p) Merge-LesionOverlapMap -LiteralPath $fx.Partial -OutputPath $p } }
            @{ Name = 'Invoke-LesionWhiteMatterCorrection'; Run = { param($fx, $p) Invoke-LesionWhiteMatterCorrection -T1 $fx.T1 -Mask $fx.Mask0 -WhiteMatterMask $fx.Wm -OutputPath $p } }
            @{ Name = 'New-AtlasQcReport'; Ext = '.html'; Run = { param($fx, $p) $fx.Subject | New-AtlasQcReport -Destination $p -NoChecks } }
        )
    }

    It '<Name>' -ForEach $script:Failing {
        $ErrorActionPreference = 'Continue'
        $fx = New-Fixture (Join-Path $TestDrive "fail-$Name")
        $ext = if ($Ext) { $Ext } elseif ($Name -eq 'Export-AtlasSnapshot') { '.png' } else { '.nii.gz' }
        $p = Join-Path $fx.Out (('x' * 300) + $ext)
        $r = Split-Streams @(& $Run $fx $p 2>&1)
        $r.Objects | Should -BeNullOrEmpty
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].TargetObject | Should -Be $p
        "$($r.Errors[0])" | Should -BeLike "*$p*"
        "$($r.Errors[0])" | Should -Not -BeLike '*.tmp*'
        @(Get-ChildItem -LiteralPath $fx.Out -Force) | Should -BeNullOrEmpty
    }
}

Describe 'Two inputs that map to one output name in one run' {
    # The same scan from two folders (a dataset and its copy) into one -Destination: the second input
    # must not pass as "up to date" on the file just written from the first, nor replace it with -Force.
    BeforeAll {
        $script:A = New-Fixture -Root (Join-Path $TestDrive 'a')
        $script:B = New-Fixture -Root (Join-Path $TestDrive 'b')
    }

    It '<Name> writes the first and names the collision for the second (-Force: <Force>)' -ForEach @(
        foreach ($force in $false, $true) {
            @{ Name = 'Invoke-LesionSmooth'; Force = $force; Outputs = 1
                Run = { param($a, $b, $dest, $Force) Invoke-LesionSmooth -LiteralPath $a.Raw0, $b.Raw0 -Destination $dest -Force:$Force } }
            @{ Name = 'Merge-AtlasLesion'; Force = $force; Outputs = 1
                Run = { param($a, $b, $dest, $Force) $a.Subject, $b.Subject | Merge-AtlasLesion -Destination $dest -Force:$Force } }
            @{ Name = 'Invoke-LesionWhiteMatterCorrection'; Force = $force; Outputs = 2
                Run = { param($a, $b, $dest, $Force) $a.Subject, $b.Subject | Invoke-LesionWhiteMatterCorrection -Destination $dest -Force:$Force } }
            @{ Name = 'Export-AtlasSnapshot'; Force = $force; Outputs = 1
                Run = { param($a, $b, $dest, $Force) $a.Subject, $b.Subject | Export-AtlasSnapshot -Destination $dest -Plane Axial -Force:$Force } }
            @{ Name = 'Get-LesionComponent'; Force = $force; Outputs = 1
                Run = { param($a, $b, $dest, $Force) Get-LesionComponent -LiteralPath $a.Mask0, $b.Mask0 -Destination $dest -Force:$Force } }
            @{ Name = 'Export-AtlasSnapshot (files)'; Force = $force; Outputs = 1
                Run = { param($a, $b, $dest, $Force) Export-AtlasSnapshot -LiteralPath $a.T1, $b.T1 -Destination $dest -Plane Axial -Force:$Force } }
        }
    ) {
        $ErrorActionPreference = 'Continue'   # the errors are what is tested
        $dest = Join-Path $TestDrive ("collide-" + [guid]::NewGuid().ToString('N'))
        $r = Split-Streams (& $Run $script:A $script:B $dest $Force 2>&1 4>&1)
        $r.Objects.Count | Should -Be $Outputs
        $r.Errors.Count | Should -Be $Outputs
        foreach ($e in $r.Errors) {
            $e.FullyQualifiedErrorId | Should -BeLike 'OutputCollision,*'
            $e.CategoryInfo.Category | Should -Be 'ResourceExists'
            "$($e.TargetObject)" | Should -BeLike "$dest*"
            "$e" | Should -Match ([regex]::Escape((Join-Path $TestDrive 'b')))
        }
        $r.Verbose | Where-Object { $_ -like 'Kept existing*' } | Should -BeNullOrEmpty
    }
}

Describe 'A nightly rerun of a pipeline' {
    It 'gives the same records as the first run, though every smoothed mask is kept' {
        $root = Join-Path $TestDrive 'nightly'
        $null = New-AtlasSampleDataset -Path (Join-Path $root 'sample') -SubjectCount 3
        $run = { Get-AtlasSubject (Join-Path $root 'sample') | Invoke-LesionSmooth -Destination (Join-Path $root 'smoothed') | Measure-Lesion | ConvertTo-Csv }
        $first = @(& $run)
        $first.Count | Should -BeGreaterThan 2
        $VerbosePreference = 'Continue'
        $second = @(& $run 4>&1)
        $VerbosePreference = 'SilentlyContinue'
        $kept = @($second | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Kept existing*' })
        $kept.Count | Should -BeGreaterThan 0
        @($second | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }) | Should -Be $first
    }
}

Describe 'Output files and input paths without a provider round trip for absolute paths' {
    It 'every written file has the provider properties Get-Item gives it, from the first to the last' {
        $root = Join-Path $TestDrive 'items'
        $null = New-AtlasSampleDataset -Path (Join-Path $root 'sample') -SubjectCount 3
        $raw = @(Get-ChildItem -LiteralPath (Join-Path $root 'sample') -Recurse -Filter '*_LesionRaw*.voi' | Sort-Object FullName)
        $raw.Count | Should -BeGreaterThan 2
        $out = @($raw | Invoke-LesionSmooth -Destination (Join-Path $root 'smoothed'))
        $out.Count | Should -Be $raw.Count
        foreach ($o in $out) {
            # The first output came from the provider; the others are made by the module and must not differ.
            $g = Get-Item -LiteralPath $o.FullName
            $o | Should -BeOfType System.IO.FileInfo
            $o.PSPath | Should -BeExactly $g.PSPath
            $o.PSParentPath | Should -BeExactly $g.PSParentPath
            $o.PSChildName | Should -BeExactly $g.PSChildName
            $o.PSDrive.Name | Should -BeExactly $g.PSDrive.Name
            $o.PSProvider.Name | Should -BeExactly 'FileSystem'
            $o.PSIsContainer | Should -BeFalse
            $o.Mode | Should -BeExactly $g.Mode   # the FileInfo type data applies as to Get-Item's object
        }
    }

    It 'relative, provider-qualified, PowerShell-drive and absolute paths name the same file' {
        $root = Join-Path $TestDrive 'paths'
        $mask = Join-Path $root 'a/m.nii.gz'
        New-TestMask -Path $mask -Box 2, 5, 2, 5, 2, 5
        $expected = (Measure-Lesion -LiteralPath $mask).VolumeMl
        $expected | Should -BeGreaterThan 0
        Push-Location (Join-Path $root 'a')
        try {
            (Measure-Lesion -LiteralPath 'm.nii.gz').MaskPath | Should -BeExactly $mask
            (Measure-Lesion -Path './m.nii.gz').MaskPath | Should -BeExactly $mask
        }
        finally { Pop-Location }
        (Measure-Lesion -LiteralPath ('Microsoft.PowerShell.Core\FileSystem::' + $mask)).MaskPath | Should -BeExactly $mask
        (Measure-Lesion -LiteralPath 'TestDrive:/paths/a/m.nii.gz').MaskPath | Should -BeExactly $mask
        (Measure-Lesion -LiteralPath (Join-Path $root 'a/../a/m.nii.gz')).MaskPath | Should -BeExactly $mask
        # A rooted path with backslashes after its root, which PowerShell reads as separators on every platform.
        (Measure-Lesion -LiteralPath ($mask.Substring(0, 1) + ($mask.Substring(1) -replace '/', '\'))).MaskPath | Should -BeExactly $mask
        (Measure-Lesion -Path (Join-Path $root 'a/m.nii.gz')).VolumeMl | Should -Be $expected
        # A path that is not there is still the provider's ObjectNotFound error, naming it.
        $err = $null
        $null = Measure-Lesion -LiteralPath (Join-Path $root 'a/none.nii.gz') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($err[0])" | Should -Match ([regex]::Escape((Join-Path $root 'a/none.nii.gz')))
    }
}
