# What every writing cmdlet shares: a failed write names the file the user asked for, never the
# temporary file it goes through.
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
