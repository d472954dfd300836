# What every writing cmdlet shares: an existing output is kept without -Force, by one rule
# (docs/about_Atlas.Psm.md, "Files written"), and a failed write names the file the user asked
# for, never the temporary file it goes through.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest

    function script:Write-TestImage([string] $Path, [int[][]] $Box, [switch] $T1) {
        # A 20 x 20 x 16 image of 1 mm voxels: a T1 (float, values 100 + i + 2j + 3k) or a mask with a box set.
        $g = [Atlas.Core.Volumes.Grid]::Create(20, 20, 16, 1, 1, 1)
        if ($T1) {
            $d = [float[]]::new($g.VoxelCount)
            for ($n = 0; $n -lt $d.Length; $n++) { $d[$n] = 100 + ($n % 20) + 2 * ([math]::Floor($n / 20) % 20) + 3 * [math]::Floor($n / 400) }
            $v = [Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, $d, $null)
        } else {
            $m = [byte[]]::new($g.VoxelCount)
            for ($k = $Box[2][0]; $k -le $Box[2][1]; $k++) { for ($j = $Box[1][0]; $j -le $Box[1][1]; $j++) { for ($i = $Box[0][0]; $i -le $Box[0][1]; $i++) { $m[$g.Index($i, $j, $k)] = 1 } } }
            $v = [Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $m, $null)
        }
        New-Item -ItemType Directory -Force -Path (Split-Path $Path) | Out-Null
        [Atlas.Core.Nifti.NiftiWriter]::Write($v, $Path, $null)
    }

    function script:New-Fixture([string] $Root) {
        # One R1.1 native scan under src/ (T1, two raw and two smoothed masks), a white-matter mask and a
        # partial overlap map under extra/, all two hours old; outputs go under out/.
        $dir = Join-Path $Root 'src/c0001/c0001s0001t01'
        $t1 = Join-Path $dir 'c0001s0001t01.nii.gz'
        Write-TestImage -Path $t1 -T1
        $raw0 = Join-Path $dir 'c0001s0001t01_LesionRaw.voi'
        $raw1 = Join-Path $dir 'c0001s0001t01_LesionRaw_1.voi'
        $mask0 = Join-Path $dir 'c0001s0001t01_LesionSmooth.nii.gz'
        $mask1 = Join-Path $dir 'c0001s0001t01_LesionSmooth_1.nii.gz'
        Write-TestImage -Path $raw0 -Box @(@(4, 7), @(4, 7), @(4, 7))
        Write-TestImage -Path $raw1 -Box @(@(12, 15), @(12, 15), @(8, 11))
        Write-TestImage -Path $mask0 -Box @(@(4, 7), @(4, 7), @(4, 7))
        Write-TestImage -Path $mask1 -Box @(@(12, 15), @(12, 15), @(8, 11))
        $wm = Join-Path $Root 'extra/wm.nii.gz'
        Write-TestImage -Path $wm -Box @(@(2, 17), @(2, 17), @(2, 13))
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

Describe 'Existing outputs: one rule for every writing cmdlet' {
    BeforeDiscovery {
        # Run writes with the cmdlet (-Force when $Force); Output is the file compared before and after;
        # Target the path an OutputExists error names (default: Output). Derived cmdlets keep an output
        # newer than its inputs quietly; the others refuse any existing output. Records marks cmdlets
        # that still output something for a kept file, checked by Kept: the kept file itself, or the
        # overlap map's record, when it is up to date; the record of the work whatever happened to the file.
        $keptFile = { param($objects, $stale, $out)
            if ($stale) { $objects | Should -BeNullOrEmpty } else { $objects.Count | Should -Be 1; $objects[0].FullName | Should -Be $out } }
        $keptMap = { param($objects, $stale, $out)
            if ($stale) { $objects | Should -BeNullOrEmpty } else { $objects.Count | Should -Be 1; $objects[0].ProportionPath | Should -Be $out; $objects[0].CountPath | Should -BeLike '*_count.nii.gz' } }
        $script:Writers = @(
            @{ Name = 'Export-AtlasVolume'; Derived = $false
                Run = { param($fx, $Force) Import-AtlasVolume -LiteralPath $fx.T1 | Export-AtlasVolume -Path (Join-Path $fx.Out 'copy.nii.gz') -PassThru -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'copy.nii.gz' } }
            @{ Name = 'Export-AtlasSnapshot'; Derived = $true
                Run = { param($fx, $Force) Export-AtlasSnapshot -LiteralPath $fx.T1 -Destination $fx.Out -Plane Axial -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'c0001s0001t01.png' } }
            @{ Name = 'Invoke-LesionSmooth'; Derived = $true; Records = $true; Kept = $keptFile
                Run = { param($fx, $Force) Invoke-LesionSmooth -LiteralPath $fx.Raw0 -Destination $fx.Out -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'c0001s0001t01_LesionSmooth.nii.gz' } }
            @{ Name = 'Invoke-LesionWhiteMatterCorrection'; Derived = $true
                Run = { param($fx, $Force) Invoke-LesionWhiteMatterCorrection -T1 $fx.T1 -Mask $fx.Mask0 -WhiteMatterMask $fx.Wm -OutputPath (Join-Path $fx.Out 'wmc.nii.gz') -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'wmc.nii.gz' } }
            @{ Name = 'Merge-AtlasLesion'; Derived = $true; Records = $true; Kept = $keptFile
                Run = { param($fx, $Force) Merge-AtlasLesion -LiteralPath $fx.Mask0, $fx.Mask1 -OutputPath (Join-Path $fx.Out 'merged.nii.gz') -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'merged.nii.gz' } }
            @{ Name = 'Get-LesionComponent'; Derived = $true; Records = $true
                Run = { param($fx, $Force) Get-LesionComponent -LiteralPath $fx.Mask0 -Destination $fx.Out -BaseName 'lesion' -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'lesion.nii.gz' }
                # The lesion's record is its measurement: still output; it names the file only when the file is its mask.
                Kept = { param($objects, $stale, $out) $objects.Count | Should -Be 1; $objects[0].OutputPath | Should -Be $(if ($stale) { $null } else { $out }) } }
            @{ Name = 'New-LesionOverlapMap'; Derived = $true; Records = $true; Kept = $keptMap
                Run = { param($fx, $Force) New-LesionOverlapMap -LiteralPath $fx.Mask0, $fx.Mask1 -OutputPath (Join-Path $fx.Out 'map.nii.gz') -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'map.nii.gz' } }
            @{ Name = 'Merge-LesionOverlapMap'; Derived = $true; Records = $true; Kept = $keptMap
                Run = { param($fx, $Force) Merge-LesionOverlapMap -LiteralPath $fx.Partial -OutputPath (Join-Path $fx.Out 'merged-map.nii.gz') -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'merged-map.nii.gz' } }
            @{ Name = 'New-AtlasQcReport'; Derived = $false
                Run = { param($fx, $Force) $fx.Subject | New-AtlasQcReport -Destination (Join-Path $fx.Out 'qc') -NoChecks -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'qc/index.html' } }
            @{ Name = 'New-AtlasSampleDataset'; Derived = $false
                Run = { param($fx, $Force) New-AtlasSampleDataset -Path (Join-Path $fx.Out 'sample') -SubjectCount 1 -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'sample/ATLAS_sample_metadata.csv' }
                Target = { param($fx) Join-Path $fx.Out 'sample' } }
            @{ Name = 'ConvertTo-AtlasCanonical'; Derived = $true; Records = $true; Kept = $keptFile
                Run = { param($fx, $Force) ConvertTo-AtlasCanonical -LiteralPath $fx.T1 -Orientation LAS -OutputPath (Join-Path $fx.Out 'las.nii.gz') -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'las.nii.gz' } }
            @{ Name = 'Invoke-AtlasResample'; Derived = $true; Records = $true; Kept = $keptFile
                Run = { param($fx, $Force) Invoke-AtlasResample -LiteralPath $fx.Mask0 -Reference $fx.T1 -Destination $fx.Out -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out ([System.IO.Path]::GetFileName($fx.Mask0)) } }
            @{ Name = 'Export-AtlasTransform'; Derived = $false
                Run = { param($fx, $Force) [Atlas.Core.Spatial.AffineTransform]::Identity | Export-AtlasTransform -OutputPath (Join-Path $fx.Out 'identity.txt') -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'identity.txt' } }
            @{ Name = 'Convert-AtlasToBids'; Derived = $true; Records = $true
                Run = { param($fx, $Force) $fx.Subject | Convert-AtlasToBids -Destination (Join-Path $fx.Out 'bids') -Force:$Force }
                Output = { param($fx) Join-Path $fx.Out 'bids/sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_T1w.nii.gz' }
                # Files are compared by content: an identical file is up to date, a different one is not.
                Stale = { param($fx, $out) Copy-Item -LiteralPath $fx.Mask0 -Destination $out -Force }
                # The scan's record counts the kept file as skipped (identical) or failed (different); none is written.
                Kept = { param($objects, $stale, $out) $objects.Count | Should -Be 1; $objects[0].FilesWritten | Should -Be 0
                    if ($stale) { $objects[0].FilesFailed | Should -Be 1 } else { $objects[0].FilesSkipped | Should -BeGreaterThan 0 } } }
        )
    }

    It '<Name>: kept without -Force (quietly when up to date, else a ResourceExists error); -Force overwrites' -ForEach $script:Writers {
        $ErrorActionPreference = 'Continue'   # the errors are what is tested
        $fx = New-Fixture (Join-Path $TestDrive $Name)
        $out = & $Output $fx
        $target = if ($Target) { & $Target $fx } else { $out }
        $first = @(& $Run $fx $false)
        $first.Count | Should -BeGreaterThan 0
        Test-Path -LiteralPath $out | Should -BeTrue

        if ($Derived) {
            # Up to date: the output is newer than every input.
            (Get-Item -LiteralPath $out).LastWriteTimeUtc = [datetime]::UtcNow.AddHours(-1)
            $hash = (Get-FileHash -LiteralPath $out).Hash
            $VerbosePreference = 'Continue'
            $r = Split-Streams @(& $Run $fx $false 2>&1 4>&1)
            $VerbosePreference = 'SilentlyContinue'
            $r.Errors | Should -BeNullOrEmpty
            @($r.Verbose | Where-Object { $_.StartsWith("Kept existing $out") }) | Should -Match 'use -Force to overwrite'
            if ($Records) { & $Kept $r.Objects $false $out } else { $r.Objects | Should -BeNullOrEmpty }
            (Get-FileHash -LiteralPath $out).Hash | Should -Be $hash
        }

        # Not up to date (older than an input, or not derived from files): kept, with an error naming it.
        if ($Stale) { & $Stale $fx $out } else { (Get-Item -LiteralPath $out).LastWriteTimeUtc = [datetime]::UtcNow.AddHours(-3) }
        $hash = (Get-FileHash -LiteralPath $out).Hash
        $r = Split-Streams @(& $Run $fx $false 2>&1)
        $r.Errors.Count | Should -BeGreaterThan 0
        $r.Errors | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'ResourceExists' }
        $r.Errors.TargetObject | Should -Contain $target
        if ($Records) { & $Kept $r.Objects $true $out } else { $r.Objects | Should -BeNullOrEmpty }
        (Get-FileHash -LiteralPath $out).Hash | Should -Be $hash

        $forced = @(& $Run $fx $true)
        $forced.Count | Should -BeGreaterThan 0
        (Get-Item -LiteralPath $out).LastWriteTimeUtc | Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(-10))
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
