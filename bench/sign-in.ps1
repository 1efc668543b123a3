<#
.SYNOPSIS
Measures the time from Connect-MgGraph to the first provisioning result against the emulator, with a certificate
and with a client secret.

.DESCRIPTION
Starts the emulator from the built module (throttling off), registers one client with a random secret and a
certificate generated here, and times, for each credential, Connect-MgGraph followed by one
New-MgBetaApplicationSynchronizationJobOnDemand call until its result arrives. Each run starts disconnected:

- in-process (the default): Disconnect-MgGraph before each run, after one warm-up run that is not counted;
- -FreshSession: each run in a new pwsh that imports the module first; only Connect-MgGraph and the call are
  timed, so the figure includes first-use costs (JIT, native library load) but not pwsh start-up or the import.

Client-side pacing is turned off for the runs, because 20 calls to one application within 10 s would otherwise
wait for the pacing window. Prints one line per credential with the median, minimum and maximum in milliseconds.
Emulator and client run on the same machine.

.PARAMETER ModulePath
The folder of the built module. Default: out/MgProvisioning beside this script's parent folder.

.PARAMETER Count
Timed runs per credential. Default: 20.

.PARAMETER FreshSession
Runs each measurement in a new pwsh process.

.EXAMPLE
pwsh bench/sign-in.ps1

.EXAMPLE
pwsh bench/sign-in.ps1 -FreshSession -Count 10
#>
[CmdletBinding()]
param(
    [string] $ModulePath = [System.IO.Path]::Combine((Split-Path -Path $PSScriptRoot -Parent), 'out', 'MgProvisioning'),

    [ValidateRange(1, 1000)]
    [int] $Count = 20,

    [switch] $FreshSession
)

$ErrorActionPreference = 'Stop'
$manifest = [System.IO.Path]::Combine([System.IO.Path]::GetFullPath($ModulePath), 'MgProvisioning.psd1')
Import-Module -Name $manifest

$appId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
$jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
$ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
$userId = '11111111-aaaa-4bbb-8ccc-000000000002'

# One timed run: connect with the credential, provision one user, return the elapsed milliseconds. The same text
# runs in this process and, with -FreshSession, in a child pwsh.
$runText = @'
param($Environment, $TenantId, $ClientId, $Secret, $PfxBase64, $Kind, $AppId, $JobId, $RuleId, $UserId)
$certificate = $null
$credential = $null
if ($Kind -eq 'certificate') {
    $certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new([System.Convert]::FromBase64String($PfxBase64), [string] $null, 'Exportable')
}
else {
    $credential = [pscredential]::new($ClientId, (ConvertTo-SecureString -String $Secret -AsPlainText -Force))
}
$entry = @{ RuleId = $RuleId; Subjects = @(@{ ObjectId = $UserId; ObjectTypeName = 'User' }) }
$watch = [System.Diagnostics.Stopwatch]::StartNew()
if ($Kind -eq 'certificate') {
    Connect-MgGraph -ClientId $ClientId -TenantId $TenantId -Certificate $certificate -Environment $Environment -NoWelcome
}
else {
    Connect-MgGraph -TenantId $TenantId -ClientSecretCredential $credential -Environment $Environment -NoWelcome
}
$result = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $AppId -SynchronizationJobId $JobId -Parameters $entry -ErrorAction Stop
$watch.Stop()
if (-not $result.Key) {
    throw 'The provisioning call returned no result.'
}
$null = Disconnect-MgGraph
$watch.Elapsed.TotalMilliseconds
'@
$run = [scriptblock]::Create($runText)

$emulator = Start-MgGraphEmulator -Throttle off -EnvironmentName ('MgpSignInBench' + [guid]::NewGuid().ToString('N').Substring(0, 6))
try {
    $key = [System.Security.Cryptography.RSA]::Create(2048)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new(
        'CN=mgp-sign-in-bench', $key, [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $certificate = $request.CreateSelfSigned([System.DateTimeOffset]::UtcNow.AddDays(-1), [System.DateTimeOffset]::UtcNow.AddDays(1))
    $pfxBase64 = [System.Convert]::ToBase64String($certificate.Export('Pfx'))
    $secret = [System.Convert]::ToBase64String([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(30))
    $client = @{ clientId = [guid]::NewGuid().ToString(); clientSecret = $secret; certificate = $certificate.ExportCertificatePem(); roles = @('Synchronization.ReadWrite.All') }
    $null = Invoke-RestMethod -Method Post -Uri "$($emulator.BaseUrl)/_emulator/clients" -Body (ConvertTo-Json -InputObject $client) -ContentType 'application/json' -NoProxy

    $pacing = (Get-MgRequestContext).Pacing
    $null = Set-MgRequestContext -Pacing $false
    $pwsh = [System.IO.Path]::Combine($PSHOME, $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }))

    foreach ($kind in 'certificate', 'clientSecret') {
        $arguments = @($emulator.Environment, $emulator.TenantId, $client.clientId, $secret, $pfxBase64, $kind, $appId, $jobId, $ruleId, $userId)
        $times = [System.Collections.Generic.List[double]]::new()
        if ($FreshSession) {
            $childScript = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "mgp-sign-in-bench-$([guid]::NewGuid().ToString('N')).ps1")
            # The child re-registers the emulator environment, because user-defined environments last for one process.
            $childText = "param(`$Manifest, `$BaseUrl)`nImport-Module `$Manifest`n`$null = Add-MgEnvironment -Name '$($emulator.Environment)' -GraphEndpoint `$BaseUrl -AzureADEndpoint `$BaseUrl`n`$null = Set-MgRequestContext -Pacing `$false`n& {`n$runText`n} $(($arguments | ForEach-Object { "'$_'" }) -join ' ')"
            [System.IO.File]::WriteAllText($childScript, $childText)
            try {
                for ($index = 0; $index -lt $Count; $index++) {
                    $output = & $pwsh -NoProfile -NonInteractive -File $childScript $manifest $emulator.BaseUrl
                    if ($LASTEXITCODE -ne 0) {
                        throw "The child pwsh failed: $output"
                    }
                    $times.Add([double] ($output | Select-Object -Last 1))
                }
            }
            finally {
                [System.IO.File]::Delete($childScript)
            }
        }
        else {
            $null = & $run @arguments
            for ($index = 0; $index -lt $Count; $index++) {
                $times.Add((& $run @arguments))
            }
        }

        $sorted = @($times | Sort-Object)
        $middle = [int] [math]::Floor($sorted.Count / 2)
        $median = if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
        $mode = if ($FreshSession) { 'fresh pwsh per run' } else { 'in-process after Disconnect-MgGraph' }
        '{0,-12} connect to first result, {1} runs ({2}): median {3:N1} ms, min {4:N1} ms, max {5:N1} ms' -f $kind, $sorted.Count, $mode, $median, $sorted[0], $sorted[-1]
    }
}
finally {
    if ($null -ne $pacing) {
        $null = Set-MgRequestContext -Pacing $pacing
    }
    Stop-MgGraphEmulator -Emulator $emulator
}
