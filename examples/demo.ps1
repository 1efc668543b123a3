<#
.SYNOPSIS
    Provisions the sample subjects in this folder against the Graph emulator and prints each result.

.DESCRIPTION
    Starts mg-graph-emulator on 127.0.0.1, registers it as an environment, connects to it with a
    test token, provisions every sample (*.json in this folder) with
    New-MgBetaApplicationSynchronizationJobOnDemand, prints each result as a short report, and
    stops the emulator. Nothing leaves this machine.

.PARAMETER ModulePath
    The built module folder. Defaults to out/MgProvisioning in the repository.

.PARAMETER EmulatorPath
    The emulator binary. Defaults to the one inside the built module.

.EXAMPLE
    pwsh ./examples/demo.ps1

    Runs the demo with the module that `pwsh ./build.ps1 build` assembled.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '..' 'out' 'MgProvisioning'),
    [string] $EmulatorPath
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

if (-not $EmulatorPath) {
    $name = if ($IsWindows) { 'mg-graph-emulator.exe' } else { 'mg-graph-emulator' }
    $EmulatorPath = Get-ChildItem -Path (Join-Path $ModulePath 'bin') -Recurse -Filter $name |
        Select-Object -First 1 -ExpandProperty FullName
    if (-not $EmulatorPath) {
        throw "The emulator binary '$name' was not found under '$ModulePath/bin'. Run 'pwsh ./build.ps1 build' first."
    }
}

function ConvertTo-Base64Url([string] $Text) {
    [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Text)).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

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

$process = $null
try {
    $start = [Diagnostics.ProcessStartInfo]::new($EmulatorPath, '--port 0')
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    $baseUrl = $process.StandardOutput.ReadLine()
    if ($baseUrl -notmatch '^http://127\.0\.0\.1:\d+$') {
        throw "The emulator did not print its URL; it printed '$baseUrl'."
    }
    Write-Host "Emulator listening at $baseUrl"

    $environmentName = 'MgProvisioningDemo'
    Add-MgEnvironment -Name $environmentName -GraphEndpoint $baseUrl -AzureADEndpoint $baseUrl | Out-Null
    $claims = @{
        aud   = 'https://graph.microsoft.com'
        tid   = '3f2e1d0c-9b8a-4766-8554-433221100fed'
        appid = '0a1b2c3d-0000-4000-8000-0000000000ff'
        roles = @('Synchronization.ReadWrite.All')
        exp   = [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds()
    }
    $token = (ConvertTo-Base64Url '{"alg":"none","typ":"JWT"}') + '.' + (ConvertTo-Base64Url ($claims | ConvertTo-Json -Compress)) + '.'
    Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -NoWelcome

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
    if ($process -and -not $process.HasExited) {
        # SIGTERM lets the emulator stop cleanly; Windows has no signal, so it is ended there.
        if ($IsWindows) { $process.Kill() } else { & kill -s TERM $process.Id }
        if (-not $process.WaitForExit(5000)) { $process.Kill() }
    }
    Write-Host 'Emulator stopped.'
}
