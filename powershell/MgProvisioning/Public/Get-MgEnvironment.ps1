function Get-MgEnvironment {
    <#
    .SYNOPSIS
    Lists the clouds that Connect-MgGraph can connect to.

    .DESCRIPTION
    Returns the built-in environments (Global, USGov, USGovDoD, China, BleuCloud, DelosCloud, GovSGCloud),
    then the ones added with Add-MgEnvironment in this process, each with Name, AzureADEndpoint, GraphEndpoint
    and Type ('Built-in' or 'User-defined').

    .PARAMETER Name
    Returns only the environments whose name matches, without regard to case. Wildcards are allowed. A name
    without wildcards that matches nothing writes a non-terminating error.

    .EXAMPLE
    Get-MgEnvironment

    Lists every environment.

    .EXAMPLE
    Get-MgEnvironment -Name USGov*

    Lists the US Government clouds.

    .INPUTS
    None.

    .OUTPUTS
    MgProvisioning.GraphEnvironment.

    .LINK
    Add-MgEnvironment

    .LINK
    Connect-MgGraph
    #>
    [CmdletBinding()]
    [OutputType('MgProvisioning.GraphEnvironment')]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Name
    )

    $environments = [MgProvisioning.GraphSession]::GetEnvironments()
    if (-not $PSBoundParameters.ContainsKey('Name')) {
        return $environments
    }

    $pattern = [System.Management.Automation.WildcardPattern]::new($Name, 'IgnoreCase')
    $found = $environments.Where({ $pattern.IsMatch($_.Name) })
    if ($found.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Name)) {
        $message = "The environment '$Name' was not found. Run Get-MgEnvironment to list the environments."
        $exception = [System.Management.Automation.ItemNotFoundException]::new($message)
        $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new($exception, 'EnvironmentNotFound', 'ObjectNotFound', $Name))
        return
    }

    $found
}
