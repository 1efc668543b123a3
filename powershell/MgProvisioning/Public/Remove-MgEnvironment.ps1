function Remove-MgEnvironment {
    <#
    .SYNOPSIS
    Removes a user-defined cloud.

    .DESCRIPTION
    Removes an environment that Add-MgEnvironment added in this process. A built-in or unknown name writes a
    non-terminating error. A connection made to the environment stays open until Disconnect-MgGraph.

    .PARAMETER Name
    The name of the environment to remove, compared without regard to case.

    .PARAMETER WhatIf
    Shows the environment that would be removed, without removing it.

    .PARAMETER Confirm
    Asks for confirmation before removing the environment.

    .EXAMPLE
    Remove-MgEnvironment -Name Emulator

    Removes the environment named Emulator.

    .EXAMPLE
    Get-MgEnvironment | Where-Object Type -eq 'User-defined' | Remove-MgEnvironment

    Removes every user-defined environment.

    .INPUTS
    System.Object. Objects with a Name property.

    .OUTPUTS
    None.

    .LINK
    Add-MgEnvironment
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [string] $Name
    )

    process {
        $notRemovable = [MgProvisioning.GraphSession]::TestRemovable($Name)
        if ($null -ne $notRemovable) {
            $PSCmdlet.WriteError($notRemovable)
            return
        }

        if ($PSCmdlet.ShouldProcess($Name, 'Remove-MgEnvironment')) {
            [void] [MgProvisioning.GraphSession]::RemoveEnvironment($Name)
        }
    }
}
