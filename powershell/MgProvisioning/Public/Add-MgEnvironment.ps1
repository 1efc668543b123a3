function Add-MgEnvironment {
    <#
    .SYNOPSIS
    Adds a cloud that Connect-MgGraph can connect to.

    .DESCRIPTION
    Adds a user-defined environment for this process; every runspace of the process sees it, and nothing is
    written to disk. Adding a name that already exists as a user-defined environment replaces it. Built-in names
    such as Global are rejected, and both endpoints must be absolute http or https URLs. Connect-MgGraph accepts
    plain http only for a loopback host such as 127.0.0.1.

    .PARAMETER Name
    The name to give the environment.

    .PARAMETER GraphEndpoint
    The Graph root, without a version, such as 'https://graph.microsoft.com'.

    .PARAMETER AzureADEndpoint
    The sign-in authority, such as 'https://login.microsoftonline.com'.

    .PARAMETER WhatIf
    Shows the environment that would be added, without adding it.

    .PARAMETER Confirm
    Asks for confirmation before adding the environment.

    .EXAMPLE
    Add-MgEnvironment -Name Emulator -GraphEndpoint 'http://127.0.0.1:8080' -AzureADEndpoint 'http://127.0.0.1:8080'

    Adds a local Graph emulator as an environment.

    .INPUTS
    System.Object. Objects with Name, GraphEndpoint and AzureADEndpoint properties, such as Get-MgEnvironment returns.

    .OUTPUTS
    MgProvisioning.GraphEnvironment. The environment that was added.

    .LINK
    Get-MgEnvironment

    .LINK
    Remove-MgEnvironment
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MgProvisioning.GraphEnvironment')]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [string] $Name,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [string] $GraphEndpoint,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [string] $AzureADEndpoint
    )

    process {
        $environment = $null
        $invalid = [MgProvisioning.GraphSession]::NewEnvironment($Name, $GraphEndpoint, $AzureADEndpoint, [ref] $environment)
        if ($null -ne $invalid) {
            $PSCmdlet.ThrowTerminatingError($invalid)
        }

        $target = "Name: $Name, GraphEndpoint: $($environment.GraphEndpoint), AzureADEndpoint: $($environment.AzureADEndpoint)"
        if ($PSCmdlet.ShouldProcess($target, 'Add-MgEnvironment')) {
            [MgProvisioning.GraphSession]::SetEnvironment($environment)
            $environment
        }
    }
}
