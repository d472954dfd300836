<#
.SYNOPSIS
    Runs Get-Help examples of the named commands as a user would paste them: in this fresh pwsh
    (started by tests/Help.Tests.ps1 with -NoProfile, one process per example), with only the module
    imported, the example in an empty folder of its own as the current location. -Index runs only that
    example (1-based), as the help test does; without it every example of the commands runs in turn, each
    in a scope of its own. Writes one record per example to -ResultFile (JSON): Name, Index, Errors (the
    messages of the error records the example wrote and of a terminating error; a native program's stderr
    lines are not errors of the module).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string[]] $Command,
    [Parameter(Mandatory)] [string] $WorkRoot,
    [Parameter(Mandatory)] [string] $ResultFile,
    [int] $Index = 0
)
Import-Module $ModulePath -ErrorAction Stop
$results = foreach ($name in $Command) {
    # Not $index: PowerShell names ignore case, so that would overwrite -Index and run every example.
    $number = 0
    foreach ($example in @((Get-Help $name -Full).examples.example)) {
        $number++
        if ($Index -gt 0 -and $number -ne $Index) { continue }
        $dir = Join-Path $WorkRoot ('{0}-{1}' -f $name, $number)
        $null = New-Item -ItemType Directory -Force -Path $dir
        $messages = @()
        Push-Location -LiteralPath $dir
        try {
            $code = [scriptblock]::Create("$($example.code)")
            $out = @(& $code *>&1)
            # Formatting runs the views, as the console would.
            $null = $out | Out-String -Width 160
            $messages = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -notlike 'NativeCommandError*' } |
                    ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" })
        }
        catch { $messages += "terminating $($_.FullyQualifiedErrorId): $($_.Exception.Message)" }
        finally { Pop-Location }
        [pscustomobject]@{ Name = $name; Index = $number; Errors = @($messages) }
    }
}
ConvertTo-Json -InputObject @($results) -Depth 4 | Set-Content -Path $ResultFile -Encoding utf8
