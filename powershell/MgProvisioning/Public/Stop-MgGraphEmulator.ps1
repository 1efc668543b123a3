function Stop-MgGraphEmulator {
    <#
    .SYNOPSIS
    Stops a Graph emulator that Start-MgGraphEmulator started and removes its environment.

    .DESCRIPTION
    Asks the emulator to stop (SIGTERM on Linux and macOS), waits up to five seconds, then kills it if it still runs.
    Then removes the environment Start-MgGraphEmulator registered for it. Without -Emulator, stops every emulator
    started in this session. An emulator that has already exited is only cleaned up.

    .PARAMETER Emulator
    The object Start-MgGraphEmulator returned. Accepts pipeline input.

    .PARAMETER WhatIf
    Shows which emulator would be stopped, without stopping it.

    .PARAMETER Confirm
    Asks for confirmation before stopping the emulator.

    .EXAMPLE
    Stop-MgGraphEmulator -Emulator $emulator

    Stops the emulator in $emulator and removes its environment.

    .EXAMPLE
    Stop-MgGraphEmulator

    Stops every emulator started in this session.

    .INPUTS
    MgProvisioning.GraphEmulator. The object Start-MgGraphEmulator returned.

    .OUTPUTS
    None.

    .LINK
    Start-MgGraphEmulator
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType([void])]
    param(
        [Parameter(ValueFromPipeline)]
        [PSTypeName('MgProvisioning.GraphEmulator')]
        [object] $Emulator
    )

    process {
        $targets = if ($PSBoundParameters.ContainsKey('Emulator')) { @($Emulator) } else { @($script:StartedGraphEmulators) }

        foreach ($target in $targets) {
            if (-not $PSCmdlet.ShouldProcess("$($target.BaseUrl) (process $($target.Process.Id))", 'Stop-MgGraphEmulator')) {
                continue
            }

            $process = $target.Process
            if (-not $process.HasExited) {
                if ($IsWindows) {
                    $process.Kill()
                }
                else {
                    # SIGTERM lets the emulator close its connections and exit with code 0. PowerShell has no
                    # alias named kill outside Windows, so this is the system's kill command.
                    $killCommand = Get-Command -Name kill -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
                    if ($killCommand) {
                        & $killCommand.Source -TERM $process.Id 2>$null
                    }
                }
                if (-not $process.WaitForExit(5000)) {
                    Write-Verbose "The emulator (process $($process.Id)) did not stop within 5 s after SIGTERM; killing it."
                    $process.Kill($true)
                    [void] $process.WaitForExit(5000)
                }
            }

            $environment = Get-MgEnvironment -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq $target.Environment -and $_.GraphEndpoint.TrimEnd('/') -eq $target.BaseUrl }
            if ($environment) {
                Remove-MgEnvironment -Name $target.Environment -Confirm:$false -WhatIf:$false
            }

            [void] $script:StartedGraphEmulators.Remove($target)
            Write-Verbose "Stopped the emulator at $($target.BaseUrl)."
        }
    }
}
