#Requires -Version 7.4
<#
.SYNOPSIS
Provisions -Subjects users one call each, with the module's pacing on, and reports the time taken as JSON.

.DESCRIPTION
Run by Invoke-Benchmarks.ps1 in a fresh pwsh against an emulator started with --throttle <PacingLimit>/<PacingWindow>,
so that pacing and the emulator's limit agree. The subjects cycle through the built-in tenant's ten users.

One call to another application comes first: it loads the native library and warms the code paths, and since
both the pacing and the emulator's limit count per application, it leaves the measured application's window empty.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUrl,
    [int] $Subjects = 50,
    [int] $PacingLimit = 5,
    [int] $PacingWindow = 1
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module $ModulePath

$token = $env:MGBENCH_TOKEN
if (-not $token) {
    throw 'MGBENCH_TOKEN is not set; Invoke-Benchmarks.ps1 sets it to a token from the emulator.'
}
$null = Add-MgEnvironment -Name BenchEmulator -GraphEndpoint $BaseUrl -AzureADEndpoint $BaseUrl -Confirm:$false
Connect-MgGraph -Environment BenchEmulator -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -NoWelcome
$null = Set-MgRequestContext -Pacing $true -PacingLimit $PacingLimit -PacingWindow $PacingWindow -Confirm:$false

# The built-in tenant's GitHub Enterprise Cloud application, job and user rule: another application than the measured one.
$null = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5da0' `
    -SynchronizationJobId 'gitHubEnterpriseCloud.c20ad4d76fe97759aa27a0c99bff6710.1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' `
    -Parameters @(@{ RuleId = 'f0e1d2c3-0001-4000-8000-000000000041'; Subjects = @(@{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000001'; ObjectTypeName = 'User' }) }) `
    -ErrorAction SilentlyContinue

$applicationId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
$jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
$ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
$userIds = 1..10 | ForEach-Object { '11111111-aaaa-4bbb-8ccc-{0:x12}' -f $_ }

$results = 0
$errors = 0
$started = [System.Diagnostics.Stopwatch]::StartNew()
for ($i = 0; $i -lt $Subjects; $i++) {
    $subject = @{ ObjectId = $userIds[$i % $userIds.Count]; ObjectTypeName = 'User' }
    $output = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $applicationId -SynchronizationJobId $jobId `
        -Parameters @(@{ RuleId = $ruleId; Subjects = @($subject) }) -ErrorAction SilentlyContinue -ErrorVariable callErrors
    if ($callErrors) {
        $errors++
    }
    elseif ($output) {
        $results++
    }
}
$started.Stop()

ConvertTo-Json -Compress -InputObject ([ordered]@{
        subjects      = $Subjects
        pacingLimit   = $PacingLimit
        pacingWindow  = $PacingWindow
        elapsedSeconds = $started.Elapsed.TotalSeconds
        results       = $results
        errors        = $errors
    })
