# Get-AtlasSubject, New-AtlasSampleDataset, Test-AtlasDataset: the sample dataset, hand-made trees of
# every layout, metadata in CSV, TSV and XLSX, every Test-AtlasDataset check on a broken copy, shards.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest

    $script:Sample = Join-Path $TestDrive 'sample'
    $script:SampleInfo = New-AtlasSampleDataset -Path $script:Sample -SubjectCount 4 -Seed 1

    function New-Tree([string] $Root, [string[]] $Files) {
        # Empty files: the scanner reads names only.
        foreach ($f in $Files) {
            $p = Join-Path $Root $f
            New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
            [IO.File]::WriteAllBytes($p, [byte[]]::new(0))
        }
    }

    function New-TestXlsx([string] $Path, [object[][]] $Rows) {
        # A minimal workbook written by hand (zip of OpenXML parts, inline strings), independent of the module's reader.
        Add-Type -AssemblyName System.IO.Compression
        $ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
        $sb = [Text.StringBuilder]::new("<?xml version=`"1.0`" encoding=`"UTF-8`"?><worksheet xmlns=`"$ns`"><sheetData>")
        for ($r = 0; $r -lt $Rows.Count; $r++) {
            [void]$sb.Append("<row r=`"$($r + 1)`">")
            for ($c = 0; $c -lt $Rows[$r].Count; $c++) {
                $v = $Rows[$r][$c]
                if ($null -eq $v) { continue }
                $ref = [string][char](65 + $c) + ($r + 1)
                if ($v -is [string]) { [void]$sb.Append("<c r=`"$ref`" t=`"inlineStr`"><is><t>$([Security.SecurityElement]::Escape($v))</t></is></c>") }
                else { [void]$sb.Append("<c r=`"$ref`"><v>$([string]::Format([Globalization.CultureInfo]::InvariantCulture, '{0}', $v))</v></c>") }
            }
            [void]$sb.Append('</row>')
        }
        [void]$sb.Append('</sheetData></worksheet>')
        $parts = [ordered]@{
            '[Content_Types].xml'        = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
            '_rels/.rels'                = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            'xl/workbook.xml'            = "<?xml version=`"1.0`" encoding=`"UTF-8`"?><workbook xmlns=`"$ns`" xmlns:r=`"http://schemas.openxmlformats.org/officeDocument/2006/relationships`"><sheets><sheet name=`"Sheet1`" sheetId=`"1`" r:id=`"rId1`"/></sheets></workbook>"
            'xl/_rels/workbook.xml.rels' = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
            'xl/worksheets/sheet1.xml'   = $sb.ToString()
        }
        $fs = [IO.File]::Create($Path)
        try {
            $zip = [IO.Compression.ZipArchive]::new($fs, [IO.Compression.ZipArchiveMode]::Create)
            foreach ($k in $parts.Keys) {
                $w = [IO.StreamWriter]::new($zip.CreateEntry($k).Open(), [Text.UTF8Encoding]::new($false))
                $w.Write($parts[$k]); $w.Dispose()
            }
            $zip.Dispose()
        }
        finally { $fs.Dispose() }
    }
}

Describe 'New-AtlasSampleDataset' {
    It 'writes 4 subjects as 5 scans with a metadata CSV in the R1.1 columns' {
        $script:SampleInfo.ScanCount | Should -Be 5
        $script:SampleInfo.SubjectCount | Should -Be 4
        Test-Path $script:SampleInfo.MetadataPath | Should -BeTrue
        $csv = Import-Csv $script:SampleInfo.MetadataPath
        @($csv).Count | Should -Be 5
        ($csv[0].PSObject.Properties.Name) | Should -Contain '# Strokes LH Cortical'
        ($csv[0].PSObject.Properties.Name) | Should -Contain 'Primary Stroke Location Hemisphere'
        @(Get-ChildItem $script:Sample -Recurse -Filter '*_LesionRaw*.voi').Count | Should -Be 8 -Because '7 lesions, and the t02 scan of c0002s0001 has its own tracing'
        @(Get-ChildItem $script:Sample -Recurse -Filter '*_LesionSmooth*.nii.gz').Count | Should -Be 8
    }

    It 'is deterministic: the same seed gives the same bytes' {
        $again = Join-Path $TestDrive 'again'
        $null = New-AtlasSampleDataset -Path $again -SubjectCount 1 -Seed 1
        $a = Get-FileHash (Join-Path $again 'c0001/c0001s0001t01/c0001s0001t01.nii.gz')
        $b = Get-FileHash (Join-Path $script:Sample 'c0001/c0001s0001t01/c0001s0001t01.nii.gz')
        $a.Hash | Should -Be $b.Hash
        $other = Join-Path $TestDrive 'seed2'
        $null = New-AtlasSampleDataset -Path $other -SubjectCount 1 -Seed 2
        (Get-FileHash (Join-Path $other 'c0001/c0001s0001t01/c0001s0001t01.nii.gz')).Hash | Should -Not -Be $b.Hash
    }

    It '-WhatIf writes nothing; a non-empty folder is kept unless -Force' {
        $w = Join-Path $TestDrive 'whatif'
        New-AtlasSampleDataset -Path $w -SubjectCount 1 -WhatIf
        Test-Path $w | Should -BeFalse
        # A folder holding files this cmdlet did not write (no record of a sample beside its sheet).
        $foreign = Join-Path $TestDrive 'foreign'
        $null = New-Item -ItemType Directory -Path $foreign
        Set-Content -LiteralPath (Join-Path $foreign 'notes.txt') -Value 'mine'
        New-AtlasSampleDataset -Path $foreign -SubjectCount 1 -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $errs[0].FullyQualifiedErrorId | Should -Match '^OutputExists'
        @(Get-ChildItem -LiteralPath $foreign).Name | Should -Be 'notes.txt'
    }

    It 'refuses layouts other than Native with a clear error' {
        New-AtlasSampleDataset -Path (Join-Path $TestDrive 'bids') -SubjectCount 1 -Layout Bids -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Match '^LayoutNotSupported'
    }
}

Describe 'Get-AtlasSubject on the sample dataset' {
    BeforeAll {
        $script:Subjects = @(Get-AtlasSubject -Path $script:Sample -MetadataPath $script:SampleInfo.MetadataPath -WarningVariable warn)
        $script:Warn = $warn
    }

    It 'lists every scan with its files and no warning' {
        $script:Subjects.Count | Should -Be 5
        $script:Warn.Count | Should -Be 0
        ($script:Subjects.SubjectId) | Should -Be @('c0001s0001t01', 'c0002s0001t01', 'c0002s0001t02', 'c0003s0001t01', 'c0004s0001t01')
        ($script:Subjects.LesionFileCount) | Should -Be @(2, 1, 1, 3, 1)
        $script:Subjects[2].Session | Should -Be 2
        $script:Subjects[0].Layout | Should -Be 'Native'
        $script:Subjects[0].LesionMaskPaths[0] | Should -BeLike '*c0001s0001t01_LesionSmooth.nii.gz'
        $script:Subjects[0].RawLesionMaskPaths[1] | Should -BeLike '*c0001s0001t01_LesionRaw_1.voi'
    }

    It 'adds metadata as typed properties with aliases and keeps the original headers' {
        $s = $script:Subjects[0]
        $s.StrokesLhCortical | Should -BeOfType [int]
        $s.IndiSubjectId | Should -Be 31101
        $s.Notes | Should -BeNullOrEmpty
        $s.Hemisphere | Should -Be $s.PrimaryStrokeLocationHemisphere
        $s.MetadataHeaders['StrokesLhCortical'] | Should -Be '# Strokes LH Cortical'
        # The sheet's Session column would shadow the subject's own Session: it is SheetSession.
        $s.SheetSession | Should -Be 't01'
        $s.Session | Should -Be 1
    }

    It 'filters by metadata in the shell' {
        # Primaries of the sample alternate right (even subjects) and left (odd ones).
        $left = @($script:Subjects | Where-Object Hemisphere -EQ 'Left')
        ($left.SubjectId) | Should -Be @('c0002s0001t01', 'c0002s0001t02', 'c0004s0001t01')
    }

    It 'selects subjects by wildcard' {
        @(Get-AtlasSubject $script:Sample -SubjectId 'c0002*').Count | Should -Be 2
        @(Get-AtlasSubject $script:Sample -SubjectId '*t02', 'c0001s0001t01').SubjectId | Should -Be @('c0001s0001t01', 'c0002s0001t02')
    }

    It 'splits into shards that partition the subjects exactly' {
        foreach ($n in 2, 3, 5) {
            $parts = foreach ($i in 0..($n - 1)) { Get-AtlasSubject $script:Sample -ShardIndex $i -ShardCount $n | ForEach-Object SubjectId }
            @($parts | Sort-Object) | Should -Be @($script:Subjects.SubjectId | Sort-Object)
            @($parts | Sort-Object -Unique).Count | Should -Be 5
        }
        { Get-AtlasSubject $script:Sample -ShardIndex 2 -ShardCount 2 } | Should -Throw -ErrorId 'ShardIndexOutOfRange*'
    }

    It 'prints as a table with the subject view' {
        $text = $script:Subjects | Format-Table | Out-String
        $text | Should -Match 'SubjectId\s+Cohort\s+Session\s+LesionFileCount\s+Hemisphere\s+StrokeType'
        $text | Should -Match 'c0002s0001t02\s+c0002\s+2\s+1\s+Left\s+Ischemic'
    }

    It 'completes -KeyColumn from the sheet' {
        $line = "Get-AtlasSubject -MetadataPath '$($script:SampleInfo.MetadataPath)' -KeyColumn StrokesL"
        $m = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        @($m.CompletionText) | Should -Be @('StrokesLhCortical', 'StrokesLhSubcortical')
    }

    It 'takes roots from Get-Item through -LiteralPath' {
        @(Get-Item $script:Sample | Get-AtlasSubject).Count | Should -Be 5
        @(Get-Item $script:Sample | Test-AtlasDataset).Count | Should -Be 0
    }

    It 'uses the current location when -Path is omitted' {
        Push-Location $script:Sample
        try { @(Get-AtlasSubject).Count | Should -Be 5 } finally { Pop-Location }
    }

    It 'reports a missing root and an unknown key column as errors' {
        Get-AtlasSubject -LiteralPath (Join-Path $TestDrive 'nope') -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $file = Join-Path $TestDrive 'root-is-a-file.nii.gz'
        Set-Content -LiteralPath $file -Value 'x'
        Get-AtlasSubject -LiteralPath $file -ErrorVariable errsF -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errsF[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errsF[0].TargetObject | Should -Be $file
        "$($errsF[0])" | Should -Match 'not a dataset folder'
        Test-AtlasDataset -LiteralPath $file -ErrorVariable errsT -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errsT[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-AtlasSubject $script:Sample -MetadataPath $script:SampleInfo.MetadataPath -KeyColumn 'Nope' -ErrorVariable errs2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs2[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$($errs2[0])" | Should -Match 'no column'
    }

    It '-MetadataPath <Case> is an error naming the metadata path (<Category>), not the dataset folder' -ForEach @(
        @{ Case = 'a folder'; Category = 'InvalidArgument'; Make = { param($d) New-Item -ItemType Directory -Path (Join-Path $d 'meta') | Select-Object -ExpandProperty FullName } }
        @{ Case = 'an image'; Category = 'InvalidArgument'; Make = { param($d) $p = Join-Path $d 't1.nii.gz'; [IO.File]::WriteAllBytes($p, [byte[]](0x1f, 0x8b, 8, 0)); $p } }
        @{ Case = 'a .txt of prose'; Category = 'InvalidData'; Make = { param($d) $p = Join-Path $d 'notes.txt'; Set-Content -Path $p -Value 'Notes on the scans', 'all were defaced'; $p } }
        @{ Case = 'a binary .csv'; Category = 'InvalidData'; Make = { param($d) $p = Join-Path $d 'renamed.csv'; [IO.File]::WriteAllBytes($p, [byte[]](80, 75, 3, 4, 0, 0, 44, 10)); $p } }
        @{ Case = 'a missing file'; Category = 'ObjectNotFound'; Make = { param($d) Join-Path $d 'none.csv' } }
    ) {
        $dir = Join-Path $TestDrive ('meta-' + ($Case -replace '\W', ''))
        New-Item -ItemType Directory -Path $dir | Out-Null
        $meta = & $Make $dir
        foreach ($cmd in 'Get-AtlasSubject', 'Test-AtlasDataset') {
            & $cmd -Path $script:Sample -MetadataPath $meta -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $errs.Count | Should -Be 1
            $errs[0].CategoryInfo.Category | Should -Be $Category
            $errs[0].TargetObject | Should -Be $meta
            "$($errs[0])" | Should -BeLike "*$meta*"
        }
    }

    It 'reads the sheet once for folders piped in one by one (one error for a bad sheet, not one per folder)' {
        $bad = Join-Path $TestDrive 'once-missing.csv'
        $script:Sample, $script:Sample | Get-AtlasSubject -MetadataPath $bad -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be $bad
        $both = @($script:Sample, $script:Sample | Get-AtlasSubject -MetadataPath $script:SampleInfo.MetadataPath -WarningAction SilentlyContinue)
        $both.Count | Should -Be (2 * $script:Subjects.Count)
        @($both | Where-Object { $null -ne $_.PSObject.Properties['Hemisphere'] }).Count | Should -Be $both.Count
    }

    It 'warns when a folder holds no scan at all' {
        $empty = Join-Path $TestDrive 'empty-root'
        New-Item -ItemType Directory -Path $empty | Out-Null
        Get-AtlasSubject -LiteralPath $empty -WarningVariable warns -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        @($warns | Where-Object { "$_" -match 'no ATLAS scan was found' }).Count | Should -Be 1
    }
}

Describe 'Get-AtlasSubject on hand-made trees' {
    It 'reads INDI standardized folders and joins numeric ids from an XLSX sheet' {
        $root = Join-Path $TestDrive 'indi'
        New-Tree $root @(
            'Site1/031768/t01/031768_t1w_deface_stx.nii.gz', 'Site1/031768/t01/031768_LesionSmooth_stx.nii.gz', 'Site1/031768/t01/031768_LesionSmooth_1_stx.nii.gz',
            'Site4/031859/t01/031859_t1w_deface_stx.nii.gz', 'Site4/031859/t01/031859_LesionSmooth_stx.nii.gz')
        $xlsx = Join-Path $TestDrive 'indi.xlsx'
        New-TestXlsx $xlsx @(
            , @('INDI Site ID', 'INDI Subject ID', '# Strokes LH Cortical', 'Primary Stroke Location Hemisphere', 'PVH')
            , @('Site1', 31768, 2, 'Left', 1)
            , @('Site4', 31859, 0, 'Right', $null)
            , @('Site4', 31999, 1, 'Right', 3))
        $s = @(Get-AtlasSubject $root -MetadataPath $xlsx -WarningVariable warn -WarningAction SilentlyContinue)
        $s.Count | Should -Be 2
        $s[0].Layout | Should -Be 'Standardized'
        $s[0].Space | Should -Be 'MNI152'
        $s[0].SubjectId | Should -Be '031768'
        $s[0].Site | Should -Be 'Site1'
        $s[0].LesionFileCount | Should -Be 2
        $s[0].StrokesLhCortical | Should -Be 2
        $s[0].StrokesLhCortical | Should -BeOfType [int]
        $s[0].Hemisphere | Should -Be 'Left'
        $s[1].Pvh | Should -BeNullOrEmpty
        @($warn | Where-Object { "$_" -match '31999' }).Count | Should -Be 1
    }

    It 'reads the R2.0 nested R0NN folders and a TSV with -KeyColumn given by its header' {
        $root = Join-Path $TestDrive 'r20'
        New-Tree $root @(
            'Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz',
            'Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz',
            'Training/R034/sub-r034s002/ses-1/anat/sub-r034s002_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz',
            'Training/R034/sub-r034s002/ses-1/anat/sub-r034s002_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz',
            'Testing/R009/sub-r009s001/ses-1/anat/sub-r009s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz')
        $tsv = Join-Path $TestDrive 'r20.tsv'
        Set-Content -Path $tsv -Value "Subject ID`tSession`t# Lesions LH Subcortical`tPrimary Stroke Hemisphere`tLesion Volume`nr001s001`t1`t1`tLeft`t1530.5`nr034s002`t1`t0`tRight`t`n"
        $s = @(Get-AtlasSubject $root -MetadataPath $tsv -KeyColumn 'Subject ID' -WarningVariable warn -WarningAction SilentlyContinue)
        ($s.SubjectId) | Should -Be @('sub-r001s001', 'sub-r009s001', 'sub-r034s002')
        ($s.Cohort) | Should -Be @('R001', 'R009', 'R034')
        $s[0].Layout | Should -Be 'Bids'
        $s[0].LesionFileCount | Should -Be 1
        $s[1].LesionFileCount | Should -Be 0
        $s[0].LesionVolume | Should -Be 1530.5
        $s[0].Hemisphere | Should -Be 'Left'
        $s[2].LesionVolume | Should -BeNullOrEmpty
        # The testing subject has no row: one warning.
        @($warn | Where-Object { "$_" -match 'sub-r009s001' }).Count | Should -Be 1
    }

    It 'reads a plain BIDS tree with masks under derivatives/lesions' {
        $root = Join-Path $TestDrive 'plainbids'
        New-Tree $root @(
            'sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_T1w.nii.gz',
            'derivatives/lesions/sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_label-L_desc-lesion_mask.nii.gz',
            'derivatives/lesions/sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_label-L_desc-lesion1_mask.nii.gz',
            'participants.tsv', 'dataset_description.json')
        $s = Get-AtlasSubject $root
        $s.ScanId | Should -Be 'sub-c0001s0001_ses-1'
        $s.Space | Should -Be 'Native'
        $s.LesionFileCount | Should -Be 2
        $s.LesionMaskPaths[0] | Should -BeLike '*desc-lesion_mask.nii.gz'
    }

    It 'reads both native folder forms and warns once per unmatched file' {
        $root = Join-Path $TestDrive 'native'
        New-Tree $root @(
            'c0001/c0001s0001t01/c0001s0001t01.nii.gz', 'c0001/c0001s0001t01/c0001s0001t01_LesionRaw.voi',
            'c0002/c0002s0003/t02/c0002s0003t02.nii.gz', 'c0002/c0002s0003/t02/c0002s0003t02_LesionSmooth.nii.gz',
            'c0002/c0002s0003/t02/c0002s0003t02_LesionSmooth_1.voi',
            'c0002/c0002s0003/t02/c0002s0003t02_brain.nii.gz')
        $s = @(Get-AtlasSubject $root -WarningVariable warn -WarningAction SilentlyContinue)
        ($s.ScanId) | Should -Be @('c0001s0001t01', 'c0002s0003t02')
        $s[0].LesionMaskPaths[0] | Should -BeLike '*_LesionRaw.voi'
        $s[1].LesionFileCount | Should -Be 2
        @($warn).Count | Should -Be 1
        "$($warn[0])" | Should -Match 'c0002s0003t02_brain\.nii\.gz'
        # Forced to another layout, nothing is a subject and every image is reported.
        @(Get-AtlasSubject $root -Layout Bids -WarningVariable w2 -WarningAction SilentlyContinue).Count | Should -Be 0
        @($w2 | Where-Object { "$_" -notmatch 'no ATLAS scan was found' }).Count | Should -Be 6
        @($w2 | Where-Object { "$_" -match 'no ATLAS scan was found' }).Count | Should -Be 1
    }
}

Describe 'Test-AtlasDataset' {
    It 'finds nothing on the clean sample, with or without -Deep' {
        @(Test-AtlasDataset -Path $script:Sample -MetadataPath $script:SampleInfo.MetadataPath).Count | Should -Be 0
        @(Test-AtlasDataset -Path $script:Sample -MetadataPath $script:SampleInfo.MetadataPath -Deep).Count | Should -Be 0
        { Test-AtlasDataset -Path $script:Sample -Deep -FailOnError } | Should -Not -Throw
    }

    It '-FailOnError fails when a root or the metadata sheet cannot be checked at all' {
        # A scheduled task must not report "clean" for an unmounted share (missing or empty folder).
        $missing = Join-Path $TestDrive 'not-mounted'
        { Test-AtlasDataset -Path $missing -FailOnError -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'DatasetNotChecked*'
        { Test-AtlasDataset -LiteralPath $missing -FailOnError -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'DatasetNotChecked*'
        $empty = Join-Path $TestDrive 'empty-mount-point'
        New-Item -ItemType Directory -Path $empty | Out-Null
        { Test-AtlasDataset -Path $empty -FailOnError -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'DatasetNotChecked*'
        Test-AtlasDataset -Path $empty -WarningVariable w -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$w" | Should -Match 'no ATLAS scan was found'
        { Test-AtlasDataset -Path $script:Sample -MetadataPath (Join-Path $TestDrive 'none.csv') -FailOnError -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'DatasetNotChecked*'
        # Without -FailOnError these stay non-terminating errors.
        { Test-AtlasDataset -Path $missing -ErrorAction SilentlyContinue } | Should -Not -Throw
    }

    Context 'a broken copy' {
        BeforeAll {
            $script:Broken = Join-Path $TestDrive 'broken'
            Copy-Item -Recurse $script:Sample $script:Broken
            $b = $script:Broken
            $t1 = Import-AtlasVolume -Path (Join-Path $b 'c0001/c0001s0001t01/c0001s0001t01.nii.gz') -HeaderOnly
            $g = $t1.Grid
            $n = $g.VoxelCount
            function Write-Mask([string] $Path, [Array] $Data, [Atlas.Core.Volumes.Grid] $Grid, [string] $Type) {
                [Atlas.Core.Nifti.NiftiWriter]::Write([Atlas.Core.Volumes.AtlasVolume]::FromArray($Grid, $Data, $Type, $null), $Path, $null)
            }
            # c0001s0001t01 (2 masks): primary stored 0/255; secondary _1 overlapping the primary.
            $m255 = [byte[]]::new($n); foreach ($i in 0..26) { $m255[$g.Index(60 + $i % 3, 80 + [int][math]::Floor($i / 3) % 3, 70 + [int][math]::Floor($i / 9))] = 255 }
            Write-Mask (Join-Path $b 'c0001/c0001s0001t01/c0001s0001t01_LesionSmooth.nii.gz') $m255 $g 'UInt8'
            $ov = [byte[]]::new($n); $ov[$g.Index(61, 81, 71)] = 1
            Write-Mask (Join-Path $b 'c0001/c0001s0001t01/c0001s0001t01_LesionSmooth_1.nii.gz') $ov $g 'UInt8'
            # c0001s0001t01 as ConvertTo-AtlasStandardSpace records a scan whose registration failed its checks.
            $rec = [Atlas.Core.Datasets.OutputRecord]@{ Cmdlet = 'ConvertTo-AtlasStandardSpace'; ModuleVersion = '0.1.0' }
            $rec.Result = [System.Collections.Generic.SortedDictionary[string, string]]::new([StringComparer]::Ordinal)
            $rec.Result['Verdict'] = 'Failed'; $rec.Result['VerdictReason'] = 'determinant 0.31 outside 0.5..2'
            $rec.Write((Join-Path $b 'c0001/c0001s0001t01/c0001s0001t01.nii.gz'))
            # c0002s0001t01: the mask half a voxel off the T1's grid; an extra file that matches nothing.
            $a = $g.Affine; $a[0, 3] = $a[0, 3] + 0.5
            $shifted = [Atlas.Core.Volumes.Grid]::new($g.NX, $g.NY, $g.NZ, $g.VoxelSizeMm, $a)
            $one = [byte[]]::new($n); $one[$g.Index(30, 90, 70)] = 1
            Write-Mask (Join-Path $b 'c0002/c0002s0001t01/c0002s0001t01_LesionSmooth.nii.gz') $one $shifted 'UInt8'
            Set-Content -Path (Join-Path $b 'c0002/c0002s0001t01/c0002s0001t01_brainmask.nii.gz') -Value 'x'
            # c0002s0001t02: the T1 is missing; its raw mask is not an image.
            Remove-Item (Join-Path $b 'c0002/c0002s0001t02/c0002s0001t02.nii.gz')
            Set-Content -Path (Join-Path $b 'c0002/c0002s0001t02/c0002s0001t02_LesionRaw.voi') -Value 'not an image'
            # c0003s0001t01 (3 masks): _1 non-binary (0.5), _2 empty, raw _2 renamed _3 (a gap).
            $half = [float[]]::new($n); $half[$g.Index(40, 60, 60)] = 0.5; $half[$g.Index(41, 60, 60)] = 1
            Write-Mask (Join-Path $b 'c0003/c0003s0001t01/c0003s0001t01_LesionSmooth_1.nii.gz') $half $g 'Float32'
            Write-Mask (Join-Path $b 'c0003/c0003s0001t01/c0003s0001t01_LesionSmooth_2.nii.gz') ([byte[]]::new($n)) $g 'UInt8'
            Move-Item (Join-Path $b 'c0003/c0003s0001t01/c0003s0001t01_LesionRaw_2.voi') (Join-Path $b 'c0003/c0003s0001t01/c0003s0001t01_LesionRaw_3.voi')
            # c0004s0001t01: the T1 is not an image; no lesion masks at all.
            Set-Content -Path (Join-Path $b 'c0004/c0004s0001t01/c0004s0001t01.nii.gz') -Value 'garbage'
            Get-ChildItem (Join-Path $b 'c0004/c0004s0001t01') -Filter '*Lesion*' | Remove-Item
            # Metadata: c0003s0001 t01 counts 1 lesion instead of 3; c0001s0001 has no row; an extra row for a subject not on disk.
            $rows = Import-Csv (Join-Path $b 'ATLAS_sample_metadata.csv')
            $rows = @($rows | Where-Object { $_.'Subject ID' -ne 'c0001s0001' })
            ($rows | Where-Object { $_.'Subject ID' -eq 'c0003s0001' }) | ForEach-Object {
                $_.'# Strokes LH Cortical' = '1'; $_.'# Strokes LH subcortical' = '0'; $_.'# Strokes RH Cortical' = '0'; $_.'# Strokes RH subcortical' = '0' }
            $extra = $rows[0].PSObject.Copy(); $extra.'Subject ID' = 'c0009s0009'; $rows += $extra
            $script:BrokenCsv = Join-Path $b 'meta-broken.csv'
            $rows | Export-Csv -Path $script:BrokenCsv -NoTypeInformation
            Remove-Item (Join-Path $b 'ATLAS_sample_metadata.csv')

            $script:Findings = @(Test-AtlasDataset -Path $b -MetadataPath $script:BrokenCsv -Deep)
            $script:Shallow = @(Test-AtlasDataset -Path $b -MetadataPath $script:BrokenCsv)
            function Find([string] $Check, [string] $Scan) { @($script:Findings | Where-Object { $_.Check -eq $Check -and ([string]::IsNullOrEmpty($Scan) -or $_.ScanId -eq $Scan) }) }
        }

        It 'writes finding objects with the documented properties' {
            $f = $script:Findings[0]
            ($f.PSObject.Properties.Name) | Should -Contain 'Severity'
            ($f.PSObject.Properties.Name) | Should -Contain 'SubjectId'
            ($f.PSObject.Properties.Name) | Should -Contain 'Check'
            ($f.PSObject.Properties.Name) | Should -Contain 'Path'
            ($f.PSObject.Properties.Name) | Should -Contain 'Message'
        }

        It 'T1Missing' { (Find T1Missing 'c0002s0001t02').Count | Should -Be 1 }
        It 'T1Unreadable' {
            $f = Find T1Unreadable 'c0004s0001t01'
            $f.Count | Should -Be 1
            $f[0].Severity | Should -Be 'Error'
            $f[0].Path | Should -BeLike '*c0004s0001t01.nii.gz'
        }
        It 'MaskMissing' { (Find MaskMissing 'c0004s0001t01').Count | Should -Be 1 }
        It 'MaskUnreadable' { (Find MaskUnreadable 'c0002s0001t02')[0].Path | Should -BeLike '*_LesionRaw.voi' }
        It 'MaskGrid (half a voxel: the first cohorts'' misalignment)' {
            $f = Find MaskGrid 'c0002s0001t01'
            $f.Count | Should -Be 1
            $f[0].Message | Should -Match '0\.5 mm'
            (@($script:Shallow | Where-Object Check -EQ 'MaskGrid')).Count | Should -Be 1 -Because 'the grid needs headers only'
        }
        It 'Mask255' {
            $f = Find Mask255 'c0001s0001t01'
            $f[0].Severity | Should -Be 'Warning'
            $f[0].Message | Should -Match '27 voxels of 255'
        }
        It 'MaskOverlap' { (Find MaskOverlap 'c0001s0001t01')[0].Path | Should -BeLike '*_LesionSmooth_1.nii.gz' }
        It 'MaskNotBinary' { (Find MaskNotBinary 'c0003s0001t01')[0].Message | Should -Match '1 voxels hold values other than 0 and 1 \(e\.g\. 0\.5\)' }
        It 'MaskEmpty' { (Find MaskEmpty 'c0003s0001t01')[0].Path | Should -BeLike '*_LesionSmooth_2.nii.gz' }
        It 'MaskNumbering' { (Find MaskNumbering 'c0003s0001t01')[0].Path | Should -BeLike '*_LesionRaw_3.voi' }
        It 'MetadataMissing' { (Find MetadataMissing 'c0001s0001t01').Count | Should -Be 1 }
        It 'LesionCount' { (Find LesionCount 'c0003s0001t01')[0].Message | Should -Match 'counts 1 lesions but there are 3' }
        It 'UnmatchedFile' { (Find UnmatchedFile)[0].Path | Should -BeLike '*c0002s0001t01_brainmask.nii.gz' }
        It 'MetadataOrphan' { (Find MetadataOrphan)[0].Message | Should -Match 'c0009s0009' }
        It 'Registration (a standardized scan whose registration failed)' {
            $f = Find Registration 'c0001s0001t01'
            $f.Count | Should -Be 1
            $f[0].Severity | Should -Be 'Error'
            $f[0].Message | Should -Match 'failed its checks \(determinant 0\.31 outside 0\.5\.\.2\)'
            (@($script:Shallow | Where-Object Check -EQ 'Registration')).Count | Should -Be 1 -Because 'the verdict needs no voxel'
        }

        It 'voxel checks wait for -Deep' {
            @($script:Shallow | Where-Object Check -In 'Mask255', 'MaskNotBinary', 'MaskEmpty', 'MaskOverlap').Count | Should -Be 0
        }

        It 'triggers every check and nothing on the intact subject rows' {
            $checks = $script:Findings.Check | Sort-Object -Unique
            foreach ($c in [Atlas.Core.Datasets.DatasetChecker]::Checks) { $checks | Should -Contain $c }
        }

        It '-Summary counts per check' {
            $sum = @(Test-AtlasDataset -Path $script:Broken -MetadataPath $script:BrokenCsv -Deep -Summary)
            $sum.Count | Should -Be ([Atlas.Core.Datasets.DatasetChecker]::Checks.Count)
            ($sum | Where-Object Check -EQ 'Mask255').Warnings | Should -Be 1
            ($sum | Where-Object Check -EQ 'MaskGrid').Errors | Should -Be 1
            ($sum | Where-Object Check -EQ 'T1Missing').SubjectsChecked | Should -Be 5
        }

        It '-FailOnError throws at the end, after writing the findings' {
            $out = [System.Collections.Generic.List[object]]::new()
            { Test-AtlasDataset -Path $script:Broken -FailOnError | ForEach-Object { $out.Add($_) } } | Should -Throw -ErrorId 'DatasetHasErrors*'
            $out.Count | Should -BeGreaterThan 0
        }

        It 'checks subjects from the pipeline' {
            $f = @(Get-AtlasSubject $script:Broken -SubjectId 'c0003*' -WarningAction SilentlyContinue | Test-AtlasDataset -Deep)
            # The copy's sheet lies at its root, so it is joined without -MetadataPath (issue 11) and its counts are checked too.
            ($f.Check | Sort-Object -Unique) | Should -Be @('LesionCount', 'MaskEmpty', 'MaskNotBinary', 'MaskNumbering')
        }
    }
}
