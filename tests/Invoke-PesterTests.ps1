<#
.SYNOPSIS
    Runs the Pester tests (tests/*.Tests.ps1) against the built module, in this fresh process.
    Pester 5.7.1 comes from NuGet (a PackageDownload of tests/Atlas.Core.Tests), imported by path.
    Writes {Passed, Failed, Skipped, SkipReasons} to -ResultFile (SkipReasons: reason -> count);
    exits 1 when a test failed.
#>
param(
    [Parameter(Mandatory)] [string] $ResultFile,
    [string[]] $Path = @(Join-Path $PSScriptRoot '*.Tests.ps1'),
    [string] $Output = 'Detailed'
)
$ErrorActionPreference = 'Stop'

function Find-Pester {
    $roots = @()
    if ($env:NUGET_PACKAGES) { $roots += $env:NUGET_PACKAGES }
    $listed = (& dotnet nuget locals global-packages --list 2>$null) -replace '^global-packages:\s*', ''
    if ($listed) { $roots += $listed.Trim() }
    $roots += Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages'
    foreach ($r in $roots) {
        $p = Join-Path $r 'pester/5.7.1/tools/Pester.psd1'
        if (Test-Path $p) { return $p }
    }
    return $null
}

$pester = Find-Pester
if (-not $pester) {
    # The PackageDownload in the test project brings it; restore once if a fresh machine lacks it.
    & dotnet restore (Join-Path $PSScriptRoot 'Atlas.Core.Tests/Atlas.Core.Tests.csproj') --nologo | Out-Host
    $pester = Find-Pester
}
if (-not $pester) { throw 'Pester 5.7.1 was not found in the NuGet packages folder after a restore.' }
Import-Module $pester -Force

if (-not $env:ATLAS_PSM_MODULE) { $env:ATLAS_PSM_MODULE = Join-Path $PSScriptRoot '../out/Atlas.Psm/Atlas.Psm.psd1' }

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = $Output
$result = Invoke-Pester -Configuration $config

# Why each test skipped: Set-ItResult -Skipped -Because leaves "is skipped, because <reason>" in its error record.
$reasons = [ordered]@{}
foreach ($t in @($result.Skipped) + @($result.NotRun)) {
    if (-not $t) { continue }
    $msg = @($t.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join '; '
    $why = if ($msg -match 'because (.+)$') { $Matches[1].Trim() } elseif ($msg) { $msg } else { 'no reason given' }
    $reasons[$why] = 1 + [int]$reasons[$why]
}
$summary = [ordered]@{
    Passed      = $result.PassedCount
    Failed      = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped     = $result.SkippedCount + $result.NotRunCount
    SkipReasons = $reasons
}
$summary | ConvertTo-Json | Set-Content -Path $ResultFile -Encoding utf8
if ($summary.Failed -gt 0) { exit 1 }
exit 0
