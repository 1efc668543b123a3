function Get-MgRequestContext {
    <#
    .SYNOPSIS
    Gets the retries, the time limit and the pacing that Graph calls in this process use.

    .DESCRIPTION
    Returns the process-wide transport settings that Set-MgRequestContext changes: ClientTimeout (the time limit
    of one call, retries included), RetryDelay (seconds before the first retry when the answer has no
    Retry-After), MaxRetry (retries of 429, 503 and 504 answers), RetriesTimeLimit (the longest total wait between
    retries; zero means no limit), and the pacing under Graph's rate limit: Pacing (on or off), PacingLimit (calls)
    and PacingWindow. Without Set-MgRequestContext these are 300 s, 3 s, 3, no limit, on, 5 calls and 10 s.

    .EXAMPLE
    Get-MgRequestContext

    Shows the settings in effect.

    .EXAMPLE
    (Get-MgRequestContext).MaxRetry

    Reads one setting.

    .INPUTS
    None.

    .OUTPUTS
    MgProvisioning.RequestContext.

    .LINK
    Set-MgRequestContext
    #>
    [CmdletBinding()]
    [OutputType('MgProvisioning.RequestContext')]
    param()

    [MgProvisioning.RequestContextStore]::Current
}
