# Every cmdlet has help (from docs/en-US via MAML): synopsis, description, two examples, every
# parameter and nothing that does not exist, inputs and outputs; lists print as lists. Every example runs as
# written: in a fresh pwsh per help file, with only the module imported, each in an empty folder of its own.
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

Describe 'Markdown lists stay lists' {
    It '<Name>: every list item of the page starts a line of Get-Help -Full' -ForEach $script:Commands {
        $md = Join-Path $PSScriptRoot "../docs/en-US/$Name.md"
        $inFence = $false
        $items = foreach ($line in (Get-Content $md)) {
            if ($line -match '^```') { $inFence = -not $inFence; continue }
            if (-not $inFence -and $line -match '^\s*[-*+]\s+(\S+(?:\s+\S+){0,2})') { $Matches[1] -replace '`', '' }
        }
        $text = (Get-Help $Name -Full | Out-String -Width 400) -split "`r?`n" | ForEach-Object { $_.Trim() }
        foreach ($item in $items) {
            @($text | Where-Object { $_.StartsWith('- ' + $item) }).Count | Should -BeGreaterThan 0 -Because "the item '$item …' must print as a list item"
        }
    }
}

Describe 'Examples run as written: each example in a fresh pwsh of its own, in an empty folder' {
    BeforeAll {
        # Only the module imported, no variable of the test, no sample made for the example: what a user pastes.
        $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('atlas-help-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Work
        $runner = Join-Path $PSScriptRoot 'Invoke-HelpExamples.ps1'
        $module = Get-AtlasModuleUnderTestPath
        # One process per example: no module state (a dataset read, a variable, a location) reaches the next.
        $jobs = foreach ($cmd in @(Get-Command -Module Atlas.Psm -CommandType Cmdlet | Sort-Object Name)) {
            $n = @((Get-Help $cmd.Name -Full).examples.example).Count
            for ($i = 1; $i -le $n; $i++) { '{0}#{1}' -f $cmd.Name, $i }
        }
        $queue = [System.Collections.Generic.Queue[string]]::new([string[]]@($jobs))
        $running = @{}
        $script:Results = @{}
        $script:ChildErrors = @{}
        # Two at a time: the machine has two cores.
        while ($queue.Count -gt 0 -or $running.Count -gt 0) {
            while ($queue.Count -gt 0 -and $running.Count -lt 2) {
                $name = $queue.Dequeue()
                $cmdName, $index = $name -split '#'
                $base = Join-Path $script:Work ($name -replace '#', '-')
                $null = New-Item -ItemType Directory -Path "$base.examples"
                $running[$name] = @{
                    Process = Invoke-ChildPwsh -Start -OutputBase $base -Arguments @('-File', $runner, '-ModulePath', $module, '-Command', $cmdName,
                        '-Index', $index, '-WorkRoot', "$base.examples", '-ResultFile', "$base.json")
                    Started = [DateTime]::UtcNow
                }
            }
            Start-Sleep -Milliseconds 200
            foreach ($name in @($running.Keys)) {
                $p = $running[$name].Process
                $late = ([DateTime]::UtcNow - $running[$name].Started).TotalSeconds -gt 600
                if (-not $p.HasExited -and -not $late) { continue }
                if (-not $p.HasExited) { $p.Kill(); $script:ChildErrors[$name] = 'the example did not finish within 600 s' }
                $base = Join-Path $script:Work ($name -replace '#', '-')
                if (Test-Path "$base.json") { foreach ($r in @(Get-Content -Raw "$base.json" | ConvertFrom-Json)) { $script:Results["$($r.Name)#$($r.Index)"] = $r } }
                elseif (-not $script:ChildErrors[$name]) { $script:ChildErrors[$name] = 'the example runner wrote no result: ' + (Get-Content -Raw "$base.err" -ErrorAction SilentlyContinue) }
                $running.Remove($name)
            }
        }
    }

    AfterAll { Remove-Item -LiteralPath $script:Work -Recurse -Force -ErrorAction SilentlyContinue }

    It '<Name> example <Index> runs without error' -ForEach $script:Examples {
        $script:ChildErrors["$Name#$Index"] | Should -BeNullOrEmpty
        $r = $script:Results["$Name#$Index"]
        $r | Should -Not -BeNullOrEmpty -Because 'the runner reports every example'
        @($r.Errors) -join "`n" | Should -BeNullOrEmpty -Because "the example must run as written:`n$Code"
    }

    It '<Name> example <Index> needs nothing from the test session' -ForEach $script:Examples {
        $Code | Should -Not -Match '\$(TestDrive|SampleRoot|SampleMetadata)\b'
    }
}
