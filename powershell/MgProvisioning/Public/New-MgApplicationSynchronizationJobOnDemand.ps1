function New-MgApplicationSynchronizationJobOnDemand {
    <#
    .SYNOPSIS
    Provisions one user or group on demand through an application's synchronization job (Graph v1.0).

    .DESCRIPTION
    Calls POST /v1.0/applications/{ApplicationId}/synchronization/jobs/{SynchronizationJobId}/provisionOnDemand,
    which provisions the subjects in the body right away instead of waiting for the next provisioning cycle.
    Graph allows 5 requests per 10 seconds for this action, and it provisions only subjects that the regular
    cycle would provision too.

    The body comes from -Parameters and -AdditionalProperties (the Expanded parameter sets) or from
    -BodyParameter. Each takes a hashtable, an [ordered] dictionary, a PSCustomObject such as ConvertFrom-Json
    returns, or JSON text. Keys match without regard to case and are sent in Graph's camelCase. A key that a
    parameters entry or a subject does not have is dropped with a warning that names the closest known key.

    The identity comes from -ApplicationId and -SynchronizationJobId, or from -InputObject: any object or
    hashtable with ApplicationId and SynchronizationJobId properties (other identity properties are ignored).

    A 200 answer is output as one object with Key and Value (the strings exactly as Graph sent them, usually JSON
    text) and AdditionalProperties. A Skipped or Failure result inside Key and Value is output like any other
    result. Graph and connection errors are non-terminating errors; invalid input stops the command before
    anything is sent.

    Run Connect-MgGraph from this module first.

    .PARAMETER ApplicationId
    The object id of the application (not its appId). Sent as given, percent-encoded in the path.

    .PARAMETER SynchronizationJobId
    The id of the synchronization job, such as 'scim.8f14e45fceea167a5a36dedd4bea2543'. Job ids contain dots
    and are never GUIDs.

    .PARAMETER InputObject
    An identity that holds ApplicationId and SynchronizationJobId, such as @{ ApplicationId = '...';
    SynchronizationJobId = '...' } or a PSCustomObject. Property names match without regard to case. A missing
    or empty id stops the command with an InvalidArgument error. Accepts pipeline input.

    .PARAMETER BodyParameter
    The whole request body: an object with a 'parameters' array, and any other members Graph should receive.
    Accepts pipeline input in the Provision parameter set only, so a piped identity is never sent as a body.

    .PARAMETER Parameters
    The entries of the body's 'parameters' array. Each entry has RuleId (the id of the synchronization rule) and
    Subjects (objects with ObjectId, ObjectTypeName and optional Links with Manager, Members and Owners). A single
    entry needs no array around it.

    .PARAMETER AdditionalProperties
    Members to add to the body next to 'parameters', sent with their names as given.

    .PARAMETER Headers
    Request headers to add, as a dictionary from name to value. A 'client-request-id' given here replaces the
    generated one. Authorization, Content-Type, Content-Length and Host cannot be set this way.

    .PARAMETER ResponseHeadersVariable
    The name of a variable that receives the response headers in the caller's scope: a case-insensitive
    dictionary from header name to string array. It is also set when Graph answers with an error.

    .PARAMETER Break
    Waits for a debugger to attach before the call. Accepted for compatibility; it does nothing yet.

    .PARAMETER HttpPipelineAppend
    Steps to run innermost in the HTTP pipeline. Accepted for compatibility; they are not run yet.

    .PARAMETER HttpPipelinePrepend
    Steps to run outermost in the HTTP pipeline. Accepted for compatibility; they are not run yet.

    .PARAMETER Proxy
    The URI of a proxy server. Accepted for compatibility; requests do not use it yet.

    .PARAMETER ProxyCredential
    Credentials for the proxy server. Accepted for compatibility; requests do not use them yet.

    .PARAMETER ProxyUseDefaultCredentials
    Uses the current user's credentials for the proxy. Accepted for compatibility; it does nothing yet.

    .PARAMETER WhatIf
    Shows the operation and the remote call without sending anything.

    .PARAMETER Confirm
    Asks for confirmation before sending the request.

    .EXAMPLE
    New-MgApplicationSynchronizationJobOnDemand -ApplicationId $appObjectId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User' } }

    Provisions one Entra ID user to a SaaS application.

    .EXAMPLE
    $body = @{ parameters = @(@{ ruleId = $ruleId; subjects = @(@{ objectId = 'CN=Doe\, Jane,OU=Staff,DC=corp,DC=example,DC=com'; objectTypeName = 'user' }) }) }
    New-MgApplicationSynchronizationJobOnDemand -ApplicationId $appObjectId -SynchronizationJobId $jobId -BodyParameter $body

    Provisions an on-premises AD user with Cloud Sync, identified by its distinguished name.

    .EXAMPLE
    @{ ApplicationId = $appObjectId; SynchronizationJobId = $jobId } | New-MgApplicationSynchronizationJobOnDemand -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $groupId; ObjectTypeName = 'Group'; Links = @{ Members = @(@{ ObjectId = $userId; ObjectTypeName = 'User' }) } } }

    Provisions a group with one of its members, taking the identity from the pipeline.

    .EXAMPLE
    $result = New-MgApplicationSynchronizationJobOnDemand -ApplicationId $appObjectId -SynchronizationJobId $jobId -Parameters $entry -ResponseHeadersVariable headers
    ($result.Key | ConvertFrom-Json).result
    $headers['request-id']

    Reads the overall result (Success, Skipped or Failure) from Key and the request id from the response headers.

    .INPUTS
    System.Object. An identity with ApplicationId and SynchronizationJobId, or a body in the Provision parameter set.

    .OUTPUTS
    Microsoft.Graph.PowerShell.Models.MicrosoftGraphStringKeyStringValuePair. An object with Key, Value and
    AdditionalProperties.

    .NOTES
    New-MgBetaApplicationSynchronizationJobOnDemand calls the same action on Graph's beta endpoint.

    .LINK
    Connect-MgGraph

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.applications/new-mgapplicationsynchronizationjobondemand
    #>
    [CmdletBinding(DefaultParameterSetName = 'ProvisionExpanded', PositionalBinding = $false,
        SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('Microsoft.Graph.PowerShell.Models.IMicrosoftGraphStringKeyStringValuePair')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ProvisionExpanded')]
        [Parameter(Mandatory, ParameterSetName = 'Provision')]
        [Alias('ObjectId')]
        [string] $ApplicationId,

        [Parameter(Mandatory, ParameterSetName = 'ProvisionExpanded')]
        [Parameter(Mandatory, ParameterSetName = 'Provision')]
        [string] $SynchronizationJobId,

        [Parameter(Mandatory, ValueFromPipeline, ParameterSetName = 'ProvisionViaIdentityExpanded')]
        [Parameter(Mandatory, ValueFromPipeline, ParameterSetName = 'ProvisionViaIdentity')]
        [object] $InputObject,

        [Parameter(Mandatory, ValueFromPipeline, ParameterSetName = 'Provision')]
        [Parameter(Mandatory, ParameterSetName = 'ProvisionViaIdentity')]
        [object] $BodyParameter,

        [Parameter(ParameterSetName = 'ProvisionExpanded')]
        [Parameter(ParameterSetName = 'ProvisionViaIdentityExpanded')]
        [object[]] $Parameters,

        [Parameter(ParameterSetName = 'ProvisionExpanded')]
        [Parameter(ParameterSetName = 'ProvisionViaIdentityExpanded')]
        [object] $AdditionalProperties,

        [System.Collections.IDictionary] $Headers,

        [Alias('RHV')]
        [string] $ResponseHeadersVariable,

        [switch] $Break,

        [scriptblock[]] $HttpPipelineAppend,

        [scriptblock[]] $HttpPipelinePrepend,

        [uri] $Proxy,

        [pscredential] $ProxyCredential,

        [switch] $ProxyUseDefaultCredentials
    )

    begin {
        # A script module reads preference variables from its own scope chain, not the caller's,
        # so take the caller's WhatIf and Confirm preferences unless the switches were given.
        if (-not $PSBoundParameters.ContainsKey('WhatIf')) {
            $WhatIfPreference = $PSCmdlet.SessionState.PSVariable.GetValue('WhatIfPreference')
        }
        if (-not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = $PSCmdlet.SessionState.PSVariable.GetValue('ConfirmPreference')
        }
    }

    process {
        $operation = "New-MgApplicationSynchronizationJobOnDemand_$($PSCmdlet.ParameterSetName)"
        $target = "Call remote 'POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/provisionOnDemand' operation"
        if (-not $PSCmdlet.ShouldProcess($target, $operation)) {
            return
        }

        $terminatingError = [MgProvisioning.ProvisionCall]::Invoke($PSCmdlet, [MgProvisioning.ProvisionCommand]::Application, $PSBoundParameters)
        if ($null -ne $terminatingError) {
            $PSCmdlet.ThrowTerminatingError($terminatingError)
        }
    }
}
