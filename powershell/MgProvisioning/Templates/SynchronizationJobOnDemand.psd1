# The four provisionOnDemand commands share one source, New-SynchronizationJobOnDemand.ps1.template.
# build.ps1 writes one function per entry, replacing each %%Name%% in the template with the entry's value.
@{
Commands = @(
    @{
        Command        = 'New-MgBetaApplicationSynchronizationJobOnDemand'
        Descriptor     = 'BetaApplication'
        ApiVersion     = 'beta'
        Root           = 'applications'
        WhatIfRoot     = 'applications/{application-id}'
        IdParameter    = 'ApplicationId'
        IdObject       = 'application'
        IdVariable     = 'appObjectId'
        Owner          = "an application's"
        ModelNamespace = 'Microsoft.Graph.Beta.PowerShell.Models'
        HelpUri        = 'https://learn.microsoft.com/powershell/module/microsoft.graph.beta.applications/new-mgbetaapplicationsynchronizationjobondemand'
        Note           = @'
    Graph documents the servicePrincipals form of this action; New-MgBetaServicePrincipalSynchronizationJobOnDemand
    calls it. Both paths run the same job.
'@
    }
    @{
        Command        = 'New-MgBetaServicePrincipalSynchronizationJobOnDemand'
        Descriptor     = 'BetaServicePrincipal'
        ApiVersion     = 'beta'
        Root           = 'servicePrincipals'
        WhatIfRoot     = 'servicePrincipals/{servicePrincipal-id}'
        IdParameter    = 'ServicePrincipalId'
        IdObject       = 'service principal'
        IdVariable     = 'servicePrincipalId'
        Owner          = "a service principal's"
        ModelNamespace = 'Microsoft.Graph.Beta.PowerShell.Models'
        HelpUri        = 'https://learn.microsoft.com/powershell/module/microsoft.graph.beta.applications/new-mgbetaserviceprincipalsynchronizationjobondemand'
        Note           = @'
    This is the form of the action that Graph documents. New-MgBetaApplicationSynchronizationJobOnDemand calls the
    same action through the application's object id.
'@
    }
    @{
        Command        = 'New-MgApplicationSynchronizationJobOnDemand'
        Descriptor     = 'Application'
        ApiVersion     = 'v1.0'
        Root           = 'applications'
        WhatIfRoot     = 'applications/{application-id}'
        IdParameter    = 'ApplicationId'
        IdObject       = 'application'
        IdVariable     = 'appObjectId'
        Owner          = "an application's"
        ModelNamespace = 'Microsoft.Graph.PowerShell.Models'
        HelpUri        = 'https://learn.microsoft.com/powershell/module/microsoft.graph.applications/new-mgapplicationsynchronizationjobondemand'
        Note           = @'
    New-MgBetaApplicationSynchronizationJobOnDemand calls the same action on Graph's beta endpoint.
'@
    }
    @{
        Command        = 'New-MgServicePrincipalSynchronizationJobOnDemand'
        Descriptor     = 'ServicePrincipal'
        ApiVersion     = 'v1.0'
        Root           = 'servicePrincipals'
        WhatIfRoot     = 'servicePrincipals/{servicePrincipal-id}'
        IdParameter    = 'ServicePrincipalId'
        IdObject       = 'service principal'
        IdVariable     = 'servicePrincipalId'
        Owner          = "a service principal's"
        ModelNamespace = 'Microsoft.Graph.PowerShell.Models'
        HelpUri        = 'https://learn.microsoft.com/powershell/module/microsoft.graph.applications/new-mgserviceprincipalsynchronizationjobondemand'
        Note           = @'
    New-MgBetaServicePrincipalSynchronizationJobOnDemand calls the same action on Graph's beta endpoint.
'@
    }
)
}
