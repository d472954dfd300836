# Prints the shard indices whose outputs are missing or stale, one per line, then "merge" when the
# merged results must be made again (submit.sh submits exactly that).
. (Join-Path $PSScriptRoot 'common.ps1')
$anyStale = $false
for ($i = 0; $i -lt $Study.Shards; $i++) {
    if (-not (Test-ShardUpToDate $i @(Get-ShardSubject $i))) { $i; $anyStale = $true }
}
$merged = 'lesion_report.csv', 'overlap_count.nii.gz', 'overlap_proportion.nii.gz', 'registration_qc.tsv' | ForEach-Object { Join-Path $Study.Out $_ }
$stamps = @(for ($i = 0; $i -lt $Study.Shards; $i++) { Join-Path (Get-ShardFolder $i) 'done.json' })
$mergeStamp = Join-Path $Study.Out 'logs/merge.done'
$needMerge = $anyStale -or -not (Test-Path -LiteralPath $mergeStamp) -or (@($merged | Where-Object { -not (Test-Path -LiteralPath $_) }).Count -gt 0)
if (-not $needMerge) {
    $made = (Get-Item -LiteralPath $mergeStamp).LastWriteTimeUtc
    $needMerge = @($stamps | Where-Object { -not (Test-Path -LiteralPath $_) -or (Get-Item -LiteralPath $_).LastWriteTimeUtc -gt $made }).Count -gt 0
}
if ($needMerge) { 'merge' }
