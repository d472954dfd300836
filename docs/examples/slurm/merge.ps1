# The merge: every shard's rows into lesion_report.csv, the partial maps into overlap_count.nii.gz and
# overlap_proportion.nii.gz, the registration records into registration_qc.tsv. Refuses an incomplete
# set of shards, naming the first missing one.
. (Join-Path $PSScriptRoot 'common.ps1')
$partials = [System.Collections.Generic.List[string]]::new()
$rows = [System.Collections.Generic.List[object]]::new()
$qc = [System.Collections.Generic.List[object]]::new()
for ($i = 0; $i -lt $Study.Shards; $i++) {
    $folder = Get-ShardFolder $i
    if (-not (Test-Path -LiteralPath (Join-Path $folder 'done.json'))) {
        throw "Shard $i of $($Study.Shards) is missing or incomplete ($folder has no done.json): run submit.sh again."
    }
    $csv = Join-Path $folder 'lesions.csv'
    if ((Get-Item -LiteralPath $csv).Length -gt 0) { foreach ($r in Import-Csv -LiteralPath $csv) { $rows.Add($r) } }
    $tsv = Join-Path $folder 'registration.tsv'
    if ((Test-Path -LiteralPath $tsv) -and (Get-Item -LiteralPath $tsv).Length -gt 0) { foreach ($r in Import-Csv -LiteralPath $tsv -Delimiter "`t") { $qc.Add($r) } }
    $p = Join-Path $folder 'overlap_partial.nii.gz'
    if (Test-Path -LiteralPath $p) { $partials.Add($p) }
}
if ($partials.Count -eq 0) { throw 'No shard has a lesion mask: there is no overlap map to merge.' }
$sorted = @($rows | Sort-Object SubjectId, Session, MaskKind, Rank, MaskPath)
$null = Set-ContentIfChanged (Join-Path $Study.Out 'lesion_report.csv') (ConvertTo-CsvText $sorted)
$null = Set-ContentIfChanged (Join-Path $Study.Out 'registration_qc.tsv') (($qc | Sort-Object SubjectId, Session | ConvertTo-Csv -Delimiter "`t" -NoTypeInformation | Out-String))
$null = Merge-LesionOverlapMap -LiteralPath $partials -OutputPath (Join-Path $Study.Out 'overlap_proportion.nii.gz') -CountPath (Join-Path $Study.Out 'overlap_count.nii.gz')
# The merge's stamp holds every shard's stamp and is newer than all of them (the merge runs only when
# a shard was remade or a merged file is missing; then the stamp is rewritten even if its text is the same).
Write-AtomicText (Join-Path $Study.Out 'logs/merge.done') ((0..($Study.Shards - 1) | ForEach-Object { Get-Content -Raw -LiteralPath (Join-Path (Get-ShardFolder $_) 'done.json') }) -join "`n")
Write-Host "Merged $($Study.Shards) shards: $($sorted.Count) lesion rows, $($qc.Count) registrations"
