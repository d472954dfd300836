# The README's own example runs as written (issue 11): in a fresh pwsh, in an empty folder, against the
# sample dataset it makes. The one change is the Import-Module line, which names the module under test
# instead of ./out/Atlas.Psm (the README's path from the repository root).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../README.md')
    $section = $readme.Substring($readme.IndexOf('## Use the built module'))
    $script:Code = [regex]::Match($section, '```powershell\r?\n(.*?)```', 'Singleline').Groups[1].Value
    $script:Work = Join-Path $TestDrive 'readme'
    $null = New-Item -ItemType Directory -Path $script:Work
    $module = Get-AtlasModuleUnderTestPath
    $run = $script:Code -replace '(?m)^Import-Module \./out/Atlas\.Psm/Atlas\.Psm\.psd1\s*$', "Import-Module '$module'"
    Set-Content -Path (Join-Path $TestDrive 'readme.ps1') -Value ("`$ErrorActionPreference = 'Stop'`nSet-Location -LiteralPath '$($script:Work)'`n" + $run) -Encoding utf8
    $script:Lines = Invoke-ChildPwsh -Arguments @('-File', (Join-Path $TestDrive 'readme.ps1'))
    $script:Exit = $LASTEXITCODE
}

Describe 'The README example' {
    It 'imports the module from the build folder, as a user of the repository would' {
        $script:Code | Should -Match '(?m)^Import-Module \./out/Atlas\.Psm/Atlas\.Psm\.psd1'
    }

    It 'runs as written against the sample dataset' {
        $script:Exit | Should -Be 0 -Because ($script:Lines | Out-String)
    }

    It 'writes the overlap of the left-hemisphere scans with several lesions' {
        $rows = @(Import-Csv (Join-Path $script:Work 'overlap.csv'))
        $rows.Count | Should -BeGreaterThan 0
        $rows | ForEach-Object { [double]$_.Dice | Should -BeGreaterThan 0.5 }
        $expected = @(Get-Content -Raw (Join-Path $script:Work 'atlas-sample/ATLAS_sample_metadata.csv') | ConvertFrom-Csv |
                Where-Object { $_.'Primary Stroke Location Hemisphere' -eq 'Left' -and ([int]$_.'# Strokes LH Cortical' + [int]$_.'# Strokes LH subcortical' + [int]$_.'# Strokes RH Cortical' + [int]$_.'# Strokes RH subcortical') -gt 1 })
        $rows.Count | Should -Be $expected.Count -Because 'one row per scan the sheet calls left with several lesions'
    }

    It 'prints the paper''s tables with a Total row, every column of each under its property name' {
        $text = ($script:Lines | Out-String) -replace "\e\[[0-9;]*m", ''
        # Table 1, then Table 2: each header line has all its columns (none cut by the window), and each table a Total row.
        $text | Should -Match '(?m)^Cohort\s+Scans\s+OneLesionLeft\s+OneLesionRight\s+OneLesionOther\s+MultipleLesions\s*$'
        $text | Should -Match '(?m)^Cohort\s+CorticalLeft\s+CorticalRight\s+SubcorticalLeft\s+SubcorticalRight\s+OtherLesions\s*$'
        @([regex]::Matches($text, '(?m)^Total(\s+\d+){5}\s*$')).Count | Should -Be 2 -Because 'Table 1 and Table 2 each end with a Total row of five counts'
    }

    It 'Table 1 fits an 80-column window' {
        $module = Get-AtlasModuleUnderTestPath
        $cmd = "Import-Module '$module'; Get-AtlasSubject '$(Join-Path $script:Work 'atlas-sample')' | Measure-AtlasDataset | Format-Table | Out-String -Width 80"
        $text = (@(Invoke-ChildPwsh @('-Command', $cmd)) -join "`n") -replace "\e\[[0-9;]*m", ''
        $text | Should -Match '(?m)^Cohort\s+Scans\s+OneLesionLeft\s+OneLesionRight\s+OneLesionOther\s+MultipleLesions\s*$'
    }
}
