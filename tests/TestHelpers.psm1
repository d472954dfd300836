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
    param([string] $Path, [int] $SubjectCount = 4, [int] $Seed = 1)
    if (-not (Get-Command New-AtlasSampleDataset -ErrorAction SilentlyContinue)) { return $null }
    $null = New-AtlasSampleDataset -Path $Path -SubjectCount $SubjectCount -Seed $Seed
    $meta = Get-ChildItem -Path $Path -Filter '*.csv' | Select-Object -First 1
    return [pscustomobject]@{ Root = $Path; Metadata = $meta.FullName }
}

function Get-DebianPython {
    # Debian's python3 has nibabel/scipy; the python3 first on PATH may be another interpreter.
    if (Test-Path '/usr/bin/python3') { return '/usr/bin/python3' }
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

Export-ModuleMember -Function Get-AtlasModuleUnderTestPath, Import-AtlasModuleUnderTest, New-TestSampleDataset, Get-DebianPython, Invoke-ChildPwsh
