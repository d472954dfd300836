# One shard: its scans standardized into <out>/standard, their lesion masks measured, and a partial
# overlap map of the primary masks. The shard's own files are made in a hidden staging folder
# (<out>/shards/.shard_NNNN.partial, done.json last) that is renamed to shard_NNNN only at the end,
# so a task that fails or is killed leaves no shard folder at all, never a partial one.
. (Join-Path $PSScriptRoot 'common.ps1')
$index = [int]$env:SLURM_ARRAY_TASK_ID
$full = [int]$env:SLURM_ARRAY_TASK_COUNT -eq $Study.Shards -and [int]$env:SLURM_ARRAY_TASK_MIN -eq 0
$subjects = @(Get-ShardSubject $index -FromEnvironment:$full)
$final = Get-ShardFolder $index
$folder = Get-ShardStagingFolder $index
# This shard is being remade: its old results (stale, or it would not have been submitted) go first,
# and so does what an earlier killed task of it left.
foreach ($old in $final, $folder) { if (Test-Path -LiteralPath $old) { Remove-Item -LiteralPath $old -Recurse -Force } }
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

Write-AtomicText (Join-Path $folder 'done.json') (Get-ShardStamp $subjects)
# The one step that publishes the shard: a rename within <out>/shards, atomic.
Move-Item -LiteralPath $folder -Destination $final
