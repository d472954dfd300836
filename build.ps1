#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, documents and demonstrates Atlas.Psm.
.DESCRIPTION
    Tasks:
      build  publish the importable module into out/Atlas.Psm (dlls, manifest, views, MAML help)
      test   build, then run the xunit engine tests and the Pester cmdlet tests (in a fresh pwsh);
             ends with one line "Total: N passed, N failed, N skipped (N <reason>; ...)"
      demo   build, then run the main job on a generated sample dataset under out/demo
      docs   turn docs/en-US/*.md into MAML help (also part of build)
      bench  build, then run the benchmarks in bench/ (figures go to bench/RESULTS.md by hand)
      clean  remove out/ and every bin/ and obj/ folder
    Run it as: dotnet tool restore && dotnet pwsh ./build.ps1 <task>
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [string] $Task = 'build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Extra arguments for the bench task (e.g. 'nifti' or 'metrics').
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Rest
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'Atlas.Psm'
$Tasks = 'build', 'test', 'demo', 'docs', 'bench', 'clean'

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw (Join-Path $Root 'src/Directory.Build.props')
    $v = $props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ } | Select-Object -First 1
    if (-not $v) { throw 'No <Version> in src/Directory.Build.props' }
    return $v
}

function Invoke-Docs {
    Write-Step 'Help: docs/en-US/*.md -> MAML'
    . (Join-Path $Root 'docs/tools/ConvertTo-MamlHelp.ps1')
    $helpDir = Join-Path $ModuleOut 'en-US'
    New-Item -ItemType Directory -Force -Path $helpDir | Out-Null
    ConvertTo-MamlHelp -MarkdownFolder (Join-Path $Root 'docs/en-US') -OutputFile (Join-Path $helpDir 'Atlas.Psm.dll-Help.xml')
    $about = Join-Path $Root 'docs/about_Atlas.Psm.md'
    if (Test-Path $about) {
        ConvertTo-AboutHelp -MarkdownFile $about -OutputFile (Join-Path $helpDir 'about_Atlas.Psm.help.txt')
    }
}

function Invoke-Build {
    Write-Step "Build ($Configuration)"
    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Atlas.Psm/Atlas.Psm.csproj'), '-c', $Configuration, '-o', $ModuleOut, '--nologo', '-v', 'quiet')
    # Native libraries of dependencies (runtimes/<rid>/native) go beside the dll, where .NET looks
    # first for a DllImport of an assembly loaded from a module folder.
    $rid = if ($IsWindows) { 'win-x64' } elseif ($IsMacOS) { 'osx' } else { 'linux-x64' }
    $native = Join-Path $ModuleOut "runtimes/$rid/native"
    if (Test-Path $native) { Copy-Item (Join-Path $native '*') $ModuleOut -Force }
    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw (Join-Path $Root 'module/Atlas.Psm.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $ModuleOut 'Atlas.Psm.psd1') -Value $manifest -Encoding utf8
    Copy-Item (Join-Path $Root 'module/*.ps1xml') $ModuleOut -Force
    Invoke-Docs
    Write-Host "Module: $(Join-Path $ModuleOut 'Atlas.Psm.psd1') (version $version)"
}

function Get-TrxCounts([string] $TrxFolder) {
    $passed = 0; $failed = 0; $skipped = 0
    $reasons = [ordered]@{}
    foreach ($trx in Get-ChildItem -Path $TrxFolder -Filter *.trx -ErrorAction SilentlyContinue) {
        [xml] $x = Get-Content -Raw $trx.FullName
        $c = $x.TestRun.ResultSummary.Counters
        $passed += [int]$c.passed
        $failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        # Skipped tests (SkippableFact) are in total but not executed; older loggers count them in notExecuted.
        $skipped += [Math]::Max([int]$c.notExecuted, [int]$c.total - [int]$c.executed)
        # The skip reason (Skip.If's message) is the result's ErrorInfo message.
        foreach ($r in @($x.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -eq 'NotExecuted' })) {
            $why = "$($r.Output.ErrorInfo.Message)".Trim()
            if (-not $why) { $why = 'no reason given' }
            $reasons[$why] = 1 + [int]$reasons[$why]
        }
    }
    return [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped; SkipReasons = $reasons }
}

function Add-SkipReasons($Into, $From) {
    # Sums reason -> count maps (an ordered dictionary, or the PSCustomObject ConvertFrom-Json makes of one).
    if (-not $From) { return }
    $pairs = if ($From -is [System.Collections.IDictionary]) { $From.GetEnumerator() | ForEach-Object { [pscustomobject]@{ Name = $_.Key; Value = $_.Value } } } else { $From.PSObject.Properties }
    foreach ($p in $pairs) { $Into[$p.Name] = [int]$p.Value + [int]$Into[$p.Name] }
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $Out 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    New-Item -ItemType Directory -Force -Path $results | Out-Null

    Write-Step 'Engine tests (xunit)'
    & dotnet test (Join-Path $Root 'tests/Atlas.Core.Tests/Atlas.Core.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=normal' --results-directory $results
    $xunitExit = $LASTEXITCODE
    $x = Get-TrxCounts $results
    if ($xunitExit -ne 0 -and $x.Failed -eq 0) { $x.Failed = 1; Write-Host 'xunit run failed before reporting results' -ForegroundColor Red }
    Write-Host ("xunit: {0} passed, {1} failed, {2} skipped" -f $x.Passed, $x.Failed, $x.Skipped)

    Write-Step 'Cmdlet tests (Pester, in a fresh pwsh)'
    $pesterJson = Join-Path $results 'pester.json'
    $env:ATLAS_PSM_MODULE = Join-Path $ModuleOut 'Atlas.Psm.psd1'
    $env:ATLAS_PSM_ROOT = $Root
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Invoke-PesterTests.ps1') -ResultFile $pesterJson
    $pesterExit = $LASTEXITCODE
    $p = if (Test-Path $pesterJson) { Get-Content -Raw $pesterJson | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; SkipReasons = $null } }
    if ($pesterExit -ne 0 -and $p.Failed -eq 0) { $p.Failed = 1; Write-Host 'Pester run failed before reporting results' -ForegroundColor Red }
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $p.Passed, $p.Failed, $p.Skipped)

    $passed = $x.Passed + $p.Passed
    $failed = $x.Failed + $p.Failed
    $skipped = $x.Skipped + $p.Skipped
    Write-Host ''
    $why = [ordered]@{}
    Add-SkipReasons $why $x.SkipReasons
    Add-SkipReasons $why $p.SkipReasons
    $byReason = if ($skipped -gt 0) { ' (' + (@($why.GetEnumerator() | ForEach-Object { "$($_.Value) $($_.Key)" }) -join '; ') + ')' } else { '' }
    Write-Host ("Total: {0} passed, {1} failed, {2} skipped{3}" -f $passed, $failed, $skipped, $byReason)
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Write-Step 'Demo: the main job on the sample dataset'
    $demoOut = Join-Path $Out 'demo'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'docs/examples/pipeline.ps1') -ModulePath (Join-Path $ModuleOut 'Atlas.Psm.psd1') -OutputFolder $demoOut
    if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)" }
}

function Invoke-Bench {
    Invoke-Build
    Write-Step 'Benchmarks'
    $benchArgs = if ($Rest) { $Rest } else { @('all') }
    Invoke-Native dotnet (@('run', '-c', 'Release', '--project', (Join-Path $Root 'bench/Atlas.Bench/Atlas.Bench.csproj'), '--') + $benchArgs)
}

function Invoke-Clean {
    Write-Step 'Clean'
    if (Test-Path $Out) { Remove-Item -Recurse -Force $Out }
    Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests'), (Join-Path $Root 'bench') -Directory -Recurse -Include bin, obj -ErrorAction SilentlyContinue |
        Remove-Item -Recurse -Force
}

if ($Task -notin $Tasks) {
    Write-Host "Unknown task '$Task'." -ForegroundColor Red
    Write-Host "Usage: dotnet pwsh ./build.ps1 [$($Tasks -join '|')] [-Configuration Debug|Release]"
    exit 2
}

try {
    switch ($Task) {
        'build' { Invoke-Build }
        'test' { Invoke-Test }
        'demo' { Invoke-Demo }
        'docs' { Invoke-Docs }
        'bench' { Invoke-Bench }
        'clean' { Invoke-Clean }
    }
}
catch {
    Write-Host "build.ps1 $Task failed: $($_.Exception.Message)" -ForegroundColor Red
    exit 1
}
exit 0
