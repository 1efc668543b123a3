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

    Throttled answers (429, 503, 504) are retried, and calls wait for a free slot under Graph's rate limit before
    they are sent; Set-MgRequestContext changes both. -Verbose reports each step (sending, waiting for the rate
    limit, retrying), and a wait of more than one second shows a progress bar. -Debug shows the request and the
    response without the Authorization header or any secret.

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
    Waits for a debugger before the call. Writes 'Waiting for debugger to attach to process <pid>' to the process's
    standard error (as Microsoft's module does), then waits until a .NET debugger attaches, or on Linux a native one
    such as gdb, and breaks into a .NET debugger. Ctrl+C ends the wait.

    .PARAMETER HttpPipelineAppend
    Script blocks that run innermost around the HTTP request, after the -HttpPipelinePrepend steps, in array order.
    Each is called as param($Request, $Next). $Request has Method, Uri, Headers (a case-insensitive dictionary:
    $Request.Headers['Name'] = 'value' replaces a header, .Add('Name', 'value') adds a value) and Content (the body
    text). A step returns & $Next $Request, whose result has StatusCode, Headers and Content, or returns its own
    object with StatusCode, Headers and Content to answer without sending. Steps run outside the retries and the
    Authorization header, which they never see. A step that throws is reported as an error naming it, and its
    request is not sent. The Uri's scheme, host and port cannot change.

    .PARAMETER HttpPipelinePrepend
    Script blocks that run outermost around the HTTP request, before the -HttpPipelineAppend steps, in array
    order. They take the same param($Request, $Next) form as -HttpPipelineAppend.

    .PARAMETER Proxy
    The URI of an http or https proxy to send the request through, such as http://proxy.example.com:8080. Without
    it, the HTTPS_PROXY, HTTP_PROXY and NO_PROXY environment variables apply.

    .PARAMETER ProxyCredential
    The user name and password for the proxy's Basic authentication. Needs -Proxy. The password is never shown in
    output, errors or -Debug text.

    .PARAMETER ProxyUseDefaultCredentials
    Authenticates to the proxy with the signed-in user's integrated credentials. Not supported: the command stops
    with an error that says so. Use -ProxyCredential for a proxy that takes Basic authentication.

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

    .EXAMPLE
    $tag = { param($Request, $Next) $Request.Headers['x-correlation-id'] = 'batch-7'; & $Next $Request }
    New-MgApplicationSynchronizationJobOnDemand -ApplicationId $appObjectId -SynchronizationJobId $jobId -Parameters $entry -HttpPipelinePrepend $tag -Proxy http://proxy.example.com:8080 -ProxyCredential $proxyCredential

    Adds a header to the request in a pipeline step and sends it through a proxy that takes Basic authentication.

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
    Set-MgRequestContext

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
