function Set-MgRequestContext {
    <#
    .SYNOPSIS
    Sets the retries, the time limit and the pacing of every Graph call in this process.

    .DESCRIPTION
    Changes the transport settings that every provisioning command of this module uses from its next call on.
    Parameters that are not given keep their current values. The settings are process-wide: every runspace of the
    process shares them, and they last until the process ends or they are set again.

    Retries: an answer of 429 (Too Many Requests), 503 (Service Unavailable) or 504 (Gateway Timeout) is retried up
    to MaxRetry times. The wait before a retry is the answer's Retry-After (seconds or an HTTP date) when it has one,
    else RetryDelay seconds, doubled on each further retry. RetriesTimeLimit caps the total wait between retries of
    one call. ClientTimeout bounds a whole call, retries and waits included.

    Pacing, which Microsoft's module lacks: before sending, a call waits for a free slot so that no more than
    PacingLimit calls start within any PacingWindow, counted per Graph endpoint and application across the whole
    process. Graph allows 5 provisionOnDemand calls per 10 seconds per application, the default, so a loop over many
    subjects waits instead of being answered with 429.

    Returns the settings now in effect, as Get-MgRequestContext does.

    .PARAMETER MaxRetry
    How many times a 429, 503 or 504 answer is retried: 0 (no retries) to 10. Default 3.

    .PARAMETER RetryDelay
    The wait in seconds before the first retry when the answer has no Retry-After: 0 to 180. It doubles on each
    further retry. Default 3.

    .PARAMETER RetriesTimeLimit
    The longest total wait in seconds between the retries of one call: 0 to 86400, where 0 means no limit. A retry
    whose wait would go past the limit is not made, and the last answer is reported. Default 0.

    .PARAMETER ClientTimeout
    The time limit in seconds of one call, retries and waits included: 1 to 86400. Default 300.

    .PARAMETER Pacing
    Whether calls wait for a free slot under the rate limit before they are sent. Default $true.

    .PARAMETER PacingLimit
    The number of calls that may start within one pacing window, per Graph endpoint and application: 1 to 1000.
    Default 5.

    .PARAMETER PacingWindow
    The length in seconds of the sliding pacing window: 1 to 3600. Default 10.

    .PARAMETER WhatIf
    Shows the change without making it.

    .PARAMETER Confirm
    Asks for confirmation before changing the settings.

    .EXAMPLE
    Set-MgRequestContext -MaxRetry 5 -RetryDelay 10

    Retries throttled calls up to five times, waiting 10, 20, 40, 80 and 160 seconds when Graph sends no Retry-After.

    .EXAMPLE
    Set-MgRequestContext -ClientTimeout 60

    Gives up on a call, retries included, after one minute.

    .EXAMPLE
    Set-MgRequestContext -Pacing $false

    Sends every call at once and relies on the retries when Graph answers 429.

    .EXAMPLE
    Set-MgRequestContext -PacingLimit 4 -PacingWindow 10

    Leaves room under Graph's limit for another script that uses the same application.

    .INPUTS
    None.

    .OUTPUTS
    MgProvisioning.RequestContext. ClientTimeout, RetryDelay, MaxRetry, RetriesTimeLimit, Pacing, PacingLimit and
    PacingWindow; the durations as TimeSpan, RetryDelay in seconds.

    .LINK
    Get-MgRequestContext
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType('MgProvisioning.RequestContext')]
    param(
        [ValidateRange(0, 10)]
        [int] $MaxRetry,

        [ValidateRange(0, 180)]
        [int] $RetryDelay,

        [ValidateRange(0, 86400)]
        [int] $RetriesTimeLimit,

        [ValidateRange(1, 86400)]
        [int] $ClientTimeout,

        [bool] $Pacing,

        [ValidateRange(1, 1000)]
        [int] $PacingLimit,

        [ValidateRange(1, 3600)]
        [int] $PacingWindow
    )

    $given = foreach ($name in 'ClientTimeout', 'RetryDelay', 'MaxRetry', 'RetriesTimeLimit', 'Pacing', 'PacingLimit', 'PacingWindow') {
        if ($PSBoundParameters.ContainsKey($name)) {
            "$name $($PSBoundParameters[$name])"
        }
    }
    if (-not $given) {
        return [MgProvisioning.RequestContextStore]::Current
    }

    if (-not $PSCmdlet.ShouldProcess('the request context of this process', "Set $($given -join ', ')")) {
        return
    }

    [MgProvisioning.RequestContextStore]::Update(
        $(if ($PSBoundParameters.ContainsKey('ClientTimeout')) { $ClientTimeout } else { $null }),
        $(if ($PSBoundParameters.ContainsKey('RetryDelay')) { $RetryDelay } else { $null }),
        $(if ($PSBoundParameters.ContainsKey('MaxRetry')) { $MaxRetry } else { $null }),
        $(if ($PSBoundParameters.ContainsKey('RetriesTimeLimit')) { $RetriesTimeLimit } else { $null }),
        $(if ($PSBoundParameters.ContainsKey('Pacing')) { $Pacing } else { $null }),
        $(if ($PSBoundParameters.ContainsKey('PacingLimit')) { $PacingLimit } else { $null }),
        $(if ($PSBoundParameters.ContainsKey('PacingWindow')) { $PacingWindow } else { $null }))
}
