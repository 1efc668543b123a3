#Requires -Version 7.4
<#
.SYNOPSIS
Times single provisionOnDemand calls from PowerShell against a running emulator and prints the samples as JSON.

.DESCRIPTION
Run by Invoke-Benchmarks.ps1 in a fresh pwsh. Times, call by call, in microseconds:

    cmdlet          New-MgBetaApplicationSynchronizationJobOnDemand -Parameters <hashtable>, pacing off
    irm             Invoke-RestMethod with a reused WebSession, sending the same body as prepared JSON text
    irmConvertTo    Invoke-RestMethod as above, with the body built from a hashtable by ConvertTo-Json on each call
    noOp            an advanced function with the cmdlet's parameter block and an empty body

The kinds take turns in rounds, so a slow phase of the machine affects them alike. The token comes from the
environment variable MGBENCH_TOKEN, so it does not show in the process list.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUrl,
    [int] $Calls = 1000,
    [int] $WarmUp = 50,
    [int] $Rounds = 10
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'BenchSupport.psm1')
Import-Module $ModulePath

$target = Get-BenchTarget
$token = $env:MGBENCH_TOKEN
if (-not $token) {
    throw 'MGBENCH_TOKEN is not set; Invoke-Benchmarks.ps1 sets it to a token from the emulator.'
}

$null = Add-MgEnvironment -Name BenchEmulator -GraphEndpoint $BaseUrl -AzureADEndpoint $BaseUrl -Confirm:$false
Connect-MgGraph -Environment BenchEmulator -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -NoWelcome
$null = Set-MgRequestContext -Pacing $false -Confirm:$false

$parameters = @(@{ RuleId = $target.RuleId; Subjects = @(@{ ObjectId = $target.UserId; ObjectTypeName = 'User' }) })
# Graph's wire names, as a script that calls Invoke-RestMethod must spell them.
$wireBody = @{ parameters = @(@{ ruleId = $target.RuleId; subjects = @(@{ objectId = $target.UserId; objectTypeName = 'User' }) }) }
$uri = "$BaseUrl$($target.Path)"
$headers = @{ Authorization = "Bearer $token" }
$session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()

# The no-op function takes the cmdlet's own attributes and parameter block, so binding costs the same.
$cmdletAst = (Get-Command New-MgBetaApplicationSynchronizationJobOnDemand).ScriptBlock.Ast
$paramBlock = $cmdletAst.Body.ParamBlock
$attributes = ($paramBlock.Attributes | ForEach-Object { $_.Extent.Text }) -join "`n"
$parameterText = ($paramBlock.Parameters | ForEach-Object { $_.Extent.Text }) -join ",`n"
. ([scriptblock]::Create("function Invoke-BenchNoOp {`n$attributes`nparam(`n$parameterText`n)`nprocess { }`n}"))

$actions = [ordered]@{
    cmdlet       = {
        $null = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $target.ApplicationId -SynchronizationJobId $target.JobId -Parameters $parameters
    }
    irm          = {
        $null = Invoke-RestMethod -Method Post -Uri $uri -WebSession $session -Headers $headers -ContentType 'application/json' -Body $target.BodyJson
    }
    irmConvertTo = {
        $body = ConvertTo-Json -InputObject $wireBody -Depth 10 -Compress
        $null = Invoke-RestMethod -Method Post -Uri $uri -WebSession $session -Headers $headers -ContentType 'application/json' -Body $body
    }
    noOp         = {
        $null = Invoke-BenchNoOp -ApplicationId $target.ApplicationId -SynchronizationJobId $target.JobId -Parameters $parameters
    }
}

# A first cmdlet call checks that the connection works before any timing.
$firstOutput = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $target.ApplicationId -SynchronizationJobId $target.JobId -Parameters $parameters -ErrorVariable callErrors
if ($callErrors -or -not $firstOutput) {
    throw "The first cmdlet call against $BaseUrl failed: $($callErrors | Select-Object -First 1)"
}

foreach ($action in $actions.Values) {
    for ($i = 0; $i -lt $WarmUp; $i++) {
        . $action
    }
}

$samples = [ordered]@{}
foreach ($name in $actions.Keys) {
    $samples[$name] = [System.Collections.Generic.List[double]]::new($Calls)
}

$ticksPerMicrosecond = [System.Diagnostics.Stopwatch]::Frequency / 1e6
$perRound = [math]::Ceiling($Calls / $Rounds)
for ($round = 0; $round -lt $Rounds; $round++) {
    foreach ($name in $actions.Keys) {
        $action = $actions[$name]
        $list = $samples[$name]
        for ($i = 0; $i -lt $perRound -and $list.Count -lt $Calls; $i++) {
            $started = [System.Diagnostics.Stopwatch]::GetTimestamp()
            . $action
            $list.Add(([System.Diagnostics.Stopwatch]::GetTimestamp() - $started) / $ticksPerMicrosecond)
        }
    }
}

$result = [ordered]@{}
foreach ($name in $samples.Keys) {
    $result[$name] = $samples[$name].ToArray()
}
ConvertTo-Json -InputObject $result -Compress -Depth 3
