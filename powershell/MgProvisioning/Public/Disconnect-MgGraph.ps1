function Disconnect-MgGraph {
    <#
    .SYNOPSIS
    Signs the session out of Microsoft Graph.

    .DESCRIPTION
    Frees the process-wide connection that Connect-MgGraph created and zeroes its token, and the client secret,
    private key or managed-identity header it signed in with, in native memory. A call still running in another
    runspace finishes first. Returns the context it signed out of; when the session is
    not connected, writes the non-terminating error 'No application to sign out from.'.

    .EXAMPLE
    Disconnect-MgGraph | Out-Null

    Signs out and discards the returned context.

    .EXAMPLE
    Disconnect-MgGraph -ErrorAction SilentlyContinue

    Signs out if connected, and says nothing when the session was not connected.

    .INPUTS
    None.

    .OUTPUTS
    MgProvisioning.GraphContext. The context that was signed out of.

    .LINK
    Connect-MgGraph
    #>
    [CmdletBinding()]
    [OutputType('MgProvisioning.GraphContext')]
    param()

    $context = [MgProvisioning.GraphSession]::Disconnect()
    if ($null -eq $context) {
        $exception = [System.InvalidOperationException]::new('No application to sign out from.')
        $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new($exception, 'NotConnected', 'InvalidOperation', $null))
        return
    }

    $context
}
