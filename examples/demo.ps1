<#
.SYNOPSIS
    Provisions the sample subjects in this folder against the Graph emulator and prints each result.

.DESCRIPTION
    Starts mg-graph-emulator on 127.0.0.1 with Start-MgGraphEmulator, connects to it with the token
    it mints, provisions every sample (*.json in this folder) with
    New-MgBetaApplicationSynchronizationJobOnDemand, prints each result as a short report, and
    stops the emulator. Nothing leaves this machine.

.PARAMETER ModulePath
    The built module folder. Defaults to out/MgProvisioning in the repository.

.EXAMPLE
    pwsh ./examples/demo.ps1

    Runs the demo with the module that `pwsh ./build.ps1 build` assembled.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '..' 'out' 'MgProvisioning')
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Write-ProvisioningResult($Sample, $Result) {
    Write-Host ''
    Write-Host "== $($Sample.description)" -ForegroundColor Cyan
    $key = $Result.Key
    $outcome = if ($key -like '{*') { ($key | ConvertFrom-Json).result } else { "see value ($key)" }
    Write-Host ("   result : {0}" -f $outcome)

    $values = $Result.Value | ConvertFrom-Json
    foreach ($value in @($values)) {
        if ($null -eq $value.action) {
            Write-Host '   details: the group and its members were queued for provisioning'
            continue
        }
        Write-Host ("   action : {0}   subject: {1}" -f $value.action, $value.reportableIdentifier)
        foreach ($step in $value.provisioningSteps) {
            Write-Host ("     [{0,-8}] {1,-14} {2}" -f $step.status, $step.type, $step.description)
        }
    }
}

$emulator = $null
try {
    # Pacing stays on, so the four samples also show that a run keeps within the rate limit.
    $emulator = Start-MgGraphEmulator -EnvironmentName 'MgProvisioningDemo'
    Write-Host "Emulator listening at $($emulator.BaseUrl)"
    Connect-MgGraph -Environment $emulator.Environment -AccessToken $emulator.AccessToken -NoWelcome

    foreach ($file in Get-ChildItem -Path $PSScriptRoot -Filter '*.json' | Sort-Object Name) {
        $sample = Get-Content -Raw -Path $file.FullName | ConvertFrom-Json
        $result = New-MgBetaApplicationSynchronizationJobOnDemand `
            -ApplicationId $sample.applicationId `
            -SynchronizationJobId $sample.synchronizationJobId `
            -BodyParameter ($sample.body | ConvertTo-Json -Depth 20)
        Write-ProvisioningResult -Sample $sample -Result $result
    }
    Write-Host ''
    Disconnect-MgGraph | Out-Null
}
finally {
    if ($emulator) {
        Stop-MgGraphEmulator -Emulator $emulator
        Write-Host 'Emulator stopped.'
    }
}
