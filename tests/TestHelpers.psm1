# Shared by the Pester files: the built module, a sample dataset made once per file, small test images
# (box masks and ramp T1s), and peer tools.

function Get-AtlasModuleUnderTestPath {
    $path = if ($env:ATLAS_PSM_MODULE) { $env:ATLAS_PSM_MODULE } else { Join-Path $PSScriptRoot '../out/Atlas.Psm/Atlas.Psm.psd1' }
    if (-not (Test-Path $path)) { throw "Built module not found at $path; run ./build.ps1 build first." }
    return (Resolve-Path -LiteralPath $path).ProviderPath
}

function Import-AtlasModuleUnderTest {
    Import-Module (Get-AtlasModuleUnderTestPath) -Force -Global -ErrorAction Stop
}

function New-TestSampleDataset {
    # A small sample dataset (New-AtlasSampleDataset) in a folder of its own; returns root and metadata path.
    # A module without New-AtlasSampleDataset is a regression: the call fails, and so does the test.
    param([string] $Path, [int] $SubjectCount = 4, [int] $Seed = 1)
    $null = New-AtlasSampleDataset -Path $Path -SubjectCount $SubjectCount -Seed $Seed
    $meta = Get-ChildItem -Path $Path -Filter '*.csv' | Select-Object -First 1
    return [pscustomobject]@{ Root = $Path; Metadata = $meta.FullName }
}

function New-TestGrid([int[]] $Dims, [double[]] $Spacing = @(1, 1, 1)) {
    [Atlas.Core.Volumes.Grid]::Create($Dims[0], $Dims[1], $Dims[2], $Spacing[0], $Spacing[1], $Spacing[2])
}

function Save-TestImage($Volume, [string] $Path) {
    # Written with the engine (no record beside it), its folder made when missing.
    $dir = Split-Path -Parent $Path
    if ($dir -and -not (Test-Path -LiteralPath $dir)) { New-Item -ItemType Directory -Force -Path $dir | Out-Null }
    [Atlas.Core.Nifti.NiftiWriter]::Write($Volume, $Path, $null)
}

function New-TestMask {
    # A uint8 mask with boxes set to 1, each box @(i0, i1, j0, j1, k0, k1) inclusive: -Box 2, 5, 2, 5, 2, 5 for one,
    # -Box @(@(…), @(…)) for several, none for an empty mask. On -Grid, else on -Dims voxels of -Spacing mm.
    # Written to -Path when given, else returned as an AtlasVolume.
    param([string] $Path, [object[]] $Box = @(), $Grid, [int[]] $Dims = @(20, 20, 16), [double[]] $Spacing = @(1, 1, 1))
    $g = if ($Grid) { $Grid } else { New-TestGrid $Dims $Spacing }
    $boxes = $Box
    if ($Box.Count -gt 0 -and $Box[0] -isnot [array]) { $boxes = @(, $Box) }
    $m = [byte[]]::new($g.VoxelCount)
    foreach ($b in $boxes) {
        for ($k = $b[4]; $k -le $b[5]; $k++) { for ($j = $b[2]; $j -le $b[3]; $j++) { for ($i = $b[0]; $i -le $b[1]; $i++) { $m[$g.Index($i, $j, $k)] = 1 } } }
    }
    $v = [Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $m, $null)
    if ($Path) { Save-TestImage $v $Path } else { $v }
}

function New-TestT1 {
    # A float32 'T1' whose voxel (i, j, k) holds Ramp[0] + Ramp[1] i + Ramp[2] j + Ramp[3] k (default 100 + i + 2j + 3k),
    # on -Grid, else on -Dims voxels of -Spacing mm. Written to -Path when given, else returned as an AtlasVolume.
    param([string] $Path, [double[]] $Ramp = @(100, 1, 2, 3), $Grid, [int[]] $Dims = @(20, 20, 16), [double[]] $Spacing = @(1, 1, 1))
    $g = if ($Grid) { $Grid } else { New-TestGrid $Dims $Spacing }
    $d = [float[]]::new($g.VoxelCount)
    for ($k = 0; $k -lt $g.NZ; $k++) { for ($j = 0; $j -lt $g.NY; $j++) { for ($i = 0; $i -lt $g.NX; $i++) {
                $d[$g.Index($i, $j, $k)] = $Ramp[0] + $Ramp[1] * $i + $Ramp[2] * $j + $Ramp[3] * $k
            } } }
    $v = [Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, $d, $null)
    if ($Path) { Save-TestImage $v $Path } else { $v }
}

# Peers the tests compare against. ATLAS_TEST_HIDE_PEERS (comma-separated names, or "all") hides
# present ones, so a run shows what a machine without them does (the same switch as the xunit tests'
# Peers class); ATLAS_TEST_PYTHON replaces the interpreter. A test that needs a peer asks
# Get-PeerSkipReason first and skips with its answer; a peer that runs and fails fails the test.
$script:MricronTemplates = '/usr/share/mricron/templates'

function Test-PeerHidden([string] $Name) {
    $hidden = @("$env:ATLAS_TEST_HIDE_PEERS" -split '[,; ]' | Where-Object { $_ })
    return ($hidden -contains 'all') -or ($hidden -contains $Name)
}

function Get-DebianPython {
    # Debian's python3 has nibabel/scipy; the python3 first on PATH may be another interpreter.
    if (Test-PeerHidden 'python') { return $null }
    $py = if ($env:ATLAS_TEST_PYTHON) { $env:ATLAS_TEST_PYTHON } else { '/usr/bin/python3' }
    if (Test-Path $py) { return $py }
    return $null
}

function Get-PeerSkipReason {
    # $null when the peer is there (with each named file or python module), else why the test skips.
    param(
        [Parameter(Mandatory)] [ValidateSet('mricron-data', 'python', 'chromium', 'bids-validator')] [string] $Name,
        [string[]] $File = @(),
        [string[]] $Module = @()
    )
    switch ($Name) {
        'mricron-data' {
            if ((Test-PeerHidden $Name) -or -not (Test-Path $script:MricronTemplates)) { return "mricron-data not installed ($script:MricronTemplates; apt-get install mricron-data)" }
            foreach ($f in $File) { if (-not (Test-Path (Join-Path $script:MricronTemplates $f))) { return "mricron-data lacks $f" } }
        }
        'python' {
            $py = Get-DebianPython
            if (-not $py) { return "Debian's python3 (/usr/bin/python3) not installed" }
            foreach ($m in $Module) {
                if (Test-PeerHidden $m) { return "python module $m not importable by $py" }
                & $py -c "import $m" 2>$null
                if ($LASTEXITCODE -ne 0) { return "python module $m not importable by $py (apt-get install python3-$m)" }
            }
        }
        'chromium' {
            if ((Test-PeerHidden $Name) -or -not (Test-Path '/usr/bin/chromium')) { return 'chromium not installed (apt-get install chromium)' }
        }
        'bids-validator' {
            if ((Test-PeerHidden $Name) -or -not (Get-Command bids-validator -CommandType Application -ErrorAction SilentlyContinue)) { return 'bids-validator not installed (npm install -g bids-validator@1.15.0)' }
        }
    }
    return $null
}

function Invoke-ChildPwsh([string[]] $Arguments, [switch] $Start, [string] $OutputBase) {
    # A fresh PowerShell process: $PSHOME/pwsh, or pwsh.dll through dotnet (the dotnet tool).
    # -Start returns the process; with -OutputBase its stdout and stderr go to <base>.out and <base>.err.
    $exe = Join-Path $PSHOME ($(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }))
    $all = @('-NoProfile', '-NonInteractive') + $Arguments
    if (-not (Test-Path $exe)) { $all = @((Join-Path $PSHOME 'pwsh.dll')) + $all; $exe = 'dotnet' }
    if ($Start -and $OutputBase) {
        return Start-Process -FilePath $exe -ArgumentList $all -PassThru -RedirectStandardOutput "$OutputBase.out" -RedirectStandardError "$OutputBase.err"
    }
    if ($Start) { return Start-Process -FilePath $exe -ArgumentList $all -PassThru }
    & $exe @all 2>&1
}

Export-ModuleMember -Function Get-AtlasModuleUnderTestPath, Import-AtlasModuleUnderTest, New-TestSampleDataset, New-TestMask, New-TestT1, Get-DebianPython, Get-PeerSkipReason, Test-PeerHidden, Invoke-ChildPwsh
