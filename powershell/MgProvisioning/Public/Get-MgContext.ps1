function Get-MgContext {
    <#
    .SYNOPSIS
    Gets the details of the current Microsoft Graph connection.

    .DESCRIPTION
    Returns the client id, tenant id, scopes or roles, account, environment and how the session signed in. Returns
    nothing when the session is not connected. The token, the client secret and the private key are never shown.

    - AuthType: UserProvidedAccessToken (-AccessToken), AppOnly (a client secret or a certificate), ManagedIdentity
      or EnvironmentVariable.
    - TokenCredentialType: UserProvidedAccessToken, ClientSecret, ClientCertificate, ManagedIdentity or
      EnvironmentCredential.
    - ClientId and TenantId: as passed to Connect-MgGraph, else from the token's appid and tid claims.
    - Scopes: the token's delegated scopes (scp), or for app-only and managed-identity tokens its roles, read at
      Connect-MgGraph.
    - CertificateThumbprint, CertificateSubjectName and SendCertificateChain: the sign-in certificate, if any.
    - ManagedIdentityId: the client id of a user-assigned managed identity.
    - ContextScope: always Process, because tokens live in this process's memory only.
    - Environment, AppName, Account and PSHostVersion.

    .EXAMPLE
    Connect-MgGraph -ClientId $appId -TenantId $tenantId -CertificateThumbprint $thumbprint -NoWelcome
    Get-MgContext | Select-Object AuthType, TokenCredentialType, ClientId, CertificateThumbprint, Scopes

    Shows how an app-only session signed in and which application roles its token carries.

    .EXAMPLE
    (Get-MgContext).Scopes

    Lists the delegated scopes, or the application roles of an app-only token.

    .EXAMPLE
    if (-not (Get-MgContext)) { Connect-MgGraph -AccessToken $secureToken }

    Connects only when the session is not connected yet.

    .INPUTS
    None.

    .OUTPUTS
    MgProvisioning.GraphContext.

    .LINK
    Connect-MgGraph
    #>
    [CmdletBinding()]
    [OutputType('MgProvisioning.GraphContext')]
    param()

    $context = [MgProvisioning.GraphSession]::GetContext()
    if ($null -ne $context) {
        $context
    }
}
