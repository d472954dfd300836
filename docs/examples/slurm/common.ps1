# Shared by plan.ps1, shard.ps1 and merge.ps1: the study's settings (from submit.sh's environment),
# the shard folders, and the one up-to-date rule of the SLURM scripts.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module $env:ATLAS_PSM_MODULE -ErrorAction Stop

$Study = [ordered]@{
    Root         = $env:ATLAS_ROOT
    Out          = $env:ATLAS_OUT
    Template     = $env:ATLAS_TEMPLATE
    TemplateMask = $env:ATLAS_TEMPLATE_MASK
    Metadata     = $env:ATLAS_METADATA
    Shards       = [int]$env:ATLAS_SHARDS
    Module       = (Get-Module Atlas.Psm).Version.ToString()
}
$Standard = Join-Path $Study.Out 'standard'
$ShardRoot = Join-Path $Study.Out 'shards'

function Get-ShardFolder([int] $Index) { Join-Path $ShardRoot ('shard_{0:d4}' -f $Index) }
function Get-ShardStagingFolder([int] $Index) { Join-Path $ShardRoot ('.shard_{0:d4}.partial' -f $Index) }

function Get-ShardSubject([int] $Index, [switch] $FromEnvironment) {
    # The shard's scans of the native dataset. In a full array (0 … n−1) the shard comes from SLURM's
    # own variables; a resubmission of some shards is a smaller array, whose SLURM_ARRAY_TASK_COUNT is
    # not the shard count, so the index and count are given.
    $get = @{ Path = $Study.Root }
    if ($Study.Metadata) { $get.MetadataPath = $Study.Metadata }
    if ($FromEnvironment) { $get.Shard = 'FromEnvironment' } else { $get.ShardIndex = $Index; $get.ShardCount = $Study.Shards }
    @(Get-AtlasSubject @get)
}

function Get-ShardStamp([object[]] $Subjects) {
    # What a shard's outputs were made from: the study's settings and its scans' files.
    [ordered]@{
        Settings = [ordered]@{ Template = $Study.Template; TemplateMask = $Study.TemplateMask; Metadata = $Study.Metadata; Shards = $Study.Shards; Module = $Study.Module }
        Scans    = @($Subjects | ForEach-Object { $_.ScanId } | Sort-Object)
    } | ConvertTo-Json -Depth 4
}

function Get-InputFile([object[]] $Subjects) {
    $files = [System.Collections.Generic.List[string]]::new()
    foreach ($f in @($Study.Template, $Study.TemplateMask, $Study.Metadata)) { if ($f) { $files.Add($f) } }
    foreach ($s in $Subjects) {
        $files.Add($s.T1Path)
        foreach ($m in @($s.LesionMaskPaths) + @($s.RawLesionMaskPaths) + @($s.SmoothLesionMaskPaths)) { if ($m) { $files.Add($m) } }
    }
    $files
}

function Test-ShardUpToDate([int] $Index, [object[]] $Subjects) {
    # Up to date: the shard's stamp exists, says the same settings and scans, and is newer than every input.
    $stamp = Join-Path (Get-ShardFolder $Index) 'done.json'
    if (-not (Test-Path -LiteralPath $stamp)) { return $false }
    if ((Get-Content -Raw -LiteralPath $stamp) -ne (Get-ShardStamp $Subjects)) { return $false }
    $made = (Get-Item -LiteralPath $stamp).LastWriteTimeUtc
    foreach ($f in Get-InputFile $Subjects) {
        if (-not (Test-Path -LiteralPath $f) -or (Get-Item -LiteralPath $f).LastWriteTimeUtc -gt $made) { return $false }
    }
    return $true
}

function Write-AtomicText([string] $Path, [string] $Value) {
    # Written to a hidden temporary name beside $Path and renamed into place. Stamps (done.json,
    # merge.done) are always written this way: their time says when the outputs they vouch for were
    # made, and plan.ps1 compares it with the inputs' and the shards' stamps.
    $tmp = Join-Path (Split-Path $Path) ('.' + (Split-Path -Leaf $Path) + '.' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.tmp')
    [IO.File]::WriteAllText($tmp, $Value, [Text.UTF8Encoding]::new($false))
    Move-Item -LiteralPath $tmp -Destination $Path -Force
}

function Set-ContentIfChanged([string] $Path, [string] $Value) {
    # Atomic, and a file whose text is already $Value is left alone (so a rerun rewrites nothing).
    if ((Test-Path -LiteralPath $Path) -and (Get-Content -Raw -LiteralPath $Path) -ceq $Value) { return $false }
    Write-AtomicText $Path $Value
    return $true
}

function ConvertTo-CsvText([object[]] $Rows) {
    # SubjectId first, then every other column in the records' own order.
    if (-not $Rows) { return '' }
    $names = @($Rows[0].PSObject.Properties.Name)
    $order = @('SubjectId') + @($names | Where-Object { $_ -ne 'SubjectId' })
    ($Rows | Select-Object -Property $order | ConvertTo-Csv -NoTypeInformation | Out-String)
}
