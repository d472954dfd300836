# The study as a SLURM job array (docs/examples/slurm): -Shard FromEnvironment, the merge's refusal of an
# incomplete set, and, where SLURM's daemons are installed and we are root, a private one-node cluster
# that runs submit.sh, is compared with a single-process run, loses a task on purpose and recovers.
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
        foreach ($n in 'ATLAS_ROOT', 'ATLAS_OUT', 'ATLAS_TEMPLATE', 'ATLAS_TEMPLATE_MASK', 'ATLAS_SHARDS', 'ATLAS_METADATA', 'ATLAS_PWSH', 'ATLAS_SLURM_FAIL_SHARD',
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

        # A native dataset with phantom scans, and the template they were moved from.
        $script:Root = Join-Path $TestDrive 'native'
        $script:Sample = New-AtlasSampleDataset -Destination $script:Root -SubjectCount 2 -Seed 11 -Standardization
        $script:Template = $script:Sample.TemplatePath
        $script:TemplateMask = $script:Sample.TemplateMaskPath
        $script:Out = Join-Path $TestDrive 'study'

        # The same pipeline in one process: the reference the cluster's merged results must equal.
        $single = Join-Path $TestDrive 'single'
        $std = Join-Path $single 'standard'
        $null = Get-AtlasSubject -Path $script:Root | ConvertTo-AtlasStandardSpace -Template $script:Template -TemplateMask $script:TemplateMask -Destination $std
        $subjects = @(Get-AtlasSubject -Path $std)
        $script:SingleRows = @(foreach ($kind in 'LesionRaw', 'LesionSmooth') { $subjects | Measure-Lesion -MaskKind $kind })
        $script:SingleCount = Join-Path $single 'count.nii.gz'
        $null = $subjects | New-LesionOverlapMap -OutputPath (Join-Path $single 'proportion.nii.gz') -CountPath $script:SingleCount
        $script:SingleStandard = $std

        function Invoke-Submit {
            $text = & bash (Join-Path $script:SlurmDir 'submit.sh') --root $script:Root --out $script:Out --template $script:Template `
                --template-mask $script:TemplateMask --shards 3 --time 00:20:00 --mem 2G 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($text -join "`n") }
        }
        $env:ATLAS_PSM_MODULE = $script:ModulePath
        $env:ATLAS_PWSH = $script:PwshCommand
        $env:ATLAS_SLURM_FAIL_SHARD = '1'
        $script:First = Invoke-Submit
        $script:ReportAfterFirst = Test-Path (Join-Path $script:Out 'lesion_report.csv')
        Remove-Item env:ATLAS_SLURM_FAIL_SHARD
        $script:Second = Invoke-Submit
        $script:AfterSecond = Get-ChildItem -LiteralPath $script:Out -Recurse -File | Where-Object { $_.FullName -notlike '*/logs/*' } |
            ForEach-Object { [pscustomobject]@{ Path = $_.FullName; Time = $_.LastWriteTimeUtc } }
        $script:Third = Invoke-Submit
    }

    AfterAll {
        # Stop exactly the daemons this test started, by their pid files.
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

    It 'a task killed on purpose fails submit.sh, naming the task and its log' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:First.ExitCode | Should -Be 1 -Because $script:First.Text
        $script:First.Text | Should -Match 'shard task 1 of job \d+ failed'
        $script:First.Text | Should -BeLike "*log: $script:Out/logs/shard_1.log*"
        $script:ReportAfterFirst | Should -BeFalse -Because 'the merge must not run after a failed task'
    }

    It 'submit.sh run again resubmits only the missing shard and completes' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:Second.ExitCode | Should -Be 0 -Because $script:Second.Text
        $script:Second.Text | Should -BeLike '*Submitted shard tasks 1 of 3*'
    }

    It 'the merged lesion report has the rows of a single-process run' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $merged = @(Import-Csv (Join-Path $script:Out 'lesion_report.csv'))
        (Get-Content (Join-Path $script:Out 'lesion_report.csv') -TotalCount 1) | Should -BeLike '"SubjectId",*'
        $key = { '{0}|{1}|{2}|{3}|{4:F3}' -f $_.SubjectId, $_.Session, $_.MaskKind, $_.Rank, [double]$_.VolumeMm3 }
        $merged.Count | Should -Be $script:SingleRows.Count
        @($merged | ForEach-Object $key | Sort-Object) | Should -Be @($script:SingleRows | ForEach-Object $key | Sort-Object)
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
        $qc.Count | Should -Be @(Get-AtlasSubject -Path $script:Root).Count
    }

    It 'a third submit.sh over finished outputs submits nothing and rewrites nothing' {
        if ($script:ClusterSkip) { Set-ItResult -Skipped -Because $script:ClusterSkip; return }
        $script:Third.ExitCode | Should -Be 0 -Because $script:Third.Text
        $script:Third.Text | Should -BeLike '*All 3 shards are up to date*'
        $script:Third.Text | Should -BeLike '*merged results are up to date*'
        foreach ($f in $script:AfterSecond) { (Get-Item -LiteralPath $f.Path).LastWriteTimeUtc | Should -Be $f.Time -Because $f.Path }
    }
}
