function Start-MgGraphEmulator {
    <#
    .SYNOPSIS
    Starts the Graph emulator that ships with the module and registers it as an environment.

    .DESCRIPTION
    Starts mg-graph-emulator from the module's bin/<platform> folder on 127.0.0.1, reads the base URL it prints,
    and registers an environment for it with Add-MgEnvironment, so that Connect-MgGraph -Environment reaches it.
    The emulator stands in for Graph's provisionOnDemand action, the synchronization job and schema reads, the
    token endpoint and a managed identity endpoint, with a built-in tenant or the fixture you give.

    The returned object has:
    - BaseUrl: the emulator's root, such as http://127.0.0.1:40123.
    - Process: the emulator's System.Diagnostics.Process.
    - Environment: the environment name for Connect-MgGraph -Environment.
    - AccessToken: a SecureString token with the Synchronization.ReadWrite.All role, valid for TokenLifetimeSeconds
      (null with -Control $false).
    - NewAccessToken(claims): a method that mints another token through the control API; the hashtable may set roles,
      scp, aud, expiresIn (seconds, negative for an expired token), exp, nbf, appid, tid and claims.
    - TenantId, TokenEndpoint, IdentityEndpoint and IdentityHeader: for client credentials and managed identity.
    - ControlEnabled and Throttle: the settings it runs with.

    The emulator runs until Stop-MgGraphEmulator stops it, also after the PowerShell session ends. Call
    Stop-MgGraphEmulator in a Pester AfterAll block.

    .PARAMETER Port
    The loopback port to listen on. 0, the default, picks a free port.

    .PARAMETER FixturePath
    A JSON fixture file that replaces the built-in tenant (applications, jobs, rules, users, groups, clients,
    managed identities). The emulator's README describes the format. A fixture with an error is rejected at start
    with the JSON path of the error.

    .PARAMETER Throttle
    The provisionOnDemand limit per application, as N/SECONDS (such as '5/10', Graph's limit and the default), or
    'off'.

    .PARAMETER Control
    Whether to serve the control API under /_emulator/ (request log, reset, tokens, clients, faults). On by default,
    because AccessToken and NewAccessToken use it. -Control $false turns it off.

    .PARAMETER EnvironmentName
    The name of the environment to register. The default is MgGraphEmulator. An existing user-defined environment
    of that name is replaced.

    .PARAMETER TokenLifetimeSeconds
    The lifetime, in seconds, of tokens the emulator issues. The default is 3600.

    .PARAMETER AcceptUnsignedTokens
    Lets Graph routes take unsigned (alg none) tokens. The emulator still checks their exp, nbf, aud and permissions.

    .PARAMETER StartTimeoutSeconds
    How long to wait for the emulator to print its URL. The default is 20 seconds.

    .EXAMPLE
    $emulator = Start-MgGraphEmulator
    Connect-MgGraph -Environment $emulator.Environment -AccessToken $emulator.AccessToken -NoWelcome
    New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60' -SynchronizationJobId 'scim.8f14e45fceea167a5a36dedd4bea2543' -Parameters @{ RuleId = 'e1a2b3c4-0001-4000-8000-000000000001'; Subjects = @(@{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000002'; ObjectTypeName = 'User' }) }
    Stop-MgGraphEmulator -Emulator $emulator

    Starts the emulator with its built-in tenant, connects to it, provisions one user and stops it.

    .EXAMPLE
    BeforeAll {
        $emulator = Start-MgGraphEmulator -FixturePath "$PSScriptRoot/tenant.json" -Throttle off -EnvironmentName PesterGraph
        Connect-MgGraph -Environment PesterGraph -AccessToken $emulator.AccessToken -NoWelcome
    }
    AfterAll {
        Stop-MgGraphEmulator -Emulator $emulator
    }

    In a Pester file: starts the emulator with your own tenant and no throttling before the tests, and stops it after.

    .EXAMPLE
    $expired = $emulator.NewAccessToken(@{ expiresIn = -60 })
    $readOnly = $emulator.NewAccessToken(@{ roles = @('Synchronization.Read.All') })

    Mints an expired token and a token without write permission, to test how a script handles 401 and 403.

    .EXAMPLE
    Invoke-RestMethod -Method Post -Uri "$($emulator.BaseUrl)/_emulator/faults" -ContentType 'application/json' -Body '{"fault":"error","status":429,"retryAfter":2,"count":1}'

    Makes the next request answer 429 with Retry-After: 2, to test a script's retries.

    .INPUTS
    None.

    .OUTPUTS
    MgProvisioning.GraphEmulator. The running emulator.

    .LINK
    Stop-MgGraphEmulator

    .LINK
    Connect-MgGraph

    .LINK
    Add-MgEnvironment
    #>
    [CmdletBinding()]
    [OutputType('MgProvisioning.GraphEmulator')]
    param(
        [ValidateRange(0, 65535)]
        [int] $Port = 0,

        [ValidateNotNullOrEmpty()]
        [string] $FixturePath,

        [ValidatePattern('^(off|\d+/\d+(\.\d+)?)$')]
        [string] $Throttle = '5/10',

        [bool] $Control = $true,

        [ValidateNotNullOrEmpty()]
        [string] $EnvironmentName = 'MgGraphEmulator',

        [ValidateRange(1, 86400)]
        [int] $TokenLifetimeSeconds = 3600,

        [switch] $AcceptUnsignedTokens,

        [ValidateRange(1, 600)]
        [int] $StartTimeoutSeconds = 20
    )

    $moduleBase = $MyInvocation.MyCommand.Module.ModuleBase
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $architecture = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    $fileName = if ($IsWindows) { 'mg-graph-emulator.exe' } else { 'mg-graph-emulator' }
    $emulatorPath = [System.IO.Path]::Combine($moduleBase, 'bin', "$os-$architecture", $fileName)
    if (-not [System.IO.File]::Exists($emulatorPath)) {
        $exception = [System.IO.FileNotFoundException]::new("The emulator was not found at '$emulatorPath'. Build the module with 'pwsh ./build.ps1 build', or install a release that ships the emulator for $os-$architecture.", $emulatorPath)
        $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($exception, 'EmulatorNotFound', 'ObjectNotFound', $emulatorPath))
    }

    $fixtureFullPath = $null
    if ($PSBoundParameters.ContainsKey('FixturePath')) {
        $fixtureFullPath = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($FixturePath)
        if (-not [System.IO.File]::Exists($fixtureFullPath)) {
            $exception = [System.IO.FileNotFoundException]::new("The fixture file '$FixturePath' was not found. Give the path of a JSON fixture file.", $fixtureFullPath)
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($exception, 'FixtureNotFound', 'ObjectNotFound', $FixturePath))
        }
    }

    # The identity secret is chosen here so that it is known without the control API.
    $identityHeader = [System.Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32)).ToLowerInvariant()

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($emulatorPath)
    $arguments = @('--port', $Port, '--throttle', $Throttle, '--token-lifetime', $TokenLifetimeSeconds, '--identity-header', $identityHeader)
    if ($Control) {
        $arguments += '--control'
    }
    if ($AcceptUnsignedTokens) {
        $arguments += '--accept-unsigned-tokens'
    }
    if ($fixtureFullPath) {
        $arguments += @('--fixture', $fixtureFullPath)
    }
    foreach ($argument in $arguments) {
        $startInfo.ArgumentList.Add([string] $argument)
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.RedirectStandardInput = $true

    Write-Verbose "Starting $emulatorPath on 127.0.0.1 port $Port (throttle $Throttle, control API $(if ($Control) { 'on' } else { 'off' }))."
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $firstLine = $process.StandardOutput.ReadLineAsync()
    $started = $firstLine.Wait([TimeSpan]::FromSeconds($StartTimeoutSeconds)) -and $firstLine.Result
    if (-not $started) {
        if (-not $process.HasExited) {
            $process.Kill()
        }
        [void] $process.WaitForExit(5000)
        $errorText = $process.StandardError.ReadToEnd().Trim()
        $process.Dispose()
        $exception = [System.InvalidOperationException]::new("The emulator did not start within $StartTimeoutSeconds s. Its error output: $errorText")
        $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($exception, 'EmulatorStartFailed', 'OpenError', $emulatorPath))
    }
    $baseUrl = $firstLine.Result.Trim().TrimEnd('/')

    # The emulator writes one line per request to standard error; draining it keeps a full pipe from blocking it.
    $standardError = $process.StandardError.ReadToEndAsync()
    $standardOutput = $process.StandardOutput.ReadToEndAsync()

    $environment = Add-MgEnvironment -Name $EnvironmentName -GraphEndpoint $baseUrl -AzureADEndpoint $baseUrl -Confirm:$false -WhatIf:$false -ErrorAction Stop

    $emulator = [pscustomobject]@{
        PSTypeName       = 'MgProvisioning.GraphEmulator'
        BaseUrl          = $baseUrl
        Process          = $process
        Environment      = $environment.Name
        AccessToken      = $null
        TenantId         = $null
        TokenEndpoint    = $null
        IdentityEndpoint = "$baseUrl/msi/token"
        IdentityHeader   = $identityHeader
        ControlEnabled   = $Control
        Throttle         = $Throttle
        StandardError    = $standardError
        StandardOutput   = $standardOutput
    }
    $emulator | Add-Member -MemberType ScriptMethod -Name NewAccessToken -Value {
        param([hashtable] $Claims = @{})

        if (-not $this.ControlEnabled) {
            throw "The emulator at $($this.BaseUrl) runs without its control API, so it cannot mint tokens. Start it with -Control `$true."
        }
        $answer = Invoke-RestMethod -Method Post -Uri "$($this.BaseUrl)/_emulator/token" -ContentType 'application/json' -Body (ConvertTo-Json -InputObject $Claims -Depth 5 -Compress) -NoProxy
        ConvertTo-SecureString -String $answer.access_token -AsPlainText -Force
    }

    if ($Control) {
        try {
            $answer = Invoke-RestMethod -Method Post -Uri "$baseUrl/_emulator/token" -ContentType 'application/json' -Body '{}' -NoProxy -ErrorAction Stop
            $emulator.AccessToken = ConvertTo-SecureString -String $answer.access_token -AsPlainText -Force
            $emulator.TenantId = $answer.claims.tid
            $emulator.TokenEndpoint = "$baseUrl/$($answer.claims.tid)/oauth2/v2.0/token"
        }
        catch {
            Stop-MgGraphEmulator -Emulator $emulator -Confirm:$false
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($_.Exception, 'EmulatorTokenFailed', 'ConnectionError', $baseUrl))
        }
    }

    $script:StartedGraphEmulators.Add($emulator)
    Write-Verbose "The emulator listens on $baseUrl as environment '$($environment.Name)'."
    $emulator
}

# Emulators started in this session, for Stop-MgGraphEmulator without -Emulator.
$script:StartedGraphEmulators = [System.Collections.Generic.List[object]]::new()
