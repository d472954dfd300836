# One shard: its scans standardized into <out>/standard, their lesion masks measured, and a partial
# overlap map of the primary masks, all under <out>/shards/shard_NNNN; done.json is written last.
. (Join-Path $PSScriptRoot 'common.ps1')
$index = [int]$env:SLURM_ARRAY_TASK_ID
$full = [int]$env:SLURM_ARRAY_TASK_COUNT -eq $Study.Shards -and [int]$env:SLURM_ARRAY_TASK_MIN -eq 0
$subjects = @(Get-ShardSubject $index -FromEnvironment:$full)
$folder = Get-ShardFolder $index
New-Item -ItemType Directory -Force -Path $folder, $Standard | Out-Null
Write-Host "Shard $index of $($Study.Shards): $($subjects.Count) scans"

# Standardize (the module's regeneration rule: up-to-date scans are kept, stale ones rebuilt).
$records = @($subjects | ConvertTo-AtlasStandardSpace -Template $Study.Template -TemplateMask $Study.TemplateMask -Destination $Standard)
$null = Set-ContentIfChanged (Join-Path $folder 'registration.tsv') (($records | Select-Object SubjectId, Session, ScanId, Verdict, VerdictReason, FinalCost, CorrelationRatio, BrainOverlap, Determinant, TransformPath |
    ConvertTo-Csv -Delimiter "`t" -NoTypeInformation | Out-String))

# The standardized scans of this shard (SubjectId is kept, so the same hash picks the same scans).
$std = @(Get-AtlasSubject -Path $Standard -ShardIndex $index -ShardCount $Study.Shards)
$rows = @(foreach ($kind in 'LesionRaw', 'LesionSmooth') { $std | Measure-Lesion -MaskKind $kind })
$null = Set-ContentIfChanged (Join-Path $folder 'lesions.csv') (ConvertTo-CsvText $rows)

$partial = Join-Path $folder 'overlap_partial.nii.gz'
if ($std.Count -gt 0) { $null = $std | New-LesionOverlapMap -OutputPath $partial -Partial }
elseif (Test-Path -LiteralPath $partial) { Remove-Item -LiteralPath $partial }

if ($env:ATLAS_SLURM_FAIL_SHARD -eq "$index") {
    # Fault injection for the cluster test: the task dies before its stamp, as a killed task would.
    Write-Host "Shard $index killed on purpose (ATLAS_SLURM_FAIL_SHARD)"
    [Environment]::Exit(137)
}
$null = Set-ContentIfChanged (Join-Path $folder 'done.json') (Get-ShardStamp $subjects)
