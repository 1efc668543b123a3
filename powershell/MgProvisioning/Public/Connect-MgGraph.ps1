function Connect-MgGraph {
    <#
    .SYNOPSIS
    Connects the session to Microsoft Graph with an access token.

    .DESCRIPTION
    Creates the process-wide connection that the provisioning commands of this module use. The token is copied
    into native memory; no PowerShell variable, log or file of this module keeps it, and Get-MgContext never
    shows it. Connecting again, to the same or another environment, replaces the whole connection.

    When the token is a JWT, its claims fill Get-MgContext (ClientId, TenantId, Scopes, Account, AppName), and a
    token whose 'exp' claim has passed is rejected. Any other token is accepted as is; Graph checks every token on
    each request.

    Microsoft's Connect-MgGraph also signs in interactively, with a client secret, a certificate or a managed
    identity. This module takes an access token only.

    .PARAMETER AccessToken
    The bearer token for Graph, as a SecureString. A plain string does not bind; convert one with
    ConvertTo-SecureString -AsPlainText -Force, or pass what Get-AzAccessToken -AsSecureString returns.

    .PARAMETER Environment
    The name of the cloud to connect to, as Get-MgEnvironment lists it. Default: Global
    (https://graph.microsoft.com). Add your own with Add-MgEnvironment.

    .PARAMETER NoWelcome
    Hides the welcome text.

    .EXAMPLE
    Connect-MgGraph -AccessToken (Get-AzAccessToken -ResourceTypeName MSGraph -AsSecureString).Token -NoWelcome

    Connects to the global cloud with a token from Azure PowerShell.

    .EXAMPLE
    Connect-MgGraph -AccessToken $secureToken -Environment USGov

    Connects to Graph for US Government (https://graph.microsoft.us).

    .EXAMPLE
    Add-MgEnvironment -Name Emulator -GraphEndpoint 'http://127.0.0.1:8080' -AzureADEndpoint 'http://127.0.0.1:8080'
    Connect-MgGraph -Environment Emulator -AccessToken $secureToken

    Connects to a Graph emulator on the local machine.

    .INPUTS
    None.

    .OUTPUTS
    None. The welcome text goes to the host; suppress it with -NoWelcome or redirect it with 6>.

    .LINK
    Get-MgContext

    .LINK
    Disconnect-MgGraph

    .LINK
    Get-MgEnvironment
    #>
    [CmdletBinding(DefaultParameterSetName = 'AccessTokenParameterSet', PositionalBinding = $false)]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'AccessTokenParameterSet')]
        [securestring] $AccessToken,

        [Alias('EnvironmentName', 'NationalCloud')]
        [ArgumentCompleter({
                param($commandName, $parameterName, $wordToComplete)
                [MgProvisioning.GraphSession]::GetEnvironments().Name.Where({ $_ -like "$wordToComplete*" })
            })]
        [ValidateNotNullOrEmpty()]
        [string] $Environment = 'Global',

        [switch] $NoWelcome
    )

    $module = $MyInvocation.MyCommand.Module
    $operatingSystem = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
    $userAgent = "MgProvisioning/$($module.Version) ($operatingSystem; PowerShell $($PSVersionTable.PSVersion))"

    $context = $null
    $connectError = [MgProvisioning.GraphSession]::Connect($Environment, $AccessToken, $userAgent, $Host.Version, [ref] $context)
    if ($null -ne $connectError) {
        $PSCmdlet.ThrowTerminatingError($connectError)
    }

    if (-not $NoWelcome) {
        $welcome = [System.Text.StringBuilder]::new()
        [void] $welcome.AppendLine('Welcome to Microsoft Graph!').AppendLine()
        if ($context.ClientId) {
            [void] $welcome.AppendLine("Connected via userprovidedaccesstoken access using $($context.ClientId)")
        }
        else {
            [void] $welcome.AppendLine('Connected via userprovidedaccesstoken access')
        }

        [void] $welcome.AppendLine('Readme: README.md at the root of the MgProvisioning repository').AppendLine()
        [void] $welcome.Append('NOTE: You can use the -NoWelcome parameter to suppress this message.')

        # The PSHOST tag is what Write-Host uses: the text shows on the host and can be redirected with 6>.
        $message = [System.Management.Automation.HostInformationMessage]@{ Message = $welcome.ToString() }
        $PSCmdlet.WriteInformation($message, [string[]] 'PSHOST')
    }
}
