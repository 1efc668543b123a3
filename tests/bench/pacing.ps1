<#
.SYNOPSIS
Measures pacing, retries and cancellation against the emulator and prints the figures.

.DESCRIPTION
Not a test: it asserts nothing and prints measurements.

1. 50 calls in a row against an emulator started with --throttle 5/1, with pacing at 5 calls per 1 s: the total
   time against the theoretical minimum (the 50th call can start 9 s after the first, plus the latency of one
   call, measured as the median of 10 calls to an unthrottled emulator), and the 429 answers in the emulator's
   request log.
2. The same with pacing off: the 429 answers, the retries and how many calls succeeded.
3. Ctrl+C during a pacing wait: PowerShell.Stop() on a runspace whose call waits for the rate limit, timed with a
   Stopwatch, 20 times; p50 and max.

.PARAMETER ModulePath
The folder of the built module (pwsh ./build.ps1 build writes out/MgProvisioning).

.PARAMETER EmulatorPath
The emulator executable; by default the one in the module's bin/<rid>/ folder.

.EXAMPLE
pwsh tests/bench/pacing.ps1
#>
[CmdletBinding()]
param(
    [string] $ModulePath = [System.IO.Path]::Combine((Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent), 'out', 'MgProvisioning'),

    [string] $EmulatorPath
)

$ErrorActionPreference = 'Stop'
$repositoryRoot = Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent
$env:MGPROVISIONING_TEST_MODULE = $ModulePath
if ($EmulatorPath) {
    $env:MGPROVISIONING_TEST_EMULATOR = $EmulatorPath
}
Import-Module -Name ([System.IO.Path]::Combine($repositoryRoot, 'tests', 'pester', 'TestHelpers.psm1')) -Force
Import-Module -Name (Get-TestModuleManifest) -Force

$appId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
$jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
$ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
$entry = @{ RuleId = $ruleId; Subjects = @(@{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000002'; ObjectTypeName = 'User' }) }
$token = New-TestToken
$callCount = 50
$emulatorOptions = @('--accept-unsigned-tokens')

function Invoke-Calls {
    param([int] $Count)

    $failures = 0
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    for ($index = 0; $index -lt $Count; $index++) {
        $result = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $entry -ErrorAction SilentlyContinue -ErrorVariable failure
        if ($failure) {
            $failures++
        }
    }
    $watch.Stop()
    [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; Failures = $failures }
}

function Get-Percentile {
    param([double[]] $Values, [double] $Fraction)

    $sorted = @($Values | Sort-Object)
    $sorted[[math]::Min($sorted.Count - 1, [int][math]::Floor($Fraction * $sorted.Count))]
}

try {
    # Latency of one call, without throttling or pacing.
    $null = Set-MgRequestContext -Pacing $false -MaxRetry 3 -RetryDelay 3
    $plain = Start-TestEmulatorWithOption -Option (@('--throttle', 'off') + $emulatorOptions)
    $null = Connect-TestGraph -BaseUrl $plain.BaseUrl -Token $token
    $null = Invoke-Calls -Count 3
    $latencies = foreach ($index in 1..10) { (Invoke-Calls -Count 1).Seconds }
    $latency = Get-Percentile -Values $latencies -Fraction 0.5
    Stop-TestEmulator $plain

    # 1. Pacing on at the emulator's limit.
    $throttled = Start-TestEmulatorWithOption -Option (@('--throttle', '5/1') + $emulatorOptions)
    $null = Connect-TestGraph -BaseUrl $throttled.BaseUrl -Token $token
    $null = Set-MgRequestContext -Pacing $true -PacingLimit 5 -PacingWindow 1
    $paced = Invoke-Calls -Count $callCount
    $pacedStatuses = @((Get-TestEmulatorRequest $throttled) | ForEach-Object status)
    Stop-TestEmulator $throttled
    $minimum = [math]::Ceiling($callCount / 5) - 1 + $latency

    # 2. Pacing off: the retries take the 429 answers.
    $throttled = Start-TestEmulatorWithOption -Option (@('--throttle', '5/1') + $emulatorOptions)
    $null = Connect-TestGraph -BaseUrl $throttled.BaseUrl -Token $token
    $null = Set-MgRequestContext -Pacing $false -MaxRetry 3 -RetryDelay 3
    $unpaced = Invoke-Calls -Count $callCount
    $unpacedStatuses = @((Get-TestEmulatorRequest $throttled) | ForEach-Object status)
    Stop-TestEmulator $throttled

    # 3. Stop() during a pacing wait.
    $waiting = Start-TestEmulatorWithOption -Option (@('--throttle', 'off') + $emulatorOptions)
    $null = Connect-TestGraph -BaseUrl $waiting.BaseUrl -Token $token
    $null = Set-MgRequestContext -Pacing $true -PacingLimit 1 -PacingWindow 3600
    $runspace = New-TestModuleRunspace
    $runspace.SessionStateProxy.SetVariable('appId', $appId)
    $runspace.SessionStateProxy.SetVariable('jobId', $jobId)
    $runspace.SessionStateProxy.SetVariable('entry', $entry)
    $stopTimes = foreach ($try in 1..20) {
        $powershell = [powershell]::Create()
        $powershell.Runspace = $runspace
        $null = $powershell.AddScript('New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $entry')
        $handle = $powershell.BeginInvoke()
        Start-Sleep -Milliseconds 400
        if ($handle.IsCompleted) {
            # The first call of the run takes the one slot; the calls after it wait.
            $powershell.Dispose()
            continue
        }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $powershell.Stop()
        $watch.Stop()
        $powershell.Dispose()
        $watch.Elapsed.TotalMilliseconds
    }
    $runspace.Dispose()
    Stop-TestEmulator $waiting

    $os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
    "Machine: $os, $([System.Environment]::ProcessorCount) logical processors, PowerShell $($PSVersionTable.PSVersion)"
    "Latency of one call (median of 10, no throttling): {0:N3} s" -f $latency
    ''
    "Pacing on (5 per 1 s), emulator --throttle 5/1, $callCount calls:"
    "  total {0:N2} s; theoretical minimum {1:N2} s (9 s + one call); ratio {2:N3}" -f $paced.Seconds, $minimum, ($paced.Seconds / $minimum)
    "  429 answers: $(@($pacedStatuses | Where-Object { $_ -eq 429 }).Count); requests: $($pacedStatuses.Count); failed calls: $($paced.Failures)"
    ''
    "Pacing off, MaxRetry 3, RetryDelay 3 s, emulator --throttle 5/1, $callCount calls:"
    "  total {0:N2} s" -f $unpaced.Seconds
    "  429 answers: $(@($unpacedStatuses | Where-Object { $_ -eq 429 }).Count); requests: $($unpacedStatuses.Count) (retries: $($unpacedStatuses.Count - $callCount)); succeeded: $($callCount - $unpaced.Failures) of $callCount"
    ''
    "Stop() during a pacing wait, $(@($stopTimes).Count) tries:"
    "  p50 {0:N1} ms; max {1:N1} ms" -f (Get-Percentile -Values $stopTimes -Fraction 0.5), (@($stopTimes | Measure-Object -Maximum).Maximum)
}
finally {
    $null = Set-MgRequestContext -MaxRetry 3 -RetryDelay 3 -RetriesTimeLimit 0 -ClientTimeout 300 -Pacing $true -PacingLimit 5 -PacingWindow 10
}
