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

# Datasets: the sample dataset (R1.1 native layout + metadata CSV), its subjects filtered by
# metadata, and the dataset check (nothing to report on the clean sample).
$sampleRoot = Join-Path $OutputFolder 'sample'
$sample = New-AtlasSampleDataset -Path $sampleRoot -SubjectCount $SubjectCount -Force
$written.Add($sample.MetadataPath)
Write-Host ("Sample dataset: {0} subjects, {1} scans, {2} lesions under {3}" -f $sample.SubjectCount, $sample.ScanCount, $sample.LesionCount, $sample.Root)
$subjects = Get-AtlasSubject -Path $sample.Root -MetadataPath $sample.MetadataPath
Write-Host 'Scans with a left-hemisphere primary lesion and more than one lesion mask:'
$subjects | Where-Object { $_.Hemisphere -eq 'Left' -and $_.LesionFileCount -gt 1 } | Format-Table | Out-String | Write-Host
$findings = @(Test-AtlasDataset -Path $sample.Root -MetadataPath $sample.MetadataPath -Deep)
Write-Host ("Test-AtlasDataset -Deep: {0} findings in {1} scans" -f $findings.Count, @($subjects).Count)

# Lesions: smooth the raw masks as ATLAS did (MRIcron Smooth VOI, FWHM 2 mm, threshold 0.5),
# write the lesion report (the SRQL-style lesion database) and the lesion overlap map.
if (Get-Command New-AtlasSampleDataset -ErrorAction SilentlyContinue) {
    $lesionSample = Join-Path $OutputFolder 'lesions/sample'
    if (-not (Test-Path $lesionSample)) { $null = New-AtlasSampleDataset -Path $lesionSample -SubjectCount $SubjectCount }
    $smoothed = Get-ChildItem -Path $lesionSample -Recurse -Filter '*_LesionRaw*.voi' |
        Invoke-LesionSmooth -Destination (Join-Path $OutputFolder 'lesions/smoothed') -Force
    Write-Host ("Smoothed {0} raw masks into {1}" -f @($smoothed).Count, (Join-Path $OutputFolder 'lesions/smoothed'))
    $report = Join-Path $OutputFolder 'lesions/lesion_report.csv'
    Get-AtlasSubject -Path $lesionSample | Measure-Lesion | Export-Csv -Path $report -NoTypeInformation
    $written.Add($report)
    $overlap = $smoothed | New-LesionOverlapMap -OutputPath (Join-Path $OutputFolder 'lesions/overlap.nii.gz') -SkipMismatched -WarningAction SilentlyContinue -Force
    $written.Add($overlap.ProportionPath); $written.Add($overlap.CountPath)
    Write-Host ("Overlap map of {0} masks: at most {1} overlap ({2:P0})" -f $overlap.MaskCount, $overlap.MaxCount, $overlap.MaxProportion)
}

# BIDS: the sample dataset converted by Convert-AtlasToBids, and the official validator's verdict.
if ((Get-Command New-AtlasSampleDataset -ErrorAction SilentlyContinue) -and (Get-Command Get-AtlasSubject -ErrorAction SilentlyContinue)) {
    $bidsSource = Get-Variable -Name SampleRoot -ValueOnly -ErrorAction SilentlyContinue
    $bidsMeta = Get-Variable -Name SampleMetadata -ValueOnly -ErrorAction SilentlyContinue
    if (-not $bidsSource) {
        $bidsSource = Join-Path $OutputFolder 'sample'
        if (-not (Test-Path $bidsSource)) { $null = New-AtlasSampleDataset -Path $bidsSource -SubjectCount $SubjectCount }
        $bidsMeta = (Get-ChildItem -Path $bidsSource -Filter '*.csv' | Select-Object -First 1).FullName
    }
    $bidsOut = Join-Path $OutputFolder 'bids'
    $metaArgs = if ($bidsMeta) { @{ MetadataPath = $bidsMeta } } else { @{} }
    $converted = @(Get-AtlasSubject -Path $bidsSource @metaArgs | Convert-AtlasToBids -Destination $bidsOut)
    Write-Host ("BIDS: {0} scans converted into {1} ({2} files written)" -f $converted.Count, $bidsOut, ($converted | Measure-Object FilesWritten -Sum).Sum)
    $written.Add($bidsOut)
    $validator = Get-Command bids-validator -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($validator) {
        $report = (& $validator.Source $bidsOut --json 2>$null) -join "`n"
        $issues = ($report.Substring($report.IndexOf('{')) | ConvertFrom-Json).issues
        Write-Host ("bids-validator {0}: {1} errors, {2} warnings ({3})" -f (& $validator.Source --version), @($issues.errors).Count,
            @($issues.warnings).Count, ((@($issues.warnings) | ForEach-Object key) -join ', '))
    } else {
        Write-Host 'bids-validator is not installed (npm install -g bids-validator@1.15.0); no verdict.'
    }
}

Write-Host ("Demo finished in {0:N1} s. Files written under {1}:" -f $started.Elapsed.TotalSeconds, $OutputFolder)
$written | ForEach-Object { Write-Host "  $_" }
