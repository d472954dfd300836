<#
.SYNOPSIS
    The nightly pipeline of issue 15 as a user writes it with the module's cmdlets (bench/pipeline_peer.py
    does the same job with nibabel + scipy; PipelineBench runs both, each as a whole process).

    1. smooth every raw mask (MRIcron's Smooth VOI: FWHM 2 mm, threshold 0.5) into <Out>/smoothed;
    2. measure every smoothed mask                          -> <Out>/lesions.csv;
    3. agreement of every raw mask with its smoothed mask   -> <Out>/agreement.csv;
    4. overlap map of the subjects' primary raw masks (those on the first mask's grid) -> <Out>/overlap.nii.gz.
#>
param(
    [Parameter(Mandatory)] [string] $Root,
    [Parameter(Mandatory)] [string] $Out,
    [Parameter(Mandatory)] [string] $Module,
    # Print the milliseconds of each step (from process start) to the host, for the profile in RESULTS.md.
    [switch] $Profile
)
$ErrorActionPreference = 'Stop'
$clock = [Diagnostics.Stopwatch]::StartNew()
function Step([string] $name) {
    if ($Profile) {
        $sinceStart = ([datetime]::Now - [Diagnostics.Process]::GetCurrentProcess().StartTime).TotalMilliseconds
        Write-Host ("{0,-12} {1,8:F0} ms (script) {2,8:F0} ms (process)" -f $name, $clock.Elapsed.TotalMilliseconds, $sinceStart)
    }
}
Step 'start'
Import-Module $Module
Step 'import'
$smoothDir = Join-Path $Out 'smoothed'

$raw = Get-ChildItem -LiteralPath $Root -Recurse -Filter '*_LesionRaw*.voi' | Sort-Object FullName
Step 'list'
$smoothed = $raw | Invoke-LesionSmooth -Destination $smoothDir -Force
Step 'smooth'

$smoothed | Measure-Lesion | Export-Csv -LiteralPath (Join-Path $Out 'lesions.csv') -NoTypeInformation
Step 'measure'

$pairs = for ($i = 0; $i -lt $raw.Count; $i++) {
    [pscustomobject]@{ Reference = $raw[$i].FullName; Candidate = $smoothed[$i].FullName }
}
$pairs | Measure-LesionOverlap | Export-Csv -LiteralPath (Join-Path $Out 'agreement.csv') -NoTypeInformation
Step 'agreement'

Get-AtlasSubject -Path $Root | New-LesionOverlapMap -OutputPath (Join-Path $Out 'overlap.nii.gz') -MaskKind LesionRaw -SkipMismatched -Force -WarningAction SilentlyContinue | Out-Null
Step 'overlap'
