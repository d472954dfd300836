# Every cmdlet has help (from docs/en-US via MAML): synopsis, description, two examples, every
# parameter and nothing that does not exist, inputs and outputs. Every example runs.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Commands = @(Get-Command -Module Atlas.Psm -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
            @{ Name = $_.Name }
        })
    $script:Examples = @(foreach ($c in Get-Command -Module Atlas.Psm -CommandType Cmdlet | Sort-Object Name) {
            $i = 0
            foreach ($e in (Get-Help $c.Name -Full).examples.example) {
                $i++
                @{ Name = $c.Name; Index = $i; Code = "$($e.code)" }
            }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Help of <Name>' -ForEach $script:Commands {
    BeforeAll {
        $script:Help = Get-Help $Name -Full
        $script:Cmd = Get-Command $Name
        $script:Md = Join-Path $PSScriptRoot "../docs/en-US/$Name.md"
    }

    It 'has a markdown page in docs/en-US' { Test-Path $script:Md | Should -BeTrue }

    It 'has a synopsis and a description' {
        "$($script:Help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($script:Help.Synopsis)".Trim() | Should -Not -Match "^$Name\s*(\[|$)" -Because 'an auto-generated synopsis means the MAML was not found'
        ($script:Help.description.Text -join ' ').Trim().Length | Should -BeGreaterThan 40
    }

    It 'has at least two examples' {
        @($script:Help.examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'documents every parameter, with a description' {
        $real = $script:Cmd.Parameters.Keys | Where-Object { $_ -notin $script:Common }
        $documented = @($script:Help.parameters.parameter | ForEach-Object { $_.name })
        foreach ($p in $real) {
            $documented | Should -Contain $p -Because "parameter -$p of $Name needs help"
            $entry = $script:Help.parameters.parameter | Where-Object name -EQ $p
            ($entry.description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'gives every parameter its type and default' {
        foreach ($entry in @($script:Help.parameters.parameter)) {
            "$($entry.type.name)".Trim() | Should -Not -BeNullOrEmpty -Because "-$($entry.name) needs its type"
            "$($entry.defaultValue)".Trim() | Should -Not -BeNullOrEmpty -Because "-$($entry.name) needs its default"
        }
    }

    It 'documents no parameter that does not exist' {
        $real = @($script:Cmd.Parameters.Keys)
        foreach ($d in @($script:Help.parameters.parameter | ForEach-Object { $_.name })) {
            $real | Should -Contain $d -Because "help of $Name names -$d"
        }
    }

    It 'names its inputs and outputs' {
        ($script:Help.inputTypes.inputType.type.name -join '').Trim() | Should -Not -BeNullOrEmpty
        ($script:Help.returnValues.returnValue.type.name -join '').Trim() | Should -Not -BeNullOrEmpty
    }
}

Describe 'Examples run' {
    BeforeAll {
        $script:Sample = New-TestSampleDataset -Path (Join-Path $TestDrive 'help-sample') -SubjectCount 4
    }

    It '<Name> example <Index> runs without error' -ForEach $script:Examples {
        $SampleRoot = $script:Sample.Root
        $SampleMetadata = $script:Sample.Metadata
        $work = Join-Path $TestDrive ("ex-{0}-{1}" -f $Name, $Index)
        New-Item -ItemType Directory -Force -Path $work | Out-Null
        Push-Location $work
        try {
            $sb = [scriptblock]::Create($Code)
            # Errors the example writes (not those it silences with -ErrorAction SilentlyContinue);
            # a terminating error fails the test by itself.
            $out = @(. $sb *>&1)
            $null = $out | Out-String
            # A peer program's stderr lines (bids-validator's progress) are not errors of the module.
            $errs = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -notlike 'NativeCommandError*' })
            $errs | Should -BeNullOrEmpty -Because ("the example must run cleanly: " + ($errs | Select-Object -First 1 | Out-String))
        }
        finally { Pop-Location }
    }
}
