function Get-MgContext {
    <#
    .SYNOPSIS
    Gets the details of the current Microsoft Graph connection.

    .DESCRIPTION
    Returns the client id, tenant id, scopes or roles, account, environment and how the session signed in, as
    read from the token's claims at Connect-MgGraph. Returns nothing when the session is not connected. The token
    itself is never shown.

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
