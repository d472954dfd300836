# The study as a SLURM job array (docs/examples/slurm): -Shard FromEnvironment, the merge's refusal of an
# incomplete set, and, where SLURM's daemons are installed and we are root, a private one-node cluster
# that runs submit.sh, is compared with a single-process run, has a running task killed (scancel) and
# recovers, and remakes only the shard of a stale input.
BeforeAll {
    $missing = @('munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo') | Where-Object { -not (Get-Command $_ -ErrorAction SilentlyContinue) }
    $script:ClusterSkip = if ($missing) { "SLURM is not installed (missing: $($missing -join ', '); Debian: slurmctld slurmd slurm-client munge)" }
    elseif (-not ($IsLinux -and ((& id -u) -eq '0'))) { 'the one-node SLURM cluster must be started as root' } else { $null }

    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:SlurmDir = (Resolve-Path (Join-Path $PSScriptRoot '../docs/examples/slurm')).ProviderPath
    $script:ModulePath = (Get-Module Atlas.Psm).Path -replace '\.dll$', '.psd1'
    $exe = Join-Path $PSHOME 'pwsh'
    $script:PwshCommand = if (Test-Path $exe) { $exe } else { "dotnet $(Join-Path $PSHOME 'pwsh.dll')" }

    function Set-StudyEnvironment([string] $Root, [string] $Out, [string] $Template, [string] $Mask, [int] $Shards) {
        $env:ATLAS_ROOT = $Root; $env:ATLAS_OUT = $Out; $env:ATLAS_TEMPLATE = $Template
        $env:ATLAS_TEMPLATE_MASK = $Mask; $env:ATLAS_SHARDS = "$Shards"; $env:ATLAS_METADATA = ''
        $env:ATLAS_PSM_MODULE = $script:ModulePath; $env:ATLAS_PWSH = $script:PwshCommand
    }
    function Clear-StudyEnvironment {
        foreach ($n in 'ATLAS_ROOT', 'ATLAS_OUT', 'ATLAS_TEMPLATE', 'ATLAS_TEMPLATE_MASK', 'ATLAS_SHARDS', 'ATLAS_METADATA', 'ATLAS_PWSH',
            'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_STEP') {
            Remove-Item "env:$n" -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Get-AtlasSubject -Shard FromEnvironment' {
    BeforeAll {
        $script:Root = Join-Path $TestDrive 'ds'
        $null = New-AtlasSampleDataset -Destination $script:Root -SubjectCount 6 -Seed 3
    }
    AfterEach { Clear-StudyEnvironment }

    It 'takes task <Id> of --array=<Array> as shard <Index> of <Count>' -ForEach @(
        @{ Array = '0-2'; Id = 2; Min = 0; Step = 1; Count = 3; Index = 2 }
        @{ Array = '1-3'; Id = 1; Min = 1; Step = 1; Count = 3; Index = 0 }
        @{ Array = '0-4:2'; Id = 4; Min = 0; Step = 2; Count = 3; Index = 2 }
    ) {
        $env:SLURM_ARRAY_TASK_ID = "$Id"; $env:SLURM_ARRAY_TASK_COUNT = "$Count"
        $env:SLURM_ARRAY_TASK_MIN = "$Min"; $env:SLURM_ARRAY_TASK_STEP = "$Step"
        $fromEnv = @(Get-AtlasSubject -Path $script:Root -Shard FromEnvironment | ForEach-Object ScanId)
        $given = @(Get-AtlasSubject -Path $script:Root -ShardIndex $Index -ShardCount $Count | ForEach-Object ScanId)
        $fromEnv | Should -Be $given
    }

    It 'the shards of the environment partition the scans' {
        $all = @(Get-AtlasSubject -Path $script:Root | ForEach-Object ScanId | Sort-Object)
        $env:SLURM_ARRAY_TASK_COUNT = '3'; $env:SLURM_ARRAY_TASK_MIN = '0'
        $union = foreach ($i in 0..2) { $env:SLURM_ARRAY_TASK_ID = "$i"; Get-AtlasSubject -Path $script:Root -Shard FromEnvironment | ForEach-Object ScanId }
        @($union | Sort-Object) | Should -Be $all
        @($union | Sort-Object -Unique).Count | Should -Be $all.Count
    }

    It 'a missing SLURM_ARRAY_TASK_ID is an InvalidArgument error naming it' {
        $env:SLURM_ARRAY_TASK_COUNT = '3'
        $err = { Get-AtlasSubject -Path $script:Root -Shard FromEnvironment } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ShardEnvironmentInvalid*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike '*SLURM_ARRAY_TASK_ID is not set*'
    }

    It 'an out-of-range task is an error naming the count' {
        $env:SLURM_ARRAY_TASK_ID = '3'; $env:SLURM_ARRAY_TASK_COUNT = '3'
        $err = { Get-AtlasSubject -Path $script:Root -Shard FromEnvironment } | Should -Throw -PassThru
        $err.Exception.Message | Should -BeLike '*outside the 3 shards*'
    }

    It 'cannot be combined with -ShardIndex' {
        $env:SLURM_ARRAY_TASK_ID = '0'; $env:SLURM_ARRAY_TASK_COUNT = '3'
        $err = { Get-AtlasSubject -Path $script:Root -Shard FromEnvironment -ShardIndex 1 -ShardCount 3 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ShardParametersConflict*'
    }
}

Describe 'The SLURM merge script' {
    AfterEach { Clear-StudyEnvironment }

    It 'refuses an incomplete set of shards, naming the missing one' {
        $out = Join-Path $TestDrive 'incomplete'
        New-Item -ItemType Directory -Force -Path (Join-Path $out 'shards/shard_0000'), (Join-Path $out 'logs') | Out-Null
        Set-Content -LiteralPath (Join-Path $out 'shards/shard_0000/done.json') -Value '{}'
        Set-Content -LiteralPath (Join-Path $out 'shards/shard_0000/lesions.csv') -Value ''
        Set-StudyEnvironment -Root $TestDrive -Out $out -Template 't.nii.gz' -Mask 'm.nii.gz' -Shards 3
        $text = Invoke-ChildPwsh @('-File', (Join-Path $script:SlurmDir 'merge.ps1'))
        $LASTEXITCODE | Should -Not -Be 0
        ($text -join "`n") | Should -BeLike '*Shard 1 of 3 is missing or incomplete*'
        Test-Path (Join-Path $out 'lesion_report.csv') | Should -BeFalse
    }

    It 'submit.sh rejects a bad --shards before submitting anything' {
        $text = & bash (Join-Path $script:SlurmDir 'submit.sh') --root $TestDrive --out (Join-Path $TestDrive 'o') --template $PSCommandPath --template-mask $PSCommandPath --shards 0 2>&1
        $LASTEXITCODE | Should -Be 2
        ($text -join "`n") | Should -BeLike '*--shards must be a whole number*'
    }
}

Describe 'The study on a one-node SLURM cluster' -Tag 'Slurm' {
    BeforeAll {
        if ($script:ClusterSkip) { return }
        $script:Cluster = Join-Path ([IO.Path]::GetTempPath()) ('atlas-slurm-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $c = $script:Cluster
        New-Item -ItemType Directory -Force -Path "$c/state", "$c/spool", "$c/log", "$c/munge" | Out-Null
        $bytes = [byte[]]::new(1024); [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
        [IO.File]::WriteAllBytes("$c/munge/munge.key", $bytes)
        & chmod 700 "$c/munge"; & chmod 400 "$c/munge/munge.key"
        & munged --key-file="$c/munge/munge.key" --socket="$c/munge/munge.socket" --pid-file="$c/munge/munged.pid" `
            --log-file="$c/munge/munged.log" --seed-file="$c/munge/seed" --force
        $hostName = (& hostname -s).Trim()
        $port = 20000 + (Get-Random -Minimum 0 -Maximum 4000) * 2
        @"
ClusterName=atlastest
SlurmctldHost=$hostName(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$($port + 1)
AuthType=auth/munge
AuthInfo=socket=$c/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$c/state
SlurmdSpoolDir=$c/spool
SlurmctldPidFile=$c/slurmctld.pid
SlurmdPidFile=$c/slurmd.pid
SlurmctldLogFile=$c/log/slurmctld.log
SlurmdLogFile=$c/log/slurmd.log
SlurmUser=root
SlurmdUser=root
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$hostName NodeAddr=127.0.0.1 CPUs=$([Environment]::ProcessorCount) RealMemory=8000 State=UNKNOWN
PartitionName=atlas Nodes=$hostName Default=YES MaxTime=INFINITE State=UP
"@ | Set-Content -LiteralPath "$c/slurm.conf"
        $env:SLURM_CONF = "$c/slurm.conf"
        & slurmctld
        & slurmd -N $hostName
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        do { Start-Sleep -Milliseconds 500; $state = (& sinfo -h -o '%T' 2>$null) -join '' } until ($state -match '^idle' -or [DateTime]::UtcNow -gt $deadline)
        if ($state -notmatch '^idle') { throw "The one-node SLURM cluster did not become idle within 60 s (state '$state'; logs in $c/log)." }

        # A native dataset with phantom scans, and the template they were moved from. The sample's ScanIds
        # hash (Get-AtlasSubject's FNV-1a shards) so that 2 shards hold c0001s0001t01 and c0002s0001t01
        # apart; its third scan, c0002s0001t02, is dropped (folder and metadata row) because every scan
        # costs a registration (about 45 CPU-seconds, docs/scale.md) and one scan per shard is enough to
        # merge two non-empty partial results. The It below asserts the membership, so a change of the
        # sample or of the hash cannot silently leave a shard empty.
        $script:Root = Join-Path $TestDrive 'native'
        $script:Sample = New-AtlasSampleDataset -Destination $script:Root -SubjectCount 2 -Seed 11 -Standardization
        Remove-Item -LiteralPath (Join-Path $script:Root 'c0002/c0002s0001t02') -Recurse -Force
        $meta = $script:Sample.MetadataPath
        Set-Content -LiteralPath $meta -Value @(Get-Content -LiteralPath $meta | Where-Object { $_ -notmatch '^c0002s0001,.*,t02,' })
        $script:Template = $script:Sample.TemplatePath
        $script:TemplateMask = $script:Sample.TemplateMaskPath
        $script:Out = Join-Path $TestDrive 'study'
        $script:Shards = 2
        $script:Members = @(foreach ($i in 0..($script:Shards - 1)) {
                , @(Get-AtlasSubject -Path $script:Root -ShardIndex $i -ShardCount $script:Shards | ForEach-Object ScanId) })

        # The same pipeline in one process: the reference the cluster's merged results must equal.
        $script:Single = Join-Path $TestDrive 'single'
        $std = Join-Path $script:Single 'standard'
        $null = Get-AtlasSubject -Path $script:Root | ConvertTo-AtlasStandardSpace -Template $script:Template -TemplateMask $script:TemplateMask -Destination $std
        $subjects = @(Get-AtlasSubject -Path $std)
        # As text, the way the shards write their rows (ConvertTo-Csv), then read back as strings.
        $script:SingleRows = @(foreach ($kind in 'LesionRaw', 'LesionSmooth') { $subjects | Measure-Lesion -MaskKind $kind }) |
            ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $script:SingleCount = Join-Path $script:Single 'count.nii.gz'
        $null = $subjects | New-LesionOverlapMap -OutputPath (Join-Path $script:Single 'proportion.nii.gz') -CountPath $script:SingleCount

        $env:ATLAS_PSM_MODULE = $script:ModulePath
        $env:ATLAS_PWSH = $script:PwshCommand
        $submitArgs = @((Join-Path $script:SlurmDir 'submit.sh'), '--root', $script:Root, '--out', $script:Out, '--template', $script:Template,
            '--template-mask', $script:TemplateMask, '--shards', "$script:Shards", '--time', '00:20:00', '--mem', '2G')
        function Invoke-Submit {
            $text = & bash @submitArgs 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($text -join "`n") }
        }
        function Get-OutputFile {
            # Every file under the study's output but the logs, with its time.
            @(Get-ChildItem -LiteralPath $script:Out -Recurse -File -Force | Where-Object { $_.FullName -notlike "$script:Out/logs/*" } |
                ForEach-Object { [pscustomobject]@{ Path = $_.FullName; Time = $_.LastWriteTimeUtc } })
        }

        # 1. The first submit.sh, in the background; once shard 0's task is RUNNING and has started on
        #    its scan, the task is killed with SIGKILL through the scheduler (scancel --full also kills
        #    the batch shell and PowerShell under it), as a lost node or the OOM killer would.
        $script:Victim = 0
        $log = Join-Path $TestDrive 'submit-1.log'
        $psi = [Diagnostics.ProcessStartInfo]::new('bash')
        foreach ($a in @('-c', 'exec bash "$@" >"$0" 2>&1', $log) + $submitArgs) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $script:Background = [Diagnostics.Process]::Start($psi)
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        $jobId = $null
        while (-not $jobId -and [DateTime]::UtcNow -lt $deadline -and -not $script:Background.HasExited) {
            Start-Sleep -Milliseconds 250
            if ((Test-Path $log) -and (Get-Content -Raw $log) -match 'as job array (\d+)') { $jobId = $Matches[1] }
        }
        if (-not $jobId) { throw "submit.sh did not submit the array within 120 s: $(Get-Content -Raw $log -ErrorAction SilentlyContinue)" }
        $task = "${jobId}_$script:Victim"
        $taskLog = Join-Path $script:Out "logs/shard_$script:Victim.log"
        do {
            Start-Sleep -Milliseconds 250
            $script:StateAtKill = (& squeue -h -j $task -o '%T' 2>$null) -join ''
            $started = (Test-Path $taskLog) -and ((Get-Content -Raw $taskLog) -match "Shard $script:Victim of $script:Shards")
        } until (($script:StateAtKill -eq 'RUNNING' -and $started) -or [DateTime]::UtcNow -gt $deadline)
        & scancel --full --signal=KILL $task
        $script:Background.WaitForExit()
        $script:First = [pscustomobject]@{ ExitCode = $script:Background.ExitCode; Text = (Get-Content -Raw $log); JobId = $jobId }
        $script:AfterFirst = Get-OutputFile

        # 2. Run again: only the killed shard is missing.
        $script:Second = Invoke-Submit
        $script:AfterSecond = Get-OutputFile

        # 3. A stale input: the T1 of shard 1's scan is touched; only shard 1 is remade.
        $script:StaleScan = Get-AtlasSubject -Path $script:Root -ShardIndex 1 -ShardCount $script:Shards | Select-Object -First 1
        (Get-Item -LiteralPath $script:StaleScan.T1Path).LastWriteTimeUtc = [DateTime]::UtcNow
        $script:Third = Invoke-Submit
        $script:AfterThird = Get-OutputFile

        # 4. Over finished outputs: nothing to do.
        $script:Fourth = Invoke-Submit
    }

    AfterAll {
        # A submit.sh still running in the background (a failure above), then every job of this private
        # cluster (its tasks' slurmstepd and PowerShell outlive slurmd), then exactly the daemons this test
        # started, by their pid files.
        if ($script:Background -and -not $script:Background.HasExited) { $script:Background.Kill($true); $script:Background.WaitForExit(10000) }
        if ($env:SLURM_CONF -and (Test-Path "$script:Cluster/slurmctld.pid")) {
            & scancel --full --signal=KILL --partition=atlas 2>$null
            & scancel --partition=atlas 2>$null
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((& squeue -h -o '%i' 2>$null) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 500 }
        }
        foreach ($pidFile in "$script:Cluster/slurmd.pid", "$script:Cluster/slurmctld.pid", "$script:Cluster/munge/munged.pid") {
            if (Test-Path $pidFile) {
                $daemon = [int](Get-Content -Raw $pidFile).Trim()
                Stop-Process -Id $daemon -ErrorAction SilentlyContinue
                Wait-Process -Id $daemon -Timeout 10 -ErrorAction SilentlyContinue
            }
        }
        Remove-Item env:SLURM_CONF -ErrorAction SilentlyContinue
        Clear-StudyEnvironment
        if ($script:Cluster -and (Test-Path $script:Cluster)) { Remove-Item -Recurse -Force $script:Cluster }
    }

    It 'the dataset puts scans in every one of the 2 shards' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:Members.Count | Should -Be $script:Shards
        foreach ($i in 0..($script:Shards - 1)) { $script:Members[$i].Count | Should -BeGreaterThan 0 -Because "shard $i must not be empty" }
        @($script:Members | ForEach-Object { $_ } | Sort-Object) | Should -Be @(Get-AtlasSubject -Path $script:Root | ForEach-Object ScanId | Sort-Object)
    }

    It 'the first submission is the whole range 0-(N-1)' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:First.Text | Should -BeLike "*Submitted shard tasks 0-$($script:Shards - 1) of $script:Shards as job array*"
    }

    It 'a task killed while running fails submit.sh, naming the task and its log' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:StateAtKill | Should -Be 'RUNNING'
        $script:First.ExitCode | Should -Be 1 -Because $script:First.Text
        $script:First.Text | Should -Match "shard task $script:Victim of job $($script:First.JobId) failed"
        $script:First.Text | Should -BeLike "*log: $script:Out/logs/shard_$script:Victim.log*"
        $script:First.Text | Should -Not -Match 'shard task 1 of job'
    }

    It 'the killed shard leaves no partial output, and no merged file is written' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $paths = @($script:AfterFirst | ForEach-Object Path)
        @($paths | Where-Object { $_ -like "$script:Out/shards/shard_0000/*" -or $_ -like "$script:Out/shards/.shard_0000*" }) | Should -BeNullOrEmpty
        @($paths | Where-Object { (Split-Path -Leaf $_) -match '^\..+\.[0-9a-f]{8}\.tmp$' }) | Should -BeNullOrEmpty -Because 'no half-written file may remain'
        $paths | Should -Contain "$script:Out/shards/shard_0001/done.json"
        $paths | Should -Not -Contain "$script:Out/lesion_report.csv"
    }

    It 'submit.sh run again resubmits only the killed shard and completes' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:Second.ExitCode | Should -Be 0 -Because $script:Second.Text
        $script:Second.Text | Should -BeLike "*Submitted shard tasks 0 of $script:Shards as job array*"
        foreach ($f in $script:AfterFirst | Where-Object Path -Like "$script:Out/shards/shard_0001/*") {
            ($script:AfterSecond | Where-Object Path -EQ $f.Path).Time | Should -Be $f.Time -Because "$($f.Path) belongs to the shard that finished"
        }
    }

    It 'a stale input makes submit.sh resubmit only its shard' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:Third.ExitCode | Should -Be 0 -Because $script:Third.Text
        $script:Third.Text | Should -BeLike "*Submitted shard tasks 1 of $script:Shards as job array*"
        $script:Third.Text | Should -BeLike '*Submitted merge job*'
        # Shard 0's files and its scan's standardized files are untouched; shard 1's stamp is new.
        $other = $script:Members[0][0]
        $kept = @($script:AfterSecond | Where-Object { $_.Path -like "$script:Out/shards/shard_0000/*" -or $_.Path -like "*/standard/*/$other/*" })
        $kept.Count | Should -BeGreaterThan 3
        foreach ($f in $kept) { ($script:AfterThird | Where-Object Path -EQ $f.Path).Time | Should -Be $f.Time -Because $f.Path }
        $stamp = "$script:Out/shards/shard_0001/done.json"
        ($script:AfterThird | Where-Object Path -EQ $stamp).Time | Should -BeGreaterThan ($script:AfterSecond | Where-Object Path -EQ $stamp).Time
    }

    It 'each shard made a non-empty partial result of its own scans' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        foreach ($i in 0..($script:Shards - 1)) {
            $folder = Join-Path $script:Out ('shards/shard_{0:d4}' -f $i)
            Test-Path (Join-Path $folder 'overlap_partial.nii.gz') | Should -BeTrue
            @(Import-Csv (Join-Path $folder 'lesions.csv') | ForEach-Object ScanId | Sort-Object -Unique) | Should -Be @($script:Members[$i] | Sort-Object)
        }
    }

    It 'the merged lesion report has the rows of a single-process run, column by column' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $file = Join-Path $script:Out 'lesion_report.csv'
        (Get-Content $file -TotalCount 1) | Should -BeLike '"SubjectId",*'
        $merged = @(Import-Csv $file)
        $columns = @($merged[0].PSObject.Properties.Name)
        @($columns | Sort-Object) | Should -Be @($script:SingleRows[0].PSObject.Properties.Name | Sort-Object)
        # Every column compared as written (text, so numbers must agree to the last digit), except that
        # MaskPath is absolute and the two runs wrote under different folders (<out>/standard and
        # <single>/standard): it is compared relative to its run's standard folder.
        function ConvertTo-RowText($Row, [string] $StandardRoot) {
            ($columns | ForEach-Object {
                    $v = $Row.$_
                    if ($_ -eq 'MaskPath') { $v = [IO.Path]::GetRelativePath($StandardRoot, $v) }
                    "$_=$v"
                }) -join '|'
        }
        $a = @($merged | ForEach-Object { ConvertTo-RowText $_ (Join-Path $script:Out 'standard') } | Sort-Object)
        $b = @($script:SingleRows | ForEach-Object { ConvertTo-RowText $_ (Join-Path $script:Single 'standard') } | Sort-Object)
        $a.Count | Should -BeGreaterThan 0
        $a | Should -Be $b
    }

    It 'the merged count map is identical to the single-process one' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $a = Import-AtlasVolume -LiteralPath (Join-Path $script:Out 'overlap_count.nii.gz')
        $b = Import-AtlasVolume -LiteralPath $script:SingleCount
        $a.Grid.Matches($b.Grid) | Should -BeTrue
        [Linq.Enumerable]::SequenceEqual([float[]]$a.ToFloat32(), [float[]]$b.ToFloat32()) | Should -BeTrue
        Test-Path (Join-Path $script:Out 'overlap_proportion.nii.gz') | Should -BeTrue
    }

    It 'the registration QC table lists every scan' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $qc = @(Import-Csv (Join-Path $script:Out 'registration_qc.tsv') -Delimiter "`t")
        @($qc | ForEach-Object ScanId | Sort-Object) | Should -Be @(Get-AtlasSubject -Path $script:Root | ForEach-Object ScanId | Sort-Object)
    }

    It 'a further submit.sh over finished outputs submits nothing and rewrites nothing' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:Fourth.ExitCode | Should -Be 0 -Because $script:Fourth.Text
        $script:Fourth.Text | Should -BeLike "*All $script:Shards shards are up to date*"
        $script:Fourth.Text | Should -BeLike '*merged results are up to date*'
        foreach ($f in $script:AfterThird) { (Get-Item -LiteralPath $f.Path -Force).LastWriteTimeUtc | Should -Be $f.Time -Because $f.Path }
    }
}
