# Shared by the Pester files: the built module, a sample dataset made once per file, and peer tools.

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

Export-ModuleMember -Function Get-AtlasModuleUnderTestPath, Import-AtlasModuleUnderTest, New-TestSampleDataset, Get-DebianPython, Get-PeerSkipReason, Test-PeerHidden, Invoke-ChildPwsh
