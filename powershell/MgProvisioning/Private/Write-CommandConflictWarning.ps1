function Write-CommandConflictWarning {
    <#
    .SYNOPSIS
    Warns once at import when a loaded Microsoft Graph module exports commands with this module's names.

    .DESCRIPTION
    The most recently imported module wins an unqualified command name, so after this import those names run
    MgProvisioning's commands. The warning names them and shows how to call either module's command by its
    module-qualified name.
    #>
    [CmdletBinding()]
    param()

    $overriddenCommands = [ordered]@{
        'Microsoft.Graph.Authentication'    = @('Connect-MgGraph', 'Disconnect-MgGraph', 'Get-MgContext', 'Get-MgEnvironment', 'Add-MgEnvironment', 'Remove-MgEnvironment')
        'Microsoft.Graph.Beta.Applications' = @('New-MgBetaApplicationSynchronizationJobOnDemand', 'New-MgBetaServicePrincipalSynchronizationJobOnDemand')
        'Microsoft.Graph.Applications'      = @('New-MgApplicationSynchronizationJobOnDemand', 'New-MgServicePrincipalSynchronizationJobOnDemand')
    }

    $loaded = @(Get-Module -Name @($overriddenCommands.Keys))
    if ($loaded.Count -eq 0) {
        return
    }

    $parts = foreach ($moduleName in $overriddenCommands.Keys) {
        if ($loaded.Name -contains $moduleName) {
            "$moduleName ($($overriddenCommands[$moduleName] -join ', '))"
        }
    }

    $example = $overriddenCommands[$loaded[0].Name][0]
    $PSCmdlet.WriteWarning(
        "These commands of $($parts -join ' and ') now run MgProvisioning's commands, because MgProvisioning was imported after them. " +
        "Call either one by its module-qualified name, such as $($loaded[0].Name)\$example or MgProvisioning\$example. " +
        'Each module keeps its own connection, so connect with the Connect-MgGraph of the module whose commands you call.')
}
