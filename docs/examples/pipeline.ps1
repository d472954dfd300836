<#
.SYNOPSIS
    The main job of Atlas.Psm, as a tutorial: run by `dotnet pwsh ./build.ps1 demo`.
.DESCRIPTION
    A lab's nightly pipeline over an ATLAS-style dataset, one step per pipeline:

      1. a sample dataset in the R1.1 native layout, with its metadata sheet;
      2. its subjects as objects, filtered by metadata;
      3. Test-AtlasDataset: the faults ATLAS users keep reporting;
      4. Invoke-LesionSmooth: MRIcron's smooth VOI (FWHM 2 mm, threshold 0.5) on the raw masks;
      5. Measure-Lesion: the lesion report (volume, hemisphere, centroid) as CSV;
      6. Measure-LesionOverlap: raw against smoothed masks, with a summary, as CSV;
      7. New-LesionOverlapMap: the probabilistic overlap map (NIfTI) and its picture (PNG);
      8. ConvertTo-AtlasStandardSpace: a second sample, the phantom head moved by known affines (with bias
         fields and lesions), brought into its template's space; per scan the verdict, how far the recovered
         transform is from the truth and how well the lesion lands;
      9. New-LesionOverlapMap again: the standardized primary masks share the template's grid, so all of them
         make one map, none skipped; and New-AtlasQcReport: the template's brain outline over each standardized T1;
     10. Export-AtlasSnapshot and New-AtlasQcReport: a picture per scan and one QC page;
     11. Convert-AtlasToBids: the dataset as BIDS, with the bids-validator's verdict.

    Everything is written under -OutputFolder (out/demo in the repository); the paths are printed
    at the end. Each step prints one line, and every number once, saying what it counts: subjects
    (people), scans (a subject at one time point; a rescan is a second scan) or mask files (one per
    lesion in the R1.1 layout). Run it yourself after `./build.ps1 build`:
        pwsh ./docs/examples/pipeline.ps1 -OutputFolder ./my-demo
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/Atlas.Psm/Atlas.Psm.psd1'),
    [string] $OutputFolder = (Join-Path $PSScriptRoot '../../out/demo'),
    [int] $SubjectCount = 20,
    # Subjects of the standardization sample (step 8; the second subject is scanned twice): registering a
    # scan takes most of the time of this step, 10-40 s a scan on 2 cores.
    [int] $StandardizationSubjectCount = 2
)
$ErrorActionPreference = 'Stop'
$started = [Diagnostics.Stopwatch]::StartNew()
Import-Module $ModulePath -Force
if (Test-Path $OutputFolder) { Remove-Item -Recurse -Force $OutputFolder }
New-Item -ItemType Directory -Force -Path $OutputFolder | Out-Null
$OutputFolder = (Resolve-Path $OutputFolder).ProviderPath
$written = [System.Collections.Generic.List[string]]::new()
function Out-Step([string] $Step, [string] $Result, [string] $Path) {
    if ($Path) { $written.Add($Path) }
    Write-Host ("{0,-22} {1}" -f $Step, $Result)
}

# 1. The sample dataset: phantom heads, 1-3 lesions each, raw masks as .voi, smoothed masks as
#    .nii.gz, two cohorts on the 0.9 x 0.9 x 3 mm grid of the paper's 1.5 T sites, some rescans.
$sample = New-AtlasSampleDataset -Path (Join-Path $OutputFolder 'sample') -SubjectCount $SubjectCount
# The number of scans is printed once, as the Total row's Scans of the paper's Table 1 below.
Out-Step 'Sample dataset' ("{0} subjects, {1} of them scanned again (a rescan is a second scan)" -f $sample.SubjectCount, ($sample.ScanCount - $sample.SubjectCount)) $sample.Root

# 2. Subjects as objects (one per scan): metadata columns are properties, so Where-Object filters on
#    them. The sheet at the dataset root is joined without -MetadataPath.
$subjects = @(Get-AtlasSubject -Path $sample.Root)
$leftMulti = @($subjects | Where-Object { $_.Hemisphere -eq 'Left' -and $_.LesionFileCount -gt 1 })
Out-Step 'Get-AtlasSubject' ("{0} scan{1} with a left primary stroke and more than one lesion mask file:" -f $leftMulti.Count, $(if ($leftMulti.Count -eq 1) { '' } else { 's' }))
$leftMulti | Format-Table | Out-String | Write-Host

# The paper's Tables 1 and 2 from the sheet: scans with one lesion or several, lesions by location.
$tables = @($subjects | Measure-AtlasDataset)
Out-Step 'Measure-AtlasDataset' 'the paper''s Tables 1 and 2 from the sheet (Scans and OneLesion*/MultipleLesions count scans; the other columns count lesions):'
$tables | Format-Table | Out-String | Write-Host
$tables | Format-Table -View Table2 | Out-String | Write-Host

# 3. Dataset checks (grids, binary masks, numbering, metadata counts); -Deep reads the voxels.
$findings = @($subjects | Test-AtlasDataset -Deep)
Out-Step 'Test-AtlasDataset' ("{0} findings ({1} errors)" -f $findings.Count, @($findings | Where-Object Severity -EQ 'Error').Count)

# 4. Smooth every raw mask as the paper did; the outputs take the published names.
$smoothDir = Join-Path $OutputFolder 'smoothed'
$smoothed = @($subjects | Invoke-LesionSmooth -Destination $smoothDir)
Out-Step 'Invoke-LesionSmooth' ("{0} raw mask files smoothed (FWHM 2 mm, threshold 0.5)" -f $smoothed.Count) $smoothDir

# 5. The lesion report, one row per mask: the SRQL-style lesion database.
$lesionCsv = Join-Path $OutputFolder 'lesion_report.csv'
$lesions = @($subjects | Measure-Lesion)
$lesions | Export-Csv -Path $lesionCsv -NoTypeInformation
Out-Step 'Measure-Lesion' ("{0:N1} ml of lesion in all (one row per mask file)" -f (($lesions | Measure-Object VolumeMm3 -Sum).Sum / 1000)) $lesionCsv

# 6. Agreement of the raw tracing with the published smoothed mask, with a summary block.
$overlapCsv = Join-Path $OutputFolder 'overlap_raw_vs_smooth.csv'
$overlap = @($subjects | Measure-LesionOverlap -Reference LesionSmooth -Candidate LesionRaw -Summary)
$overlap | Export-Csv -Path $overlapCsv -NoTypeInformation
$mean = $overlap | Where-Object Statistic -EQ 'Mean'
Out-Step 'Measure-LesionOverlap' ("raw against smoothed primary mask, one pair per scan: mean Dice {0:N3}, mean HD95 {1:N2} mm" -f $mean.Dice, $mean.Hausdorff95Mm) $overlapCsv

# 7. The probabilistic overlap map of the primary masks (the paper's Figure 3). A map needs one
#    grid: the 1 mm scans of the first time point, as the standardized release left out the 1.5 T cohorts.
$firstGrid = Import-AtlasVolume -LiteralPath $subjects[0].T1Path -HeaderOnly
$onGrid = @($subjects | Where-Object {
        $_.Session -eq 1 -and (Import-AtlasVolume -LiteralPath $_.T1Path -HeaderOnly).Grid.Matches($firstGrid.Grid, 0.001)
    })
$mapPath = Join-Path $OutputFolder 'overlap_map.nii.gz'
$map = $onGrid | New-LesionOverlapMap -OutputPath $mapPath
$mapPng = Join-Path $OutputFolder 'overlap_map.png'
$null = Export-AtlasSnapshot -Path $onGrid[0].T1Path -Overlay @{ Path = $map.ProportionPath; Colormap = 'Heat'; Opacity = 0.85 } `
    -Plane Axial -Montage 6 -PixelSizeMm 0.5 -Destination $mapPng
$written.Add($map.CountPath)
Out-Step 'New-LesionOverlapMap' ("primary masks of {0} first-time-point 1 mm scans; at most {1} overlap in one voxel" -f $map.MaskCount, $map.MaxCount) $mapPath
$written.Add($mapPng)

# 8. Standard space. The release's scans were brought to MNI by one affine each; here a second sample gives
#    scans that are the phantom head moved by known affines (bias fields and lesions added), the template of
#    that head and its brain mask. Each scan is bias-corrected, normalized and registered with its lesion left
#    out of the cost, then resampled (T1 linear, masks nearest) and defaced. The truth beside each scan says how
#    far the recovered transform is (RMS over the template's brain), and its primary mask moved by the true
#    transform says how well the standardized one lands (Dice). The verdict is all a real dataset has: it is
#    judged from the images alone (intensity match, brain overlap, scales, convergence), and the truth shows
#    what it cannot see.
$stdSample = New-AtlasSampleDataset -Path (Join-Path $OutputFolder 'standardization/native') -SubjectCount $StandardizationSubjectCount -Standardization
$stdDir = Join-Path $OutputFolder 'standardization/standard'
$native = @(Get-AtlasSubject -Path $stdSample.Root)
# A Failed verdict warns; the table below shows every verdict, so the warnings are not repeated here.
$standardized = @($native | ConvertTo-AtlasStandardSpace -Template $stdSample.TemplatePath -TemplateMask $stdSample.TemplateMaskPath -Destination $stdDir -WarningAction SilentlyContinue)
$template = Import-AtlasVolume -LiteralPath $stdSample.TemplatePath -HeaderOnly
$templateBrain = (Import-AtlasVolume -LiteralPath $stdSample.TemplateMaskPath).ToMask()
$recovered = foreach ($std in $standardized) {
    $scan = $native | Where-Object ScanId -EQ $std.ScanId
    $truthFile = Join-Path $scan.Directory ([Atlas.Core.Samples.SampleDataset]::TruthFileName($scan.ScanId))
    $truth = [Atlas.Core.Samples.SampleDataset]::ReadTruth($truthFile)
    $estimate = Import-AtlasTransform -LiteralPath $std.TransformPath
    # The primary mask through the true transform (a volume in memory): where the standardized mask should be.
    $truthMask = Invoke-AtlasResample -LiteralPath $scan.SmoothLesionMaskPaths[0] -Reference $stdSample.TemplatePath -TransformPath $truthFile `
        -TransformFormat RasMatrix -Interpolation Nearest
    [pscustomobject]@{
        ScanId            = $std.ScanId
        Verdict           = $std.Verdict
        TransformErrorMm  = [Math]::Round([Atlas.Core.Spatial.Registration.SyntheticMove]::RmsErrorMm($estimate.Matrix, $truth, $template.Grid, $templateBrain), 2)
        PrimaryLesionDice = [Math]::Round((Measure-LesionOverlap -Reference $truthMask -Candidate $std.SmoothLesionMaskPaths[0]).Dice, 3)
    }
}
Out-Step 'ConvertTo-AtlasStandardSpace' ("{0} subjects of a second sample, moved by known affines, into the template's space; per scan:" -f $stdSample.SubjectCount) $stdDir
$recovered | Format-Table | Out-String | Write-Host

# 9. The overlap map of the standardized primary masks: one grid, the template's, so every scan counts.
$stdMapPath = Join-Path $OutputFolder 'standardization/overlap_map.nii.gz'
$stdMap = $standardized | New-LesionOverlapMap -OutputPath $stdMapPath
Out-Step 'New-LesionOverlapMap' ("template space: primary masks of {0} standardized scan{1}, none skipped; at most {2} overlap in one voxel" -f $stdMap.MaskCount, $(if ($stdMap.MaskCount -eq 1) { '' } else { 's' }), $stdMap.MaxCount) $stdMapPath
# The registration QC page: each standardized T1 under the template's brain outline (cyan); a Failed or
# Suspect verdict is listed among the row's findings, as Test-AtlasDataset reports it.
$stdQc = $standardized | New-AtlasQcReport -Destination (Join-Path $OutputFolder 'standardization/qc') -Title 'Registration QC'
Out-Step 'New-AtlasQcReport' 'template space: the template''s brain outline over each standardized T1, verdicts among the findings' $stdQc.Path

# 10. A picture per scan (T1 with its smoothed masks) and one self-contained QC page.
$snapDir = Join-Path $OutputFolder 'snapshots'
$snaps = @($subjects | Export-AtlasSnapshot -Destination $snapDir -MaskKind LesionSmooth -PixelSizeMm 0.5)
Out-Step 'Export-AtlasSnapshot' 'one PNG per scan, a legend naming each mask file''s colour' $snapDir
$qcDir = Join-Path $OutputFolder 'qc'
$qc = $subjects | New-AtlasQcReport -Destination $qcDir -Finding $findings
$qcPage = if ($qc -is [System.IO.FileInfo]) { $qc.FullName } elseif ($qc.PSObject.Properties['Path']) { $qc.Path } else { Join-Path $qcDir 'index.html' }
Out-Step 'New-AtlasQcReport' 'one HTML page, sortable, no network needed' $qcPage

# 11. BIDS: the native dataset converted, checked by the official validator when it is installed.
$bidsDir = Join-Path $OutputFolder 'bids'
$converted = @($subjects | Convert-AtlasToBids -Destination $bidsDir)
$verdict = 'bids-validator not installed (npm install -g bids-validator@1.15.0)'
$validator = Get-Command bids-validator -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
if ($validator) {
    $json = (& $validator.Source $bidsDir --json 2>$null) -join "`n"
    $issues = ($json.Substring($json.IndexOf('{')) | ConvertFrom-Json).issues
    $verdict = "bids-validator {0}: {1} errors, {2} warnings" -f (& $validator.Source --version), @($issues.errors).Count, @($issues.warnings).Count
}
Out-Step 'Convert-AtlasToBids' ("{0} files written; {1}" -f ($converted | Measure-Object FilesWritten -Sum).Sum, $verdict) $bidsDir

Write-Host ("Demo finished in {0:N1} s. Written under {1}:" -f $started.Elapsed.TotalSeconds, $OutputFolder)
$written | ForEach-Object { Write-Host "  $_" }
