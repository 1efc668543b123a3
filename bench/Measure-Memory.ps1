#Requires -Version 7.4
<#
.SYNOPSIS
Reports this pwsh's memory after a number of provisionOnDemand calls, as JSON.

.DESCRIPTION
Run by Invoke-Benchmarks.ps1 in a fresh pwsh. -Kind selects what the process does:

    bare     nothing: the memory of a pwsh that has only run this script
    cmdlet   imports the module (a reading), connects to the emulator at -BaseUrl with the token in MGBENCH_TOKEN,
             turns pacing off, and calls New-MgBetaApplicationSynchronizationJobOnDemand
    irm      calls Invoke-RestMethod with a reused WebSession and the same body, the alternative to the cmdlet

A reading follows each of -Checkpoints calls, a comma-separated list of call counts given as text because pwsh -File
passes every argument as one string. Each reading follows a full garbage collection and gives the working set, the
private memory and the managed heap, in bytes.
#>
param(
    [ValidateSet('bare', 'cmdlet', 'irm')]
    [string] $Kind = 'bare',
    [string] $ModulePath,
    [string] $BaseUrl,
    [string] $Checkpoints = '1,1000,10000'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function Get-MemoryReading {
    param([string] $Label, [int] $Calls)

    [System.GC]::Collect()
    [System.GC]::WaitForPendingFinalizers()
    [System.GC]::Collect()
    $process = [System.Diagnostics.Process]::GetCurrentProcess()
    [ordered]@{
        kind          = $Kind
        label         = $Label
        calls         = $Calls
        workingSet    = $process.WorkingSet64
        privateMemory = $process.PrivateMemorySize64
        managedHeap   = [System.GC]::GetTotalMemory($false)
    }
}

$readings = [System.Collections.Generic.List[object]]::new()
if ($Kind -eq 'bare') {
    $readings.Add((Get-MemoryReading -Label 'bare' -Calls 0))
    ConvertTo-Json -InputObject $readings.ToArray() -Compress -Depth 3
    return
}

$token = $env:MGBENCH_TOKEN
if (-not $token) {
    throw 'MGBENCH_TOKEN is not set; Invoke-Benchmarks.ps1 sets it to a token from the emulator.'
}
$applicationId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
$jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
$ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
$userId = '11111111-aaaa-4bbb-8ccc-000000000002'

if ($Kind -eq 'cmdlet') {
    Import-Module $ModulePath
    $readings.Add((Get-MemoryReading -Label 'import' -Calls 0))

    $null = Add-MgEnvironment -Name BenchEmulator -GraphEndpoint $BaseUrl -AzureADEndpoint $BaseUrl -Confirm:$false
    Connect-MgGraph -Environment BenchEmulator -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -NoWelcome
    $null = Set-MgRequestContext -Pacing $false -Confirm:$false
    $parameters = @(@{ RuleId = $ruleId; Subjects = @(@{ ObjectId = $userId; ObjectTypeName = 'User' }) })
    $call = {
        New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $applicationId -SynchronizationJobId $jobId -Parameters $parameters -ErrorAction SilentlyContinue
    }
}
else {
    $uri = "$BaseUrl/beta/applications/$applicationId/synchronization/jobs/$jobId/provisionOnDemand"
    $body = '{"parameters":[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]}'
    $headers = @{ Authorization = "Bearer $token" }
    $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
    $call = {
        Invoke-RestMethod -Method Post -Uri $uri -WebSession $session -Headers $headers -ContentType 'application/json' -Body $body -ErrorAction SilentlyContinue
    }
}

$done = 0
$failures = 0
foreach ($checkpoint in $Checkpoints.Split(',') | ForEach-Object { [int] $_ } | Sort-Object) {
    while ($done -lt $checkpoint) {
        $output = & $call
        if (-not $output) {
            $failures++
        }
        $done++
    }
    $reading = Get-MemoryReading -Label "$checkpoint calls" -Calls $done
    $reading.failures = $failures
    $readings.Add($reading)
}

ConvertTo-Json -InputObject $readings.ToArray() -Compress -Depth 3
