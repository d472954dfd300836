<#
.SYNOPSIS
    Turns PlatyPS-style markdown (docs/en-US/<Cmdlet>.md) into the MAML file Get-Help reads, and
    docs/about_Atlas.Psm.md into about_Atlas.Psm.help.txt. PlatyPS itself is not installable here;
    this reads the same layout: SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS (with the yaml
    block per parameter), INPUTS, OUTPUTS, NOTES, RELATED LINKS.
#>

function Read-HelpMarkdown {
    # Parses one help page into a hashtable: Name, Synopsis, Description, Syntax (set -> line),
    # Examples (Title, Code, Remarks), Parameters (Name, Description, Type, Sets, Aliases, Required,
    # Position, Default, Pipeline, Wildcards), Inputs, Outputs (Type, Description), Notes, Links.
    param([Parameter(Mandatory)] [string] $Path)
    $lines = (Get-Content -Raw -Path $Path) -replace "`r", '' -split "`n"
    $page = @{
        Name = $null; Synopsis = ''; Description = ''; Syntax = [ordered]@{}; Examples = @(); Parameters = @()
        Inputs = @(); Outputs = @(); Notes = ''; Links = @(); File = $Path
    }
    $i = 0
    if ($lines.Count -gt 0 -and $lines[0] -eq '---') {
        $i = 1
        while ($i -lt $lines.Count -and $lines[$i] -ne '---') { $i++ }
        $i++
    }
    $section = $null; $sub = $null
    $buffer = New-Object System.Collections.Generic.List[string]
    $inFence = $false; $fenceLang = ''; $fence = New-Object System.Collections.Generic.List[string]
    $current = $null

    $flush = {
        $text = ($buffer -join "`n").Trim()
        $buffer.Clear()
        return $text
    }

    for (; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($inFence) {
            if ($line -match '^```\s*$') {
                $inFence = $false
                $code = ($fence -join "`n")
                $fence.Clear()
                switch ($section) {
                    'SYNTAX' { if ($sub) { $page.Syntax[$sub] = $code.Trim() } }
                    'EXAMPLES' { if ($current) { $current.Code = $code.TrimEnd() } }
                    'PARAMETERS' {
                        if ($current -and $fenceLang -eq 'yaml') {
                            foreach ($y in $code -split "`n") {
                                if ($y -match '^\s*([^:]+):\s*(.*)$') { $current.Yaml[$Matches[1].Trim()] = $Matches[2].Trim() }
                            }
                        }
                    }
                }
            }
            else { $fence.Add($line) }
            continue
        }
        if ($line -match '^```(\w*)') { $inFence = $true; $fenceLang = $Matches[1]; continue }
        if ($line -match '^# (.+)$' -and -not $section) { $page.Name = $Matches[1].Trim(); continue }
        if ($line -match '^## (.+)$') {
            # Close what the previous section collected.
            $text = & $flush
            if ($current -and $section -eq 'EXAMPLES') { $current.Remarks = $text; $current = $null }
            elseif ($current -and $section -eq 'PARAMETERS') { $current.Description = $text; $current = $null }
            elseif ($current -and ($section -eq 'INPUTS' -or $section -eq 'OUTPUTS')) { $current.Description = $text; $current = $null }
            elseif ($section -eq 'SYNOPSIS') { $page.Synopsis = $text }
            elseif ($section -eq 'DESCRIPTION') { $page.Description = $text }
            elseif ($section -eq 'NOTES') { $page.Notes = $text }
            $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null
            continue
        }
        if ($line -match '^### (.+)$') {
            $title = $Matches[1].Trim()
            $text = & $flush
            switch ($section) {
                'SYNTAX' { $sub = ($title -replace '\s*\(Default\)\s*$', '') }
                'EXAMPLES' {
                    if ($current) { $current.Remarks = $text }
                    $current = @{ Title = $title; Code = ''; Remarks = '' }
                    $page.Examples += $current
                }
                'PARAMETERS' {
                    if ($current) { $current.Description = $text }
                    if ($title -eq 'CommonParameters') { $current = $null }
                    else {
                        $current = @{ Name = ($title -replace '^-', ''); Description = ''; Yaml = @{} }
                        $page.Parameters += $current
                    }
                }
                { $_ -eq 'INPUTS' -or $_ -eq 'OUTPUTS' } {
                    if ($current) { $current.Description = $text }
                    $current = @{ Type = $title; Description = '' }
                    if ($section -eq 'INPUTS') { $page.Inputs += $current } else { $page.Outputs += $current }
                }
            }
            continue
        }
        if ($section -eq 'RELATED LINKS' -and $line -match '^\s*\[([^\]]+)\]\(([^)]*)\)') {
            $page.Links += @{ Text = $Matches[1]; Uri = $Matches[2] }
            continue
        }
        $buffer.Add($line)
    }
    $text = & $flush
    if ($current -and $section -eq 'EXAMPLES') { $current.Remarks = $text }
    elseif ($current -and $section -eq 'PARAMETERS') { $current.Description = $text }
    elseif ($current -and ($section -eq 'INPUTS' -or $section -eq 'OUTPUTS')) { $current.Description = $text }
    elseif ($section -eq 'SYNOPSIS') { $page.Synopsis = $text }
    elseif ($section -eq 'DESCRIPTION') { $page.Description = $text }
    elseif ($section -eq 'NOTES') { $page.Notes = $text }
    if (-not $page.Name) { $page.Name = [IO.Path]::GetFileNameWithoutExtension($Path) }
    return $page
}

function Split-HelpParagraph([string] $Block) {
    # One markdown block as the paragraphs Get-Help prints: its lines joined, except that a list ("- ", "* ",
    # "+ ", "1. ", "1) ") gives one paragraph per item, marker kept, so it prints as a list; an item's
    # indented continuation lines join that item.
    $marker = '^\s*(?:[-*+]|\d+[.)])\s+'
    $out = New-Object System.Collections.Generic.List[string]
    $current = $null
    foreach ($line in ($Block -split "\n")) {
        $t = $line.Trim()
        if (-not $t) { continue }
        if ($line -match $marker) {
            if ($null -ne $current) { $out.Add($current) }
            $current = ($t -replace '^([-*+])\s+', '- ')
        }
        elseif ($null -ne $current) { $current += ' ' + $t }   # continuation of an item, or of the text before the list
        else { $current = $t }
    }
    if ($null -ne $current) { $out.Add($current) }
    return $out
}

function Write-Paras([System.Xml.XmlWriter] $w, [string] $text) {
    $m = 'http://schemas.microsoft.com/maml/2004/10'
    $paras = @($text -split "\n\s*\n" | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    if ($paras.Count -eq 0) { $w.WriteElementString('maml', 'para', $m, ''); return }
    foreach ($p in $paras) {
        if ($p -match '(?m)^\s*(?:[-*+]|\d+[.)])\s+') {
            foreach ($item in (Split-HelpParagraph $p)) { $w.WriteElementString('maml', 'para', $m, $item) }
        }
        else { $w.WriteElementString('maml', 'para', $m, (($p -split "\n") -join ' ')) }
    }
}

function Write-MamlParameter([System.Xml.XmlWriter] $w, $p) {
    $m = 'http://schemas.microsoft.com/maml/2004/10'
    $c = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $d = 'http://schemas.microsoft.com/maml/dev/2004/10'
    $y = $p.Yaml
    $type = if ($y['Type']) { $y['Type'] } else { 'Object' }
    $w.WriteStartElement('command', 'parameter', $c)
    $w.WriteAttributeString('required', ($(if ($y['Required'] -eq 'True') { 'true' } else { 'false' })))
    $w.WriteAttributeString('variableLength', ($(if ($type -match '\[\]$') { 'true' } else { 'false' })))
    $w.WriteAttributeString('globbing', ($(if ($y['Accept wildcard characters'] -eq 'True') { 'true' } else { 'false' })))
    $w.WriteAttributeString('pipelineInput', ($(if ($y['Accept pipeline input']) { $y['Accept pipeline input'] } else { 'False' })))
    $w.WriteAttributeString('position', ($(if ($y['Position'] -and $y['Position'] -ne 'Named') { $y['Position'] } else { 'named' })))
    $w.WriteAttributeString('aliases', ($(if ($y['Aliases']) { $y['Aliases'] } else { 'none' })))
    $w.WriteElementString('maml', 'name', $m, $p.Name)
    $w.WriteStartElement('maml', 'description', $m); Write-Paras $w $p.Description; $w.WriteEndElement()
    if ($type -ne 'SwitchParameter') {
        # A switch has no value; Get-Help then shows it as [-Name].
        $w.WriteStartElement('command', 'parameterValue', $c)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', 'false')
        $w.WriteString($type)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $d); $w.WriteElementString('maml', 'name', $m, $type); $w.WriteElementString('maml', 'uri', $m, ''); $w.WriteEndElement()
    $w.WriteElementString('dev', 'defaultValue', $d, ($(if ($y['Default value']) { $y['Default value'] } else { 'None' })))
    $w.WriteEndElement()
}

function ConvertTo-MamlHelp {
    param(
        [Parameter(Mandatory)] [string] $MarkdownFolder,
        [Parameter(Mandatory)] [string] $OutputFile
    )
    $m = 'http://schemas.microsoft.com/maml/2004/10'
    $c = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $d = 'http://schemas.microsoft.com/maml/dev/2004/10'
    $settings = New-Object System.Xml.XmlWriterSettings
    $settings.Indent = $true
    $settings.Encoding = New-Object System.Text.UTF8Encoding($false)
    $tmp = "$OutputFile.tmp"
    $w = [System.Xml.XmlWriter]::Create($tmp, $settings)
    try {
        $w.WriteStartDocument()
        $w.WriteStartElement('helpItems', 'http://msh')
        $w.WriteAttributeString('schema', 'maml')
        foreach ($file in Get-ChildItem -Path $MarkdownFolder -Filter '*-*.md' | Sort-Object Name) {
            $page = Read-HelpMarkdown -Path $file.FullName
            $verb, $noun = $page.Name -split '-', 2
            $w.WriteStartElement('command', 'command', $c)
            $w.WriteAttributeString('xmlns', 'maml', $null, $m)
            $w.WriteAttributeString('xmlns', 'command', $null, $c)
            $w.WriteAttributeString('xmlns', 'dev', $null, $d)
            $w.WriteStartElement('command', 'details', $c)
            $w.WriteElementString('command', 'name', $c, $page.Name)
            $w.WriteElementString('command', 'verb', $c, $verb)
            $w.WriteElementString('command', 'noun', $c, $noun)
            $w.WriteStartElement('maml', 'description', $m); Write-Paras $w $page.Synopsis; $w.WriteEndElement()
            $w.WriteEndElement()
            $w.WriteStartElement('maml', 'description', $m); Write-Paras $w $page.Description; $w.WriteEndElement()

            $w.WriteStartElement('command', 'syntax', $c)
            $sets = @($page.Syntax.Keys)
            if ($sets.Count -eq 0) { $sets = @('__AllParameterSets') }
            foreach ($set in $sets) {
                $w.WriteStartElement('command', 'syntaxItem', $c)
                $w.WriteElementString('maml', 'name', $m, $page.Name)
                foreach ($p in $page.Parameters) {
                    $ps = "$($p.Yaml['Parameter Sets'])"
                    $inSet = (-not $ps) -or $ps -eq '(All)' -or (($ps -split ',\s*') -contains $set) -or $set -eq '__AllParameterSets'
                    if ($inSet) { Write-MamlParameter $w $p }
                }
                $w.WriteEndElement()
            }
            $w.WriteEndElement()

            $w.WriteStartElement('command', 'parameters', $c)
            foreach ($p in $page.Parameters) { Write-MamlParameter $w $p }
            $w.WriteEndElement()

            foreach ($kind in @(@('inputTypes', 'inputType', $page.Inputs), @('returnValues', 'returnValue', $page.Outputs))) {
                $w.WriteStartElement('command', $kind[0], $c)
                foreach ($t in $kind[2]) {
                    $w.WriteStartElement('command', $kind[1], $c)
                    $w.WriteStartElement('dev', 'type', $d); $w.WriteElementString('maml', 'name', $m, $t.Type); $w.WriteEndElement()
                    $w.WriteStartElement('maml', 'description', $m); Write-Paras $w $t.Description; $w.WriteEndElement()
                    $w.WriteEndElement()
                }
                $w.WriteEndElement()
            }

            $w.WriteStartElement('maml', 'alertSet', $m)
            $w.WriteStartElement('maml', 'alert', $m); Write-Paras $w $page.Notes; $w.WriteEndElement()
            $w.WriteEndElement()

            $w.WriteStartElement('command', 'examples', $c)
            foreach ($e in $page.Examples) {
                $w.WriteStartElement('command', 'example', $c)
                $w.WriteElementString('maml', 'title', $m, "-------------------------- $($e.Title) --------------------------")
                $w.WriteElementString('dev', 'code', $d, $e.Code)
                $w.WriteStartElement('dev', 'remarks', $d); Write-Paras $w $e.Remarks; $w.WriteEndElement()
                $w.WriteEndElement()
            }
            $w.WriteEndElement()

            $w.WriteStartElement('command', 'relatedLinks', $c)
            foreach ($l in $page.Links) {
                $w.WriteStartElement('maml', 'navigationLink', $m)
                $w.WriteElementString('maml', 'linkText', $m, $l.Text)
                $w.WriteElementString('maml', 'uri', $m, $(if ($l.Uri -match '^https?:') { $l.Uri } else { '' }))
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteEndDocument()
    }
    finally { $w.Dispose() }
    Move-Item -Force $tmp $OutputFile
}

function ConvertTo-AboutHelp {
    # about_ topics are plain text: headings in capitals, text indented by four spaces.
    param(
        [Parameter(Mandatory)] [string] $MarkdownFile,
        [Parameter(Mandatory)] [string] $OutputFile
    )
    $out = New-Object System.Collections.Generic.List[string]
    $inFence = $false
    foreach ($line in ((Get-Content -Raw $MarkdownFile) -replace "`r", '' -split "`n")) {
        if ($line -match '^```') { $inFence = -not $inFence; continue }
        if ($inFence) { $out.Add('        ' + $line); continue }
        if ($line -match '^#\s+(.+)$') { $out.Add('TOPIC'); $out.Add('    ' + $Matches[1].Trim()); continue }
        if ($line -match '^#{2,}\s+(.+)$') { $out.Add(''); $out.Add($Matches[1].Trim().ToUpperInvariant()); continue }
        if ($line.Trim() -eq '') { $out.Add(''); continue }
        $out.Add('    ' + ($line -replace '`', ''))
    }
    Set-Content -Path $OutputFile -Value ($out -join [Environment]::NewLine) -Encoding utf8
}
