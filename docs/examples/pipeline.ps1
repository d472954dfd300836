<#
.SYNOPSIS
    The main job of Atlas.Psm, as a tutorial: run by `dotnet pwsh ./build.ps1 demo`.
.DESCRIPTION
    Each step is one pipeline a lab would write. Everything is written under -OutputFolder
    (out/demo in the repository), and the paths are printed at the end.
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/Atlas.Psm/Atlas.Psm.psd1'),
    [string] $OutputFolder = (Join-Path $PSScriptRoot '../../out/demo'),
    [int] $SubjectCount = 20
)
$ErrorActionPreference = 'Stop'
$started = [Diagnostics.Stopwatch]::StartNew()
Import-Module $ModulePath -Force
if (Test-Path $OutputFolder) { Remove-Item -Recurse -Force $OutputFolder }
New-Item -ItemType Directory -Force -Path $OutputFolder | Out-Null
$written = [System.Collections.Generic.List[string]]::new()

# 1. A volume written and read back: the engine's round trip.
$grid = [Atlas.Core.Volumes.Grid]::Create(64, 64, 40, 1, 1, 1)
$mask = [byte[]]::new(64 * 64 * 40)
for ($k = 15; $k -lt 25; $k++) { for ($j = 20; $j -lt 40; $j++) { for ($i = 20; $i -lt 30; $i++) { $mask[$i + 64 * ($j + 64 * $k)] = 1 } } }
$demoMask = Join-Path $OutputFolder 'engine/box_mask.nii.gz'
New-Item -ItemType Directory -Force -Path (Split-Path $demoMask) | Out-Null
[Atlas.Core.Volumes.AtlasVolume]::FromMask($grid, $mask, $null) | Export-AtlasVolume -Path $demoMask
$written.Add($demoMask)
Write-Host 'Header summary of a volume the demo wrote and read back:'
Import-AtlasVolume -Path $demoMask | Format-Table | Out-String | Write-Host

Write-Host ("Demo finished in {0:N1} s. Files written under {1}:" -f $started.Elapsed.TotalSeconds, $OutputFolder)
$written | ForEach-Object { Write-Host "  $_" }
