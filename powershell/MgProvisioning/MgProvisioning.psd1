@{
    RootModule           = 'MgProvisioning.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '6fa32a8a-bafd-4296-828c-8815e5040d3d'
    Author               = 'MgProvisioning contributors'
    CompanyName          = 'Unknown'
    Copyright            = '(c) MgProvisioning contributors. MIT License.'
    Description          = 'Provisions users and groups on demand through Microsoft Graph synchronization jobs. A drop-in replacement for New-MgBetaApplicationSynchronizationJobOnDemand and its siblings, with a native core, plus the Connect-MgGraph and environment commands they need.'
    PowerShellVersion    = '7.4'

    # The interop assembly holds the P/Invoke layer; it finds the native library under runtimes/<rid>/native.
    RequiredAssemblies   = @('MgProvisioning.Interop.dll')
    FormatsToProcess     = @('MgProvisioning.Format.ps1xml')

    FunctionsToExport    = @(
        'New-MgBetaApplicationSynchronizationJobOnDemand'
        'New-MgBetaServicePrincipalSynchronizationJobOnDemand'
        'New-MgApplicationSynchronizationJobOnDemand'
        'New-MgServicePrincipalSynchronizationJobOnDemand'
        'Connect-MgGraph'
        'Disconnect-MgGraph'
        'Get-MgContext'
        'Get-MgEnvironment'
        'Add-MgEnvironment'
        'Remove-MgEnvironment'
        'Set-MgRequestContext'
        'Get-MgRequestContext'
        'Start-MgGraphEmulator'
        'Stop-MgGraphEmulator'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()

    PrivateData          = @{
        PSData = @{
            Tags = @('MicrosoftGraph', 'Graph', 'EntraID', 'AzureAD', 'Provisioning', 'SCIM', 'Synchronization', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows')
        }
    }
}
