# Issue 11: the metadata sheet at a dataset root, duplicate rows, subjects to a tidy CSV, completion and
# typed metadata properties, table headers that are property names, and Measure-AtlasDataset (the R1.1
# paper's Tables 1 and 2) worked by hand on small sheets and checked against the masks of the sample.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest

    function New-Tree([string] $Root, [string[]] $Files) {
        # Empty files: the scanner reads names only.
        foreach ($f in $Files) {
            $p = Join-Path $Root $f
            New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
            [IO.File]::WriteAllBytes($p, [byte[]]::new(0))
        }
    }

    # Six scans of five subjects in two cohorts (c0001s0002 rescanned), each with a smoothed primary mask.
    function New-HandDataset([string] $Root, [string] $Sheet, [string] $SheetName = 'meta.csv') {
        $scans = 'c0001s0001t01', 'c0001s0002t01', 'c0001s0002t02', 'c0002s0001t01', 'c0002s0002t01', 'c0002s0003t01'
        New-Tree $Root @(foreach ($s in $scans) { "$($s.Substring(0,5))/$s/$s.nii.gz"; "$($s.Substring(0,5))/$s/${s}_LesionSmooth.nii.gz" })
        if ($Sheet) { Set-Content -Path (Join-Path $Root $SheetName) -Value $Sheet -Encoding utf8 }
        return $Root
    }

    $script:HandSheet = @'
Subject ID,Session,# Strokes LH Cortical,# Strokes LH Subcortical,# Strokes RH Cortical,# Strokes RH Subcortical,Other Location,Stroke type,PVH,Scanner
c0001s0001,t01,1,0,0,0,0,Ischemic,2,Siemens
c0001s0002,t01,0,0,0,1,0,Ischemic,1,Siemens
c0001s0002,t02,0,0,0,1,0,Ischemic,1,Siemens
c0002s0001,t01,0,0,0,0,1,Hemorrhagic,0,GE
c0002s0002,t01,2,1,0,1,0,Ischemic,3,GE
c0002s0003,t01,,,,,,Ischemic,,GE

'@

    $script:Sample = Join-Path $TestDrive 'sample'
    $null = New-AtlasSampleDataset -Path $script:Sample -SubjectCount 6 -Seed 3
    # Made here, not in a Describe: TestDrive files made inside a Describe go when it ends.
    $null = New-HandDataset (Join-Path $TestDrive 'root1') $script:HandSheet
}

Describe 'The metadata sheet at the dataset root (item 5)' {
    It 'is joined without -MetadataPath when it is the only sheet there, and a verbose line names it' {
        $root = Join-Path $TestDrive 'root1'
        $verbose = @(Get-AtlasSubject -Path $root -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $subjects = @(Get-AtlasSubject -Path $root)
        $subjects.Count | Should -Be 6
        @($subjects | Where-Object HasMetadata).Count | Should -Be 6
        ($subjects | Where-Object ScanId -EQ 'c0002s0002t01').StrokesLhCortical | Should -Be 2
        ($verbose.Message -join "`n") | Should -Match ([regex]::Escape((Join-Path $root 'meta.csv')))
    }

    It 'joins none and warns, naming both, when there are several sheets' {
        $root = New-HandDataset (Join-Path $TestDrive 'root2') $script:HandSheet
        Copy-Item (Join-Path $root 'meta.csv') (Join-Path $root 'other.csv')
        $subjects = @(Get-AtlasSubject -Path $root -WarningVariable w -WarningAction SilentlyContinue)
        @($subjects | Where-Object HasMetadata).Count | Should -Be 0
        $text = $w -join "`n"
        $text | Should -Match 'meta\.csv'
        $text | Should -Match 'other\.csv'
        $text | Should -Match '-MetadataPath'
    }

    It 'lets -MetadataPath choose among several sheets' {
        $root = Join-Path $TestDrive 'root2'
        @(Get-AtlasSubject -Path $root -MetadataPath (Join-Path $root 'meta.csv') | Where-Object HasMetadata).Count | Should -Be 6
    }

    It 'is used by Test-AtlasDataset too (the sample''s counts agree with its masks: no metadata finding)' {
        @(Get-AtlasSubject -Path $script:Sample | Where-Object HasMetadata).Count | Should -BeGreaterThan 0
        $findings = @(Test-AtlasDataset -Path $script:Sample | Where-Object Check -Like 'Metadata*')
        $findings | Should -BeNullOrEmpty
    }
}

Describe 'Duplicate metadata rows (item 6)' {
    It 'names the rows and the subject of an exact repeat, uses one, and does not call it an orphan' {
        $sheet = $script:HandSheet + "c0001s0001,t01,1,0,0,0,0,Ischemic,2,Siemens`n"
        $root = New-HandDataset (Join-Path $TestDrive 'dup1') $sheet
        $subjects = @(Get-AtlasSubject -Path $root -WarningVariable w -WarningAction SilentlyContinue)
        ($subjects | Where-Object ScanId -EQ 'c0001s0001t01').StrokesLhCortical | Should -Be 1
        $text = $w -join "`n"
        $text | Should -Match 'rows 2, 8'
        $text | Should -Match 'c0001s0001'
        $text | Should -Not -Match 'matches no subject'
    }

    It 'stops with an InvalidData error naming the rows, the subject and the column when the repeats conflict' {
        $sheet = $script:HandSheet + "c0002s0001,t01,0,0,0,0,1,Ischemic,0,GE`n"
        $root = New-HandDataset (Join-Path $TestDrive 'dup2') $sheet
        $subjects = @(Get-AtlasSubject -Path $root -ErrorVariable e -ErrorAction SilentlyContinue)
        $subjects.Count | Should -Be 0
        $e.Count | Should -Be 1
        $e[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $e[0].Exception.Message | Should -Match 'rows 5, 8'
        $e[0].Exception.Message | Should -Match 'c0002s0001'
        $e[0].Exception.Message | Should -Match "'Stroke type'"
        $e[0].Exception.Message | Should -Match ([regex]::Escape('meta.csv'))
    }

    It 'treats the same subject at two sessions as two rows, not a duplicate' {
        $root = Join-Path $TestDrive 'root1'
        $null = Get-AtlasSubject -Path $root -WarningVariable w -WarningAction SilentlyContinue
        ($w -join "`n") | Should -Not -Match 'repeated'
    }
}

Describe 'Subjects to CSV (item 7)' {
    BeforeAll {
        $script:Subjects = @(Get-AtlasSubject -Path (Join-Path $TestDrive 'root1'))
        $script:Csv = Join-Path $TestDrive 'subjects.csv'
        $script:Subjects | Export-Csv -Path $script:Csv -NoTypeInformation
        $script:Rows = @(Import-Csv $script:Csv)
        $script:Header = (Get-Content $script:Csv -TotalCount 1) -replace '"', '' -split ','
    }

    It 'writes no type names: no System.String[] and no Dictionary' {
        $text = Get-Content -Raw $script:Csv
        $text | Should -Not -Match 'System\.String\[\]'
        $text | Should -Not -Match 'Dictionary'
        $script:Header | Should -Not -Contain 'Metadata'
        $script:Header | Should -Not -Contain 'MetadataHeaders'
    }

    It 'joins the file lists with ;' {
        $sample = @(Get-AtlasSubject -Path $script:Sample | Where-Object { $_.LesionFileCount -gt 1 })[0]
        $row = $sample | ConvertTo-Csv | ConvertFrom-Csv
        $row.LesionMaskPaths | Should -Be (@($sample.LesionMaskPaths) -join ';')
        $row.LesionMaskPaths.Split(';').Count | Should -Be $sample.LesionFileCount
    }

    It 'puts the identifiers first, then every metadata column as a column of its own' {
        $script:Header[0..4] | Should -Be @('SubjectId', 'ScanId', 'Cohort', 'Subject', 'Session')
        $meta = 'Hemisphere', 'StrokeType', 'Pvh', 'StrokesLhCortical', 'Scanner', 'OtherLocation'
        foreach ($m in $meta) { $script:Header | Should -Contain $m }
        $firstMeta = [array]::IndexOf($script:Header, 'StrokeType')
        $firstMeta | Should -BeGreaterThan ([array]::IndexOf($script:Header, 'Session'))
        [array]::IndexOf($script:Header, 'T1Path') | Should -BeGreaterThan ([array]::IndexOf($script:Header, 'Scanner'))
        $r = $script:Rows | Where-Object ScanId -EQ 'c0002s0001t01'
        $r.StrokeType | Should -Be 'Hemorrhagic'
        $r.Scanner | Should -Be 'GE'
        $r.OtherLocation | Should -Be '1'
    }

    It 'keeps the lists usable in the shell' {
        $s = $script:Subjects[0]
        $s.LesionMaskPaths[0] | Should -BeLike '*_LesionSmooth.nii.gz'
        $s.LesionMaskPaths.Count | Should -Be 1
        $s.LesionMaskPaths.Length | Should -Be 1
        @($s.LesionMaskPaths | Import-AtlasVolume -ErrorAction SilentlyContinue -ErrorVariable ie).Count | Should -Be 0 -Because 'empty files are not images'
        $ie.Count | Should -Be 1
        $s.Metadata['Scanner'] | Should -Be 'Siemens'
    }
}

Describe 'Completion and typed metadata (item 10)' {
    It 'completes -SubjectId from the dataset in -Path' {
        $root = Join-Path $TestDrive 'root1'
        $line = "Get-AtlasSubject -Path '$root' -SubjectId c0001s0002"
        $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $c.CompletionMatches.CompletionText | Should -Be @('c0001s0002t01', 'c0001s0002t02')
    }

    It 'completes from the current location when -Path is not typed' {
        Push-Location (Join-Path $TestDrive 'root1')
        try {
            $line = 'Get-AtlasSubject -SubjectId c0002'
            $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $c.CompletionMatches.CompletionText | Should -Be @('c0002s0001t01', 'c0002s0002t01', 'c0002s0003t01')
        }
        finally { Pop-Location }
    }

    It 'offers the ATLAS columns after Get-AtlasSubject in Where-Object' {
        $line = 'Get-AtlasSubject | Where-Object { $_.Stro'
        $c = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        foreach ($n in 'StrokeType', 'StrokesLhCortical', 'StrokesLhSubcortical', 'StrokesRhCortical', 'StrokesRhSubcortical') { $c | Should -Contain $n }
        $line = 'Get-AtlasSubject | Select-Object -Property Vasc'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'VascularTerritory'
    }

    It 'gives the typed columns their types, and the other columns stay dynamic' {
        $s = Get-AtlasSubject -Path (Join-Path $TestDrive 'root1') -SubjectId c0002s0002t01
        $members = $s | Get-Member -MemberType Property
        foreach ($n in 'Hemisphere', 'StrokeType', 'VascularTerritory', 'Pvh', 'Dwmh', 'StrokesLhCortical') { $members.Name | Should -Contain $n }
        [Atlas.Core.Datasets.AtlasSubject].GetProperty('Pvh').PropertyType | Should -Be ([Nullable[int]])
        $s.Pvh | Should -Be 3
        $s.Pvh | Should -BeOfType [int]
        $s.StrokesLhCortical + $s.StrokesLhSubcortical | Should -Be 3
        $s.Dwmh | Should -BeNullOrEmpty -Because 'the sheet has no DWMH column'
        $s.Scanner | Should -Be 'GE'
        [Atlas.Core.Datasets.AtlasSubject].GetProperty('Scanner') | Should -BeNullOrEmpty
    }
}

Describe 'Table headers are property names (item 9, views)' {
    It 'every <Name> header names a property of the type' -ForEach @(
        foreach ($v in ([xml](Get-Content -Raw (Join-Path (Split-Path (Get-Module Atlas.Psm).Path) 'Atlas.Psm.format.ps1xml'))).Configuration.ViewDefinitions.View) {
            @{ Name = $v.Name; TypeName = $v.ViewSelectedBy.TypeName; Labels = @($v.TableControl.TableHeaders.TableColumnHeader.Label) }
        }) {
        $type = $TypeName -as [type]
        $type | Should -Not -BeNullOrEmpty
        $etsNames = @((Get-TypeData -TypeName $TypeName).Members.Keys)
        foreach ($l in $Labels) {
            ($null -ne $type.GetProperty($l)) -or ($etsNames -contains $l) | Should -BeTrue -Because "the $Name column '$l' must be a property"
        }
    }

    It 'shows whole mask file names (not cut at 28 characters)' {
        $s = @(Get-AtlasSubject -Path $script:Sample | Where-Object { $_.LesionFileCount -gt 1 })[0]
        $text = $s | Measure-Lesion | Out-String -Width 160
        $name = Split-Path -Leaf $s.LesionMaskPaths[1]
        $name.Length | Should -BeGreaterThan 28
        $text | Should -Match ([regex]::Escape($name))
    }
}

Describe 'Measure-AtlasDataset (the paper''s Tables 1 and 2)' {
    BeforeAll {
        $script:Rows = @(Get-AtlasSubject -Path (Join-Path $TestDrive 'root1') | Measure-AtlasDataset -WarningVariable mw -WarningAction SilentlyContinue)
        $script:MeasureWarnings = $mw
    }

    It 'has one record per cohort and a Total, with exactly the paper''s columns' {
        $script:Rows.Cohort | Should -Be @('c0001', 'c0002', 'Total')
        $names = @($script:Rows[0].PSObject.Properties.Name)
        $names | Should -Be @('Cohort', 'Scans', 'OneLesionLeft', 'OneLesionRight', 'OneLesionOther', 'MultipleLesions',
            'CorticalLeft', 'CorticalRight', 'SubcorticalLeft', 'SubcorticalRight', 'OtherLesions', 'PercentOfLesions')
    }

    It 'counts scans (the rescan too) and the hand-worked Table 1 and Table 2 values' -ForEach @(
        @{ Cohort = 'c0001'; Expected = @(3, 1, 2, 0, 0, 1, 0, 0, 2, 0, 37.5) }
        @{ Cohort = 'c0002'; Expected = @(3, 0, 0, 1, 1, 2, 0, 1, 1, 1, 62.5) }
        @{ Cohort = 'Total'; Expected = @(6, 1, 2, 1, 1, 3, 0, 1, 3, 1, 100) }) {
        $r = $script:Rows | Where-Object Cohort -EQ $Cohort
        @($r.Scans, $r.OneLesionLeft, $r.OneLesionRight, $r.OneLesionOther, $r.MultipleLesions, $r.CorticalLeft, $r.CorticalRight,
            $r.SubcorticalLeft, $r.SubcorticalRight, $r.OtherLesions, $r.PercentOfLesions) | Should -Be $Expected
    }

    It 'prints Table 1 by default and Table 2 with -View Table2, each whole in 80 columns; -View All has every column' {
        $text = $script:Rows | Out-String -Width 80
        $text | Should -Match '(?m)^Cohort\s+Scans\s+OneLesionLeft\s+OneLesionRight\s+OneLesionOther\s+MultipleLesions\s*$'
        $text | Should -Match '(?m)^Total\s+6\s+1\s+2\s+1\s+1\s*$'
        $text = $script:Rows | Format-Table -View Table2 | Out-String -Width 80
        $text | Should -Match '(?m)^Cohort\s+CorticalLeft\s+CorticalRight\s+SubcorticalLeft\s+SubcorticalRight\s+OtherLesions\s*$'
        $text | Should -Match '(?m)^Total\s+3\s+0\s+1\s+3\s+1\s*$'
        $text = $script:Rows | Format-Table -View All | Out-String -Width 220
        $text | Should -Match 'Cohort\s+Scans\s+OneLesionLeft\s+OneLesionRight\s+OneLesionOther\s+MultipleLesions\s+CorticalLeft\s+CorticalRight\s+SubcorticalLeft\s+SubcorticalRight\s+OtherLesions\s+PercentOfLesions'
        $text | Should -Match '(?m)^Total\s+6\s+1\s+2\s+1\s+1\s+3\s+0\s+1\s+3\s+1\s+100\s*$'
    }

    It 'names the scan without counts (counted in Scans only, the documented rule)' {
        ($script:MeasureWarnings -join "`n") | Should -Match 'c0002s0003t01'
    }

    It 'counts the masks with -FromMasks, which agree with the sample''s sheet (written from the same masks)' {
        $subjects = @(Get-AtlasSubject -Path $script:Sample)
        $sheet = @($subjects | Measure-AtlasDataset)
        $masks = @($subjects | Measure-AtlasDataset -FromMasks)
        $masks.Cohort | Should -Be $sheet.Cohort
        for ($i = 0; $i -lt $sheet.Count; $i++) {
            foreach ($p in 'Scans', 'OneLesionLeft', 'OneLesionRight', 'OneLesionOther', 'MultipleLesions', 'PercentOfLesions') {
                $masks[$i].$p | Should -Be $sheet[$i].$p -Because "$p of $($sheet[$i].Cohort)"
            }
            $masks[$i].CorticalLeft | Should -BeNullOrEmpty -Because 'a mask alone does not say cortical or subcortical'
        }
        # Independently: the number of scans with several mask files, by listing the files.
        $several = @(Get-ChildItem -Path $script:Sample -Recurse -Filter '*_LesionSmooth_1.nii.gz').Count
        ($masks | Where-Object Cohort -EQ 'Total').MultipleLesions | Should -Be $several
    }

    It 'shows where the sheet and the masks disagree' {
        $copy = Join-Path $TestDrive 'sample-edit'
        Copy-Item -Recurse $script:Sample $copy
        $extra = @(Get-ChildItem -Path $copy -Recurse -Filter '*_LesionSmooth_1.nii.gz')[0]
        Get-ChildItem -Path $extra.Directory | Where-Object Name -Match '_Lesion(Raw|Smooth)_\d+\.' | Remove-Item
        $cohort = $extra.Directory.Parent.Name
        $subjects = @(Get-AtlasSubject -Path $copy -WarningAction SilentlyContinue)
        $sheet = $subjects | Measure-AtlasDataset | Where-Object Cohort -EQ $cohort
        $masks = $subjects | Measure-AtlasDataset -FromMasks | Where-Object Cohort -EQ $cohort
        $masks.MultipleLesions | Should -Be ($sheet.MultipleLesions - 1)
    }

    It 'takes dataset roots with -Path' {
        $r = @(Measure-AtlasDataset -Path (Join-Path $TestDrive 'root1') -WarningAction SilentlyContinue)
        ($r | Where-Object Cohort -EQ 'Total').CorticalLeft | Should -Be 3
    }
}

Describe 'Pictures a reader understands (item 12)' {
    It 'names every mask colour of a subject''s snapshot in a legend (primary, _1 …)' {
        $s = @(Get-AtlasSubject -Path $script:Sample | Where-Object { $_.LesionFileCount -gt 1 })[0]
        $info = $s | Export-AtlasSnapshot -Destination (Join-Path $TestDrive 'snaps') -Plane Axial
        $names = @($s.LesionMaskPaths | ForEach-Object { Split-Path -Leaf $_ })
        $info.Legend | Should -BeLike "red = primary ($($names[0]))*"
        $info.Legend | Should -BeLike "*green = _1 ($($names[1]))*"
    }

    It 'gives the overlap map''s picture a colour bar with its scale: proportion, or count' {
        $masks = @(Get-AtlasSubject -Path $script:Sample | ForEach-Object { $_.LesionMaskPaths[0] })
        $map = @($masks | New-LesionOverlapMap -OutputPath (Join-Path $TestDrive 'overlap.nii.gz') -SkipMismatched -WarningAction SilentlyContinue)[0]
        $t1 = (Get-AtlasSubject -Path $script:Sample)[0].T1Path
        $p = Export-AtlasSnapshot -LiteralPath $t1 -Overlay $map.ProportionPath -Colormap Heat -Plane Axial -Destination (Join-Path $TestDrive 'map.png')
        $p.Legend | Should -Match ('^Heat 0 to ' + [regex]::Escape([string]::Format([cultureinfo]::InvariantCulture, '{0:0.##}', $map.MaxProportion)) + ' = proportion')
        $c = Export-AtlasSnapshot -LiteralPath $t1 -Overlay $map.CountPath -Colormap Heat -Plane Axial -Destination (Join-Path $TestDrive 'count.png')
        $c.Legend | Should -Match ('^Heat 0 to ' + $map.MaxCount + ' = count')
    }
}
