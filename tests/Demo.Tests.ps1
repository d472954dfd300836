# The main job end to end: docs/examples/pipeline.ps1 (what `build.ps1 demo` runs) in a fresh
# pwsh on a small sample, and the files it promises are there with sensible contents.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Out = Join-Path $TestDrive 'demo'
    $script:Script = Join-Path $PSScriptRoot '../docs/examples/pipeline.ps1'
    $script:Lines = Invoke-ChildPwsh -Arguments @('-File', $script:Script, '-ModulePath', $env:ATLAS_PSM_MODULE,
        '-OutputFolder', $script:Out, '-SubjectCount', '6', '-StandardizationSubjectCount', '1')
    $script:Exit = $LASTEXITCODE
}

Describe 'The demo pipeline' {
    It 'runs to the end' {
        $script:Exit | Should -Be 0 -Because ($script:Lines | Out-String)
        ($script:Lines | Out-String) | Should -Match 'Demo finished in'
    }

    It 'prints counts that say what they count (subjects, scans, mask files), each number once' {
        $steps = @($script:Lines | ForEach-Object { "$_" } | Where-Object { $_ -match '^(Sample dataset|Get-AtlasSubject|Measure-AtlasDataset|Test-AtlasDataset|Invoke-LesionSmooth|Measure-Lesion|Measure-LesionOverlap|New-LesionOverlapMap|ConvertTo-AtlasStandardSpace|Export-AtlasSnapshot|New-AtlasQcReport|Convert-AtlasToBids)\s' })
        # New-LesionOverlapMap and New-AtlasQcReport twice: native scans and template space (step 9).
        $steps.Count | Should -Be 14 -Because 'one line per step, printed once (no summary table repeating them)'
        $sample = Get-AtlasSubject -Path (Join-Path $script:Out 'sample')
        $scans = @($sample).Count
        $steps[0] | Should -Match ("^Sample dataset\s+6 subjects, " + ($scans - 6) + ' of them scanned again \(a rescan is a second scan\)')
        # The number of scans is printed once in all the output: as the Total row's Scans of Table 1.
        $text = ($script:Lines | ForEach-Object { "$_" }) -join "`n"
        $text | Should -Match "(?m)^Total\s+$scans\s"
        @($script:Lines | ForEach-Object { "$_" } | Where-Object { $_ -match "\b$scans scans\b" }) | Should -BeNullOrEmpty
        ($steps | Where-Object { $_ -match '^Get-AtlasSubject' }) | Should -Match '^Get-AtlasSubject\s+\d+ scans? with'
        ($steps | Where-Object { $_ -match '^Invoke-LesionSmooth' }) | Should -Match '\d+ raw mask files smoothed'
        # ... not again as "N scans", "N PNG files" or "N pairs" in a step's line.
        @($steps | Where-Object { $_ -match "\b$scans (scans|PNG|pairs)\b" }) | Should -BeNullOrEmpty
    }

    It 'writes the lesion report with one row per lesion mask' {
        $rows = @(Import-Csv (Join-Path $script:Out 'lesion_report.csv'))
        $masks = @(Get-AtlasSubject -Path (Join-Path $script:Out 'sample') | ForEach-Object { $_.LesionMaskPaths })
        $rows.Count | Should -Be $masks.Count
        $rows | ForEach-Object { [double]$_.VolumeMm3 | Should -BeGreaterThan 0 }
    }

    It 'writes raw-versus-smoothed agreement with the five summary rows' {
        $rows = @(Import-Csv (Join-Path $script:Out 'overlap_raw_vs_smooth.csv'))
        @($rows | Where-Object Statistic).Statistic | Should -Be @('Mean', 'SD', 'Median', 'Min', 'Max')
        $pairs = @($rows | Where-Object { -not $_.Statistic })
        $pairs.Count | Should -Be @(Get-AtlasSubject -Path (Join-Path $script:Out 'sample')).Count
        # Smoothing a traced mask with FWHM 2 mm changes its edge only: high but imperfect agreement.
        $pairs | ForEach-Object { [double]$_.Dice | Should -BeGreaterThan 0.8; [double]$_.Dice | Should -BeLessThan 1 }
    }

    It 'writes the overlap map as proportions in 0..1 and its picture' {
        $map = Import-AtlasVolume -Path (Join-Path $script:Out 'overlap_map.nii.gz')
        $max = [Linq.Enumerable]::Max([float[]]$map.ToFloat32())
        $max | Should -BeLessOrEqual 1
        $max | Should -BeGreaterThan 0
        $png = [IO.File]::ReadAllBytes((Join-Path $script:Out 'overlap_map.png'))
        [Text.Encoding]::ASCII.GetString($png, 1, 3) | Should -Be 'PNG'
    }

    It 'standardizes the second sample and prints, per scan, the verdict and the distance of its transform from the truth' {
        $text = @($script:Lines | ForEach-Object { "$_" })
        @($text | Where-Object { $_ -match '^ConvertTo-AtlasStandardSpace\s+1 subjects? of a second sample' }).Count | Should -Be 1
        $native = @(Get-AtlasSubject -Path (Join-Path $script:Out 'standardization/native'))
        $rows = @($text | Where-Object { $_ -match '^(c\d{4}s\d{4}t\d{2})\s+(Good|Suspect|Failed)\s+(\d+\.?\d*)\s+(\d\.?\d*)\s*$' } | ForEach-Object {
                $null = $_ -match '^(c\d{4}s\d{4}t\d{2})\s+(\w+)\s+(\S+)\s+(\S+)'
                [pscustomobject]@{ ScanId = $Matches[1]; Verdict = $Matches[2]; ErrorMm = [double]$Matches[3]; Dice = [double]$Matches[4] } })
        $rows.Count | Should -Be $native.Count
        $template = Import-AtlasVolume -Path (Join-Path $script:Out 'standardization/native/template/sample_template_T1w.nii.gz')
        $brain = (Import-AtlasVolume -Path (Join-Path $script:Out 'standardization/native/template/sample_template_brainmask.nii.gz')).ToMask()
        $tsv = @(Import-Csv -LiteralPath (Join-Path $script:Out 'standardization/standard/registration.tsv') -Delimiter "`t")
        foreach ($scan in $native) {
            $row = $rows | Where-Object ScanId -EQ $scan.ScanId
            $written = $tsv | Where-Object ScanId -EQ $scan.ScanId
            $row.Verdict | Should -Be $written.Verdict
            # The printed distance is the one the files on disk give: the truth beside the scan, the transform written.
            $truth = [Atlas.Core.Samples.SampleDataset]::ReadTruth((Join-Path $scan.Directory ([Atlas.Core.Samples.SampleDataset]::TruthFileName($scan.ScanId))))
            $estimate = (Import-AtlasTransform -LiteralPath $written.TransformPath).Matrix
            $rms = [Atlas.Core.Spatial.Registration.SyntheticMove]::RmsErrorMm($estimate, $truth, $template.Grid, $brain)
            $row.ErrorMm | Should -Be ([Math]::Round($rms, 2))
            $rms | Should -BeGreaterThan 0
            $row.Dice | Should -BeGreaterThan 0
            $row.Dice | Should -BeLessOrEqual 1
        }
    }

    It 'maps the standardized primary masks on the template grid, every scan counted' {
        $map = Import-AtlasVolume -Path (Join-Path $script:Out 'standardization/overlap_map.nii.gz')
        $template = Import-AtlasVolume -Path (Join-Path $script:Out 'standardization/native/template/sample_template_T1w.nii.gz') -HeaderOnly
        $map.Grid.Matches($template.Grid) | Should -BeTrue
        $scans = @(Get-AtlasSubject -Path (Join-Path $script:Out 'standardization/native')).Count
        $line = @($script:Lines | ForEach-Object { "$_" } | Where-Object { $_ -match '^New-LesionOverlapMap\s+template space' })
        $line.Count | Should -Be 1
        $line[0] | Should -Match "primary masks? of $scans standardized scans?, none skipped"
        [Linq.Enumerable]::Max([float[]]$map.ToFloat32()) | Should -Be 1
    }

    It 'writes a snapshot per scan, the QC page and a BIDS dataset' {
        $scans = @(Get-AtlasSubject -Path (Join-Path $script:Out 'sample'))
        @(Get-ChildItem (Join-Path $script:Out 'snapshots') -Filter '*.png').Count | Should -Be $scans.Count
        Get-Content -Raw (Join-Path $script:Out 'qc/index.html') | Should -Match '<table'
        $dd = Get-Content -Raw (Join-Path $script:Out 'bids/dataset_description.json') | ConvertFrom-Json
        $dd.DatasetType | Should -Be 'raw'
        @(Get-ChildItem (Join-Path $script:Out 'bids') -Recurse -Filter '*_T1w.nii.gz').Count | Should -Be $scans.Count
    }
}
