#Requires -Version 7.4
<#
.SYNOPSIS
Measures MgProvisioning's import time, per-call latency, memory, paced bulk runs and native code, each beside an
alternative, and writes out/bench/report.md, report.svg and results.json.

.DESCRIPTION
`pwsh ./build.ps1 bench` builds the module and runs this script in a child pwsh. It can also run alone against a
module that is already built. Every figure is measured in this run, on this machine; nothing is compared against a
stored number and nothing fails when a target is missed. The report marks each target as met or missed.

Sections, in the order they run:

    import   fresh pwsh processes: 'exit', an empty one-function module, this module, and this module with its
             interop compiled from source by Add-Type at import; the median of -ImportRuns each, taking turns.
             Then the import split into its steps, in-process.
    calls    against the emulator on 127.0.0.1 with throttling and pacing off, -Calls timed calls each: the cmdlet,
             Invoke-RestMethod with a reused WebSession, Invoke-RestMethod with ConvertTo-Json per call, a no-op
             function with the cmdlet's parameters, a C program calling the ABI (bench/abi_latency.c), and one curl
             process sending every request over one connection.
    memory   working set of a bare pwsh, of a pwsh after the import and after 1, 1,000 and -MemoryCalls calls, and
             of a pwsh after as many Invoke-RestMethod calls.
    bulk     -BulkSubjects calls with pacing at 5 per 1 s against an emulator that allows 5 per 1 s: the time
             taken against the minimum the limit allows, and the 429 answers in the emulator's request log.
    native   criterion benches of the core (benches/core.rs) and the emulator's requests per second
             (benches/emulator_throughput.rs).

.PARAMETER ModulePath
The built module folder. Default: out/MgProvisioning beside this script's folder.

.PARAMETER OutputFolder
Where the report, the samples and the helper modules go. Default: out/bench.

.PARAMETER Section
The sections to run; all by default. The report covers the sections that ran.
#>
[CmdletBinding()]
param(
    [string] $ModulePath,
    [string] $OutputFolder,
    [ValidateSet('import', 'calls', 'memory', 'bulk', 'native')]
    [string[]] $Section = @('import', 'calls', 'memory', 'bulk', 'native'),
    [ValidateRange(1, 1000)] [int] $ImportRuns = 20,
    [ValidateRange(10, 100000)] [int] $Calls = 1000,
    [ValidateRange(1000, 1000000)] [int] $MemoryCalls = 10000,
    [ValidateRange(5, 1000)] [int] $BulkSubjects = 50
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$RepositoryRoot = Split-Path -Parent $PSScriptRoot
if (-not $ModulePath) {
    $ModulePath = Join-Path $RepositoryRoot 'out/MgProvisioning'
}
if (-not $OutputFolder) {
    $OutputFolder = Join-Path $RepositoryRoot 'out/bench'
}
$ModulePath = [System.IO.Path]::GetFullPath($ModulePath)
$OutputFolder = [System.IO.Path]::GetFullPath($OutputFolder)
$null = New-Item -ItemType Directory -Force -Path $OutputFolder

Import-Module (Join-Path $PSScriptRoot 'BenchSupport.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'BenchReport.psm1') -Force

$Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$EmulatorPath = Get-ChildItem -Path (Join-Path $ModulePath 'bin/*/mg-graph-emulator*') -File | Select-Object -First 1 -ExpandProperty FullName
if (-not (Test-Path -LiteralPath (Join-Path $ModulePath 'MgProvisioning.psd1')) -or -not $EmulatorPath) {
    throw "No built module with its emulator was found in $ModulePath. Run 'pwsh ./build.ps1 build' first."
}

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS
    Runs a script of this folder in a fresh pwsh and returns its standard output parsed as JSON.
    #>
    param([string] $Script, [string[]] $ArgumentList)

    $output = & $Pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot $Script) @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "$Script failed with exit code $LASTEXITCODE."
    }
    ($output | Select-Object -Last 1) | ConvertFrom-Json -AsHashtable
}

function Measure-ProcessTime {
    # Starts the command and returns the milliseconds until it exits; throws when it exits with an error.
    param([string] $FilePath, [string[]] $ArgumentList)

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $process.WaitForExit()
    $stopwatch.Stop()
    $exitCode = $process.ExitCode
    $process.Dispose()
    if ($exitCode -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' exited with code $exitCode."
    }
    $stopwatch.Elapsed.TotalMilliseconds
}

function New-ImportVariants {
    <#
    .SYNOPSIS
    Writes the empty one-function module and the variant of this module that compiles its interop at import.
    #>
    $emptyFolder = Join-Path $OutputFolder 'modules/BenchEmpty'
    $null = New-Item -ItemType Directory -Force -Path $emptyFolder
    Set-Content -LiteralPath (Join-Path $emptyFolder 'BenchEmpty.psm1') -Value "function Get-BenchEmpty { 'empty' }"
    Set-Content -LiteralPath (Join-Path $emptyFolder 'BenchEmpty.psd1') -Value @"
@{
    RootModule        = 'BenchEmpty.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '3f1d2c4b-5a6e-4f70-8b9c-0d1e2f3a4b5c'
    FunctionsToExport = @('Get-BenchEmpty')
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
"@

    # The naive variant: no RequiredAssemblies; the root module compiles Interop/*.cs with Add-Type before its functions.
    $naiveFolder = Join-Path $OutputFolder 'modules/naive/MgProvisioning'
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $naiveFolder 'Interop')
    Copy-Item -Path (Join-Path $RepositoryRoot 'powershell/MgProvisioning/Interop/*.cs') -Destination (Join-Path $naiveFolder 'Interop') -Force
    Copy-Item -LiteralPath (Join-Path $ModulePath 'MgProvisioning.Format.ps1xml') -Destination $naiveFolder -Force
    $manifest = Get-Content -LiteralPath (Join-Path $ModulePath 'MgProvisioning.psd1') -Raw
    $manifest = $manifest -replace '(?m)^\s*RequiredAssemblies\s*=.*\r?\n', ''
    Set-Content -LiteralPath (Join-Path $naiveFolder 'MgProvisioning.psd1') -Value $manifest -NoNewline
    $rootModule = Get-Content -LiteralPath (Join-Path $ModulePath 'MgProvisioning.psm1') -Raw
    $compile = "Add-Type -Path ([System.IO.Directory]::GetFiles([System.IO.Path]::Combine(`$PSScriptRoot, 'Interop'), '*.cs'))`n"
    Set-Content -LiteralPath (Join-Path $naiveFolder 'MgProvisioning.psm1') -Value ($compile + $rootModule) -NoNewline

    [pscustomobject]@{ Empty = $emptyFolder; Naive = $naiveFolder }
}

function Measure-Import {
    Write-Host "import: $ImportRuns fresh pwsh processes per variant, taking turns"
    $variants = New-ImportVariants
    $commands = [ordered]@{
        exit   = 'exit'
        empty  = "Import-Module '$($variants.Empty)'"
        module = "Import-Module '$ModulePath'"
        naive  = "Import-Module '$($variants.Naive)'"
    }
    $samples = [ordered]@{}
    foreach ($name in $commands.Keys) {
        $samples[$name] = [System.Collections.Generic.List[double]]::new()
    }

    # Two untimed rounds warm the disk cache and the .NET startup files.
    for ($run = -2; $run -lt $ImportRuns; $run++) {
        foreach ($name in $commands.Keys) {
            $milliseconds = Measure-ProcessTime $Pwsh @('-NoProfile', '-NonInteractive', '-Command', $commands[$name])
            if ($run -ge 0) {
                $samples[$name].Add($milliseconds)
            }
        }
    }

    Write-Host 'import: the steps of one import, in-process'
    $steps = [ordered]@{ assembly = @(); script = @(); format = @(); whole = @() }
    for ($run = 0; $run -lt [math]::Min($ImportRuns, 10); $run++) {
        $split = Invoke-ChildPwsh 'Measure-ImportSteps.ps1' @('-ModuleFolder', $ModulePath)
        foreach ($name in 'assembly', 'script', 'format') {
            $steps[$name] += $split[$name]
        }
        $steps.whole += (Invoke-ChildPwsh 'Measure-ImportSteps.ps1' @('-ModuleFolder', $ModulePath, '-Whole')).whole
    }

    $result = [ordered]@{ runs = $ImportRuns; medianMs = [ordered]@{}; samplesMs = [ordered]@{}; stepsMedianMs = [ordered]@{} }
    foreach ($name in $samples.Keys) {
        $result.medianMs[$name] = Get-Median $samples[$name].ToArray()
        $result.samplesMs[$name] = $samples[$name].ToArray()
    }
    foreach ($name in $steps.Keys) {
        $result.stepsMedianMs[$name] = Get-Median $steps[$name]
    }
    $result
}

function Get-LatencySummary {
    param([double[]] $Microseconds)

    [ordered]@{
        count  = $Microseconds.Length
        p50Us  = Get-Percentile $Microseconds 50
        p99Us  = Get-Percentile $Microseconds 99
        meanUs = ($Microseconds | Measure-Object -Average).Average
    }
}

function Build-AbiProgram {
    # Compiles bench/abi_latency.c against the module's own native library, the one the cmdlet loads.
    $library = Get-ChildItem -Path (Join-Path $ModulePath 'runtimes/*/native/*mg_provisioning*') -File | Select-Object -First 1
    if (-not $library -or $IsWindows) {
        throw 'The C program is built on Linux and macOS only, against runtimes/<rid>/native in the module.'
    }
    $compiler = if ($env:CC) { $env:CC } else { 'cc' }
    $program = Join-Path $OutputFolder 'obj/abi_latency'
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $program)
    & $compiler -std=c11 -O2 -Wall -Wextra -Werror "-I$(Join-Path $RepositoryRoot 'include')" (Join-Path $PSScriptRoot 'abi_latency.c') `
        "-L$($library.DirectoryName)" -lmg_provisioning "-Wl,-rpath,$($library.DirectoryName)" -o $program
    if ($LASTEXITCODE -ne 0) {
        throw "$compiler could not build bench/abi_latency.c."
    }
    $program
}

function Measure-Curl {
    <#
    .SYNOPSIS
    Sends the requests from one curl process over one kept-alive connection and returns each transfer's time_total.
    #>
    param($Emulator, [int] $Count, [int] $WarmUp)

    $target = Get-BenchTarget
    $folder = Join-Path $OutputFolder 'obj'
    $bodyFile = Join-Path $folder 'body.json'
    $configFile = Join-Path $folder 'curl.config'
    Set-Content -LiteralPath $bodyFile -Value $target.BodyJson -NoNewline
    # The token goes in the config file, not on the command line, so it stays out of the process list.
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("header = ""Authorization: Bearer $($Emulator.Token)""")
    for ($i = 0; $i -lt $Count + $WarmUp; $i++) {
        $lines.Add("url = ""$($Emulator.BaseUrl)$($target.Path)""")
        $lines.Add('output = "/dev/null"')
    }
    Set-Content -LiteralPath $configFile -Value $lines
    try {
        $output = & curl --silent --show-error --noproxy '*' -X POST -H 'Content-Type: application/json' --data-binary "@$bodyFile" `
            --config $configFile --write-out '%{http_code} %{time_total}\n'
        if ($LASTEXITCODE -ne 0) {
            throw "curl failed with exit code $LASTEXITCODE."
        }
    }
    finally {
        Remove-Item -LiteralPath $configFile -Force
    }

    $samples = foreach ($line in $output | Select-Object -Skip $WarmUp) {
        $code, $seconds = $line -split ' '
        if ($code -ne '200') {
            throw "curl got HTTP $code from the emulator."
        }
        [double]::Parse($seconds, [cultureinfo]::InvariantCulture) * 1e6
    }
    [double[]] $samples
}

function Measure-Calls {
    param($Emulator)

    $target = Get-BenchTarget
    $result = [ordered]@{ calls = $Calls }

    Write-Host "calls: $Calls each of the cmdlet, Invoke-RestMethod (two ways) and the no-op function, in one pwsh"
    $powershellSamples = Invoke-ChildPwsh 'Measure-CallLatency.ps1' @('-ModulePath', $ModulePath, '-BaseUrl', $Emulator.BaseUrl, '-Calls', $Calls)
    foreach ($name in $powershellSamples.Keys) {
        $result[$name] = Get-LatencySummary $powershellSamples[$name]
    }

    Write-Host "calls: $Calls through the C ABI"
    try {
        $program = Build-AbiProgram
        $env:MG_ACCESS_TOKEN = $Emulator.Token
        $output = & $program $Emulator.BaseUrl $target.ApplicationId $target.JobId $target.ParametersJson $Calls 50
        if ($LASTEXITCODE -ne 0) {
            throw "abi_latency failed with exit code $LASTEXITCODE."
        }
        $result.abi = Get-LatencySummary ([double[]] ($output | ForEach-Object { [double]::Parse($_, [cultureinfo]::InvariantCulture) }))
    }
    catch {
        Write-Warning "The ABI figures are missing: $($_.Exception.Message)"
    }
    finally {
        $env:MG_ACCESS_TOKEN = $null
    }

    Write-Host "calls: $Calls from one curl process"
    if (Get-Command curl -CommandType Application -ErrorAction SilentlyContinue) {
        $result.curl = Get-LatencySummary (Measure-Curl -Emulator $Emulator -Count $Calls -WarmUp 50)
    }
    else {
        Write-Warning 'curl was not found; its figures are missing.'
    }
    $result
}

function Measure-Memory {
    param($Emulator)

    $checkpoints = "1,1000,$MemoryCalls"
    Write-Host "memory: a bare pwsh, one that imports the module and makes $MemoryCalls calls, one that makes as many Invoke-RestMethod calls"
    [ordered]@{
        bare   = Invoke-ChildPwsh 'Measure-Memory.ps1' @('-Kind', 'bare')
        cmdlet = @(Invoke-ChildPwsh 'Measure-Memory.ps1' @('-Kind', 'cmdlet', '-ModulePath', $ModulePath, '-BaseUrl', $Emulator.BaseUrl, '-Checkpoints', $checkpoints))
        irm    = @(Invoke-ChildPwsh 'Measure-Memory.ps1' @('-Kind', 'irm', '-BaseUrl', $Emulator.BaseUrl, '-Checkpoints', $checkpoints))
    }
}

function Measure-Bulk {
    $pacingLimit = 5
    $pacingWindow = 1
    Write-Host "bulk: $BulkSubjects subjects, pacing and the emulator's limit at $pacingLimit per $pacingWindow s"
    $emulator = Start-BenchEmulator -EmulatorPath $EmulatorPath -Throttle "$pacingLimit/$pacingWindow"
    try {
        $env:MGBENCH_TOKEN = $emulator.Token
        $run = Invoke-ChildPwsh 'Measure-Bulk.ps1' @('-ModulePath', $ModulePath, '-BaseUrl', $emulator.BaseUrl,
            '-Subjects', $BulkSubjects, '-PacingLimit', $pacingLimit, '-PacingWindow', $pacingWindow)
        $log = @(Get-EmulatorRequestLog -Emulator $emulator | Where-Object { $_.path -like "/beta/applications/$((Get-BenchTarget).ApplicationId)/*" })
    }
    finally {
        Stop-BenchEmulator -Emulator $emulator
    }

    # Calls start in batches of pacingLimit, one window apart, so the last batch starts (batches - 1) windows in.
    $batches = [math]::Ceiling($BulkSubjects / $pacingLimit)
    $run.minimumStartSeconds = ($batches - 1) * $pacingWindow
    $run.requests = $log.Count
    $run.throttled = @($log | Where-Object { $_.status -eq 429 }).Count
    $run
}

function Get-CriterionEstimates {
    # Reads the median of each function that the last criterion run measured, in nanoseconds.
    $targetFolder = if ($env:CARGO_TARGET_DIR) { [System.IO.Path]::GetFullPath($env:CARGO_TARGET_DIR, $RepositoryRoot) } else { Join-Path $RepositoryRoot 'target' }
    $estimates = [ordered]@{}
    foreach ($group in 'body', 'request', 'response') {
        foreach ($file in Get-ChildItem -Path (Join-Path $targetFolder "criterion/$group/*/new/estimates.json") -File -ErrorAction SilentlyContinue) {
            $name = "$group/$($file.Directory.Parent.Name)"
            $estimates[$name] = (Get-Content -LiteralPath $file.FullName -Raw | ConvertFrom-Json).median.point_estimate
        }
    }
    $estimates
}

function Measure-Native {
    $cargoArguments = if ($env:MGPROVISIONING_CARGO_ARGS) { [string[]] (ConvertFrom-Json $env:MGPROVISIONING_CARGO_ARGS) } else { [string[]] @() }
    $log = Join-Path $OutputFolder 'cargo-bench.log'
    Push-Location $RepositoryRoot
    try {
        Write-Host 'native: cargo bench --bench core (the first run compiles criterion)'
        & cargo bench --bench core @cargoArguments -- --warm-up-time 1 --measurement-time 3 --noplot *> $log
        if ($LASTEXITCODE -ne 0) {
            throw "cargo bench --bench core failed with exit code $LASTEXITCODE; see $log."
        }

        Write-Host 'native: cargo bench --bench emulator_throughput'
        $env:EMULATOR_BENCH_SECONDS = '5'
        $throughputOutput = & cargo bench --bench emulator_throughput @cargoArguments 2>> $log
        if ($LASTEXITCODE -ne 0) {
            throw "cargo bench --bench emulator_throughput failed with exit code $LASTEXITCODE; see $log."
        }
    }
    finally {
        Pop-Location
    }

    $throughputLine = @($throughputOutput | Where-Object { $_ -match '^emulator_throughput:' })[0]
    Add-Content -LiteralPath $log -Value $throughputLine
    $rate = if ($throughputLine -match '([\d.]+) requests/s') { [double] $Matches[1] } else { $null }
    $connections = if ($throughputLine -match 'over (\d+) keep-alive') { [int] $Matches[1] } else { $null }
    [ordered]@{
        criterionMedianNs   = Get-CriterionEstimates
        emulatorRequestsPerSecond = $rate
        emulatorConnections = $connections
        emulatorLine        = $throughputLine
    }
}

$results = [ordered]@{
    started = [DateTime]::UtcNow.ToString('yyyy-MM-dd HH:mm:ss') + ' UTC'
    machine = Get-MachineInfo
}
$stopwatch = [System.Diagnostics.Stopwatch]::StartNew()

if ('import' -in $Section) {
    $results.import = Measure-Import
}

if ('calls' -in $Section -or 'memory' -in $Section) {
    $emulator = Start-BenchEmulator -EmulatorPath $EmulatorPath -Throttle 'off'
    try {
        $env:MGBENCH_TOKEN = $emulator.Token
        if ('calls' -in $Section) {
            $results.calls = Measure-Calls -Emulator $emulator
        }
        if ('memory' -in $Section) {
            $results.memory = Measure-Memory -Emulator $emulator
        }
    }
    finally {
        Stop-BenchEmulator -Emulator $emulator
    }
}

if ('bulk' -in $Section) {
    $results.bulk = Measure-Bulk
}
$env:MGBENCH_TOKEN = $null

if ('native' -in $Section) {
    $results.native = Measure-Native
}

$results.durationSeconds = $stopwatch.Elapsed.TotalSeconds
ConvertTo-Json -InputObject $results -Depth 6 | Set-Content -LiteralPath (Join-Path $OutputFolder 'results.json')
ConvertTo-BenchMarkdown -Results $results | Set-Content -LiteralPath (Join-Path $OutputFolder 'report.md')
ConvertTo-BenchSvg -Results $results | Set-Content -LiteralPath (Join-Path $OutputFolder 'report.svg')

Write-Host ''
Get-Content -LiteralPath (Join-Path $OutputFolder 'report.md') | Write-Host
Write-Host ''
Write-Host "Wrote $(Join-Path $OutputFolder 'report.md'), report.svg and results.json in $([math]::Round($results.durationSeconds)) s."
