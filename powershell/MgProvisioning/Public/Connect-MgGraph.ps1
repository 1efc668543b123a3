function Connect-MgGraph {
    <#
    .SYNOPSIS
    Connects the session to Microsoft Graph with an access token, a client secret, a certificate, a managed identity
    or credentials in environment variables.

    .DESCRIPTION
    Creates the process-wide connection that the provisioning commands of this module use. Connecting again, to the
    same or another environment, replaces the whole connection, and a token of one cloud is never sent to another.

    Ways to sign in:
    - -AccessToken: a token you already have. It is copied into native memory and never renewed. When it is a JWT,
      its claims fill Get-MgContext, and a token whose 'exp' claim has passed is rejected.
    - -ClientSecretCredential with -TenantId: the OAuth 2.0 client-credentials grant with a client secret. The
      credential's user name is the application (client) id and its password the secret.
    - -ClientId and -TenantId with -CertificateThumbprint, -CertificateSubjectName or -Certificate: the
      client-credentials grant with an RS256 client assertion signed by the certificate's private key (RSA, 2048 bits
      or more). The thumbprint and subject name are looked up in the current user's My certificate store
      (Cert:\CurrentUser\My on Windows, ~/.dotnet/corefx/cryptography/x509stores/my on Linux, the default keychain on
      macOS). When several certificates match a subject name, the newest valid one is used.
    - -Identity: a managed identity, through the App Service style endpoint that App Service and Azure Functions set
      in IDENTITY_ENDPOINT and IDENTITY_HEADER. The instance metadata service (169.254.169.254) is not used.
    - -EnvironmentVariable: AZURE_CLIENT_ID and AZURE_TENANT_ID with AZURE_CLIENT_SECRET, or with
      AZURE_CLIENT_CERTIFICATE_PATH (a PEM file holding the certificate and its private key, or a PFX file) and
      AZURE_CLIENT_CERTIFICATE_PASSWORD, as Azure.Identity's EnvironmentCredential reads them.
      AZURE_CLIENT_SEND_CERTIFICATE_CHAIN set to 1 or true sends the chain. AZURE_AUTHORITY_HOST is not read: the
      authority is the -Environment's AzureADEndpoint.

    With a secret, a certificate or a managed identity, the native core requests the token, signs in once here so
    that a wrong secret or certificate fails at once, caches the token until five minutes before it expires and
    renews it without the script noticing; a call answered 401 gets a new token and is sent once more before the
    error is reported. Secrets are copied into native memory, zeroed there when the connection ends, and never appear
    in errors, -Debug or -Verbose output, logs or files. Entra ID's errors come back as a terminating error whose
    message has the AADSTS code and whose Exception.Data has ErrorCode, TraceId and CorrelationId.

    Interactive and device-code sign-in, which Microsoft's Connect-MgGraph also offers, are not supported.

    .PARAMETER AccessToken
    The bearer token for Graph, as a SecureString. A plain string does not bind; convert one with
    ConvertTo-SecureString -AsPlainText -Force, or pass what Get-AzAccessToken -AsSecureString returns.

    .PARAMETER ClientSecretCredential
    A PSCredential whose user name is the application (client) id and whose password is the client secret.

    .PARAMETER ClientId
    The application (client) id of the app registration, for certificate sign-in; with -Identity, the client id of a
    user-assigned managed identity (leave it out for the system-assigned identity).

    .PARAMETER TenantId
    The tenant to sign in to: its id (a GUID) or a verified domain such as contoso.onmicrosoft.com.

    .PARAMETER CertificateThumbprint
    The SHA-1 thumbprint (40 hexadecimal characters) of a certificate with its private key in the current user's
    My certificate store.

    .PARAMETER CertificateSubjectName
    The subject of a certificate with its private key in the current user's My certificate store, such as
    'CN=provisioning-automation' or 'provisioning-automation'.

    .PARAMETER Certificate
    An X509Certificate2 that has its private key (an RSA key of 2048 bits or more). -Certificate wins over
    -CertificateThumbprint, which wins over -CertificateSubjectName.

    .PARAMETER SendCertificateChain
    Whether the client assertion carries the certificate chain (the x5c header), leaf first, as far as this machine
    can build it. Default: $false.

    .PARAMETER Identity
    Signs in with the managed identity of the App Service or Azure Functions app that runs the script.

    .PARAMETER EnvironmentVariable
    Signs in with the client id, tenant and secret or certificate in the AZURE_* environment variables.

    .PARAMETER ContextScope
    Where the connection lives: Process (the default). CurrentUser is accepted for scripts written for Microsoft's
    module, but this module keeps tokens in this process's memory only and writes nothing to disk, so it behaves as
    Process and writes a warning.

    .PARAMETER ClientTimeout
    How long, in seconds, sign-in may take before it fails as timed out. Default: 300. It bounds the token request
    of Connect-MgGraph only; Set-MgRequestContext sets the timeout of later calls.

    .PARAMETER Environment
    The name of the cloud to connect to, as Get-MgEnvironment lists it. Default: Global
    (https://graph.microsoft.com, signing in at https://login.microsoftonline.com). Add your own with
    Add-MgEnvironment.

    .PARAMETER NoWelcome
    Hides the welcome text.

    .EXAMPLE
    $credential = Get-Credential -UserName '00000000-0000-0000-0000-000000000000' -Message 'Client secret'
    Connect-MgGraph -TenantId contoso.onmicrosoft.com -ClientSecretCredential $credential -NoWelcome

    Signs in as an application with a client secret.

    .EXAMPLE
    Connect-MgGraph -ClientId $appId -TenantId $tenantId -CertificateThumbprint 'A909502DD82AE41433E6F83886B00D4277A32A7B'

    Signs in as an application with a certificate from the current user's certificate store.

    .EXAMPLE
    Connect-MgGraph -Identity -NoWelcome

    Signs in with the system-assigned managed identity of an App Service or Azure Functions app.

    .EXAMPLE
    Connect-MgGraph -EnvironmentVariable -NoWelcome

    Signs in with AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH).

    .EXAMPLE
    Connect-MgGraph -AccessToken (Get-AzAccessToken -ResourceTypeName MSGraph -AsSecureString).Token -NoWelcome

    Connects to the global cloud with a token from Azure PowerShell.

    .EXAMPLE
    $emulator = Start-MgGraphEmulator
    Connect-MgGraph -Environment $emulator.Environment -TenantId $emulator.TenantId -ClientSecretCredential $credential

    Signs in to the emulator that ships with the module, with a client registered in its tenant.

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

        [Parameter(Mandatory, ParameterSetName = 'AppSecretCredentialParameterSet')]
        [Alias('SecretCredential', 'Credential')]
        [pscredential] $ClientSecretCredential,

        [Parameter(Mandatory, Position = 0, ParameterSetName = 'AppCertificateParameterSet')]
        [Parameter(ParameterSetName = 'IdentityParameterSet')]
        [Alias('AppId', 'ApplicationId')]
        [string] $ClientId,

        [Parameter(ParameterSetName = 'AppCertificateParameterSet')]
        [Parameter(ParameterSetName = 'AppSecretCredentialParameterSet')]
        [Alias('Audience', 'Tenant')]
        [string] $TenantId,

        [Parameter(Position = 1, ParameterSetName = 'AppCertificateParameterSet')]
        [Alias('CertificateSubject', 'CertificateName')]
        [string] $CertificateSubjectName,

        [Parameter(Position = 2, ParameterSetName = 'AppCertificateParameterSet')]
        [string] $CertificateThumbprint,

        [Parameter(ParameterSetName = 'AppCertificateParameterSet')]
        [bool] $SendCertificateChain = $false,

        [Parameter(ParameterSetName = 'AppCertificateParameterSet')]
        [System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate,

        [Parameter(Mandatory, ParameterSetName = 'IdentityParameterSet')]
        [Alias('ManagedIdentity', 'ManagedServiceIdentity', 'MSI')]
        [switch] $Identity,

        [Parameter(Mandatory, ParameterSetName = 'EnvironmentVariableParameterSet')]
        [switch] $EnvironmentVariable,

        [Parameter(ParameterSetName = 'AppCertificateParameterSet')]
        [Parameter(ParameterSetName = 'AppSecretCredentialParameterSet')]
        [Parameter(ParameterSetName = 'IdentityParameterSet')]
        [Parameter(ParameterSetName = 'EnvironmentVariableParameterSet')]
        [ValidateSet('Process', 'CurrentUser')]
        [string] $ContextScope = 'Process',

        [ValidateRange(0.001, 4294967)]
        [double] $ClientTimeout = 300,

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

    if ($ContextScope -eq 'CurrentUser') {
        Write-Warning 'ContextScope CurrentUser is not supported: MgProvisioning keeps tokens in the memory of this process only and writes nothing to disk, so the connection lasts as long as this process, as with ContextScope Process.'
    }

    $context = $null
    if ($PSCmdlet.ParameterSetName -eq 'AccessTokenParameterSet') {
        $connectError = [MgProvisioning.GraphSession]::Connect($Environment, $AccessToken, $userAgent, $Host.Version, [ref] $context)
        if ($null -ne $connectError) {
            $PSCmdlet.ThrowTerminatingError($connectError)
        }
    }
    else {
        $credential = $null
        $credentialError = switch ($PSCmdlet.ParameterSetName) {
            'AppSecretCredentialParameterSet' {
                [MgProvisioning.SignInCredential]::FromClientSecret($ClientSecretCredential, $TenantId, [ref] $credential)
            }
            'AppCertificateParameterSet' {
                [MgProvisioning.SignInCredential]::FromCertificate(
                    $ClientId, $TenantId, $Certificate, $CertificateThumbprint, $CertificateSubjectName, $SendCertificateChain, [ref] $credential)
            }
            'IdentityParameterSet' {
                [MgProvisioning.SignInCredential]::FromManagedIdentity($ClientId, [ref] $credential)
            }
            'EnvironmentVariableParameterSet' {
                [MgProvisioning.SignInCredential]::FromEnvironmentVariables([ref] $credential)
            }
        }
        if ($null -ne $credentialError) {
            $PSCmdlet.ThrowTerminatingError($credentialError)
        }

        try {
            $connectError = [MgProvisioning.GraphSession]::ConnectWithCredential(
                $PSCmdlet, $Environment, $credential, $userAgent, $Host.Version, $ClientTimeout, [ref] $context)
        }
        finally {
            $credential.Dispose()
        }
        if ($null -ne $connectError) {
            $PSCmdlet.ThrowTerminatingError($connectError)
        }
    }

    if (-not $NoWelcome) {
        # Microsoft's welcome text names the auth type in lower case, such as 'apponly' or 'managedidentity'.
        $authType = $context.AuthType.ToLowerInvariant()
        $welcome = [System.Text.StringBuilder]::new()
        [void] $welcome.AppendLine('Welcome to Microsoft Graph!').AppendLine()
        if ($context.ClientId) {
            [void] $welcome.AppendLine("Connected via $authType access using $($context.ClientId)")
        }
        else {
            [void] $welcome.AppendLine("Connected via $authType access")
        }

        [void] $welcome.AppendLine('Readme: README.md at the root of the MgProvisioning repository').AppendLine()
        [void] $welcome.Append('NOTE: You can use the -NoWelcome parameter to suppress this message.')

        # The PSHOST tag is what Write-Host uses: the text shows on the host and can be redirected with 6>.
        $message = [System.Management.Automation.HostInformationMessage]@{ Message = $welcome.ToString() }
        $PSCmdlet.WriteInformation($message, [string[]] 'PSHOST')
    }
}
