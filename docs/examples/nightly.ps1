<#
.SYNOPSIS
    Regenerates the derived files of an ATLAS dataset: for cron or the Windows Task Scheduler.

.DESCRIPTION
    Under -Destination (never inside the dataset, which stays read-only) it keeps:
      smoothed/    every raw mask smoothed (Invoke-LesionSmooth -Fwhm), named as ATLAS names them
      lesions.csv  one row per smoothed mask (Measure-Lesion), with SubjectId, Session, MaskKind, Rank
      snapshots/   one PNG per scan (Export-AtlasSnapshot)
      qc/index.html the QC page (New-AtlasQcReport)
    Every cmdlet follows the module's regeneration rule, so the script is idempotent: a rerun with
    nothing changed rebuilds nothing (and leaves lesions.csv untouched when its rows are the same); a
    newer scan, a changed -Fwhm or a new module version rebuilds what depends on it.

    Exit codes: 0 when everything is up to date or rebuilt; 1 when anything failed, after one line per
    failure on standard error ("nightly: <stage>: <file>: <reason>"); 2 when the arguments are unusable
    (no such dataset, the module cannot be imported). Errors of one file do not stop the others.

.EXAMPLE
    pwsh -NoProfile -NonInteractive -File nightly.ps1 -DatasetPath /data/atlas -Destination /data/atlas-derived

.EXAMPLE
    # cron, every night at 02:30 (see about_Atlas.Psm, "Scheduled tasks", for the Task Scheduler):
    # 30 2 * * * pwsh -NoProfile -NonInteractive -File /opt/atlas/nightly.ps1 -DatasetPath /data/atlas -Destination /data/atlas-derived >>/var/log/atlas-nightly.log 2>&1
#>
[CmdletBinding()]
param(
    # The dataset root (any layout Get-AtlasSubject reads).
    [Parameter(Mandatory)] [string] $DatasetPath,
    # The folder the derived files are kept in (created when missing; outside the dataset).
    [Parameter(Mandatory)] [string] $Destination,
    # A metadata sheet to join (CSV, TSV or XLSX).
    [string] $MetadataPath,
    # Smoothing FWHM in mm (ATLAS used 2).
    [double] $Fwhm = 2,
    # The module to import: its name, or the path of its manifest.
    [string] $Module = 'Atlas.Psm'
)

# The script's own commands stop on error; the cmdlets' per-file errors are collected by each stage.
$ErrorActionPreference = 'Stop'
$failures = [System.Collections.Generic.List[string]]::new()

function Write-Failure([string] $Stage, $Record) {
    # One line per failure: the stage, the file (the error's target) and the first line of the reason.
    $target = if ($Record -is [System.Management.Automation.ErrorRecord] -and $Record.TargetObject) { "$($Record.TargetObject): " } else { '' }
    $reason = ("$Record" -split "`r?`n")[0]
    $line = "nightly: ${Stage}: $target$reason"
    $failures.Add($line)
    [Console]::Error.WriteLine($line)
}

function Invoke-Stage([string] $Stage, [scriptblock] $Work) {
    # Runs one stage; its non-terminating errors are failures, and so is a terminating one (the stage stops).
    try {
        $ErrorActionPreference = 'Continue'
        & $Work 2>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { Write-Failure $Stage $_ } else { $_ }
        }
    } catch {
        Write-Failure $Stage $_
    }
}

try {
    Import-Module $Module -ErrorAction Stop
    if (-not (Test-Path -LiteralPath $DatasetPath -PathType Container)) { throw "the dataset '$DatasetPath' is not a folder." }
    $dest = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Destination)
    # The dataset is never written: a destination inside it is refused before anything is created.
    $root = (Resolve-Path -LiteralPath $DatasetPath).ProviderPath.TrimEnd('/', '\')
    $sep = [IO.Path]::DirectorySeparatorChar
    $cmp = if ([Environment]::OSVersion.Platform -eq 'Win32NT') { [StringComparison]::OrdinalIgnoreCase } else { [StringComparison]::Ordinal }
    $destTrim = $dest.TrimEnd('/', '\')
    if ($destTrim.Equals($root, $cmp) -or $destTrim.StartsWith($root + $sep, $cmp) -or $destTrim.StartsWith($root + '/', $cmp)) {
        throw "the destination '$dest' is inside the dataset '$root', which is never written; give a folder outside it."
    }
    $null = New-Item -ItemType Directory -Force -Path $dest
} catch {
    [Console]::Error.WriteLine("nightly: setup: $_")
    exit 2
}

$get = @{ LiteralPath = $DatasetPath }
if ($MetadataPath) { $get.MetadataPath = $MetadataPath }
$subjects = @(Invoke-Stage 'subjects' { Get-AtlasSubject @get })
Write-Verbose "$($subjects.Count) scans in $DatasetPath"

$smoothed = @(Invoke-Stage 'smooth' { $subjects | Invoke-LesionSmooth -Destination (Join-Path $dest 'smoothed') -Fwhm $Fwhm })

Invoke-Stage 'measure' {
    # The table is rewritten only when its rows change, so an idle night leaves it as it was.
    $csv = Join-Path $dest 'lesions.csv'
    $rows = @($smoothed | Measure-Lesion | ConvertTo-Csv -NoTypeInformation)
    $text = ($rows -join "`n") + "`n"
    if (-not (Test-Path -LiteralPath $csv) -or [IO.File]::ReadAllText($csv) -ne $text) {
        $tmp = Join-Path $dest ('.lesions.csv.' + [guid]::NewGuid().ToString('N') + '.tmp')
        [IO.File]::WriteAllText($tmp, $text)
        Move-Item -LiteralPath $tmp -Destination $csv -Force
        Write-Verbose "Written $csv ($($rows.Count - 1) rows)"
    }
}

$null = Invoke-Stage 'snapshots' { $subjects | Export-AtlasSnapshot -Destination (Join-Path $dest 'snapshots') -Plane Axial -MaskKind LesionRaw }

$null = Invoke-Stage 'qc' { $subjects | New-AtlasQcReport -Destination (Join-Path $dest 'qc') -MaskKind LesionRaw }

if ($failures.Count -gt 0) {
    [Console]::Error.WriteLine("nightly: $($failures.Count) failure(s)")
    exit 1
}
exit 0
