# Helpers shared by the benchmark scripts in this folder: the emulator, statistics and machine facts.

Set-StrictMode -Version 3.0

# The built-in tenant's first application, its SCIM job and the job's user rule.
$script:ApplicationId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
$script:JobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
$script:RuleId = 'e1a2b3c4-0001-4000-8000-000000000001'
$script:UserId = '11111111-aaaa-4bbb-8ccc-000000000002'

function Get-BenchTarget {
    <#
    .SYNOPSIS
    Returns the application, job, rule and user ids of the built-in tenant that every per-call benchmark uses.
    #>
    [pscustomobject]@{
        ApplicationId = $script:ApplicationId
        JobId         = $script:JobId
        RuleId        = $script:RuleId
        UserId        = $script:UserId
        Path          = "/beta/applications/$script:ApplicationId/synchronization/jobs/$script:JobId/provisionOnDemand"
        BodyJson      = '{"parameters":[{"ruleId":"' + $script:RuleId + '","subjects":[{"objectId":"' + $script:UserId + '","objectTypeName":"User"}]}]}'
        ParametersJson = '[{"ruleId":"' + $script:RuleId + '","subjects":[{"objectId":"' + $script:UserId + '","objectTypeName":"User"}]}]'
    }
}

function Start-BenchEmulator {
    <#
    .SYNOPSIS
    Starts mg-graph-emulator on 127.0.0.1 with its control API and the given throttle, and mints a token.

    .DESCRIPTION
    Returns BaseUrl, Process, Token (plain text, for curl and the C program) and the task that drains the emulator's
    standard error, which gets one line per request and would block the emulator once the pipe is full.
    #>
    param(
        [Parameter(Mandatory)] [string] $EmulatorPath,
        [string] $Throttle = 'off'
    )

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($EmulatorPath)
    foreach ($argument in '--port', '0', '--control', '--throttle', $Throttle) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)

    $firstLine = $process.StandardOutput.ReadLineAsync()
    if (-not $firstLine.Wait([TimeSpan]::FromSeconds(20)) -or -not $firstLine.Result) {
        $process.Kill()
        throw "The emulator at $EmulatorPath did not print its URL within 20 s."
    }
    $baseUrl = $firstLine.Result.Trim().TrimEnd('/')
    $standardError = $process.StandardError.ReadToEndAsync()

    $answer = Invoke-RestMethod -Method Post -Uri "$baseUrl/_emulator/token" -ContentType 'application/json' -Body '{}' -NoProxy
    [pscustomobject]@{
        BaseUrl       = $baseUrl
        Process       = $process
        Token         = [string] $answer.access_token
        StandardError = $standardError
    }
}

function Stop-BenchEmulator {
    param([Parameter(Mandatory)] $Emulator)

    if (-not $Emulator.Process.HasExited) {
        $Emulator.Process.Kill()
    }
    [void] $Emulator.Process.WaitForExit(5000)
    $Emulator.Process.Dispose()
}

function Get-EmulatorRequestLog {
    <#
    .SYNOPSIS
    Returns the emulator's request log (the last 10,000 requests, oldest first) as objects with method, path and status.
    #>
    param([Parameter(Mandatory)] $Emulator)

    (Invoke-RestMethod -Uri "$($Emulator.BaseUrl)/_emulator/requests" -NoProxy).value
}

function Get-Percentile {
    <#
    .SYNOPSIS
    Returns the nearest-rank percentile of the values: the smallest value that at least Percent % of them do not exceed.
    #>
    param(
        [Parameter(Mandatory)] [double[]] $Values,
        [Parameter(Mandatory)] [ValidateRange(0, 100)] [double] $Percent
    )

    $sorted = [double[]] $Values.Clone()
    [System.Array]::Sort($sorted)
    $rank = [math]::Max(1, [math]::Ceiling($Percent / 100 * $sorted.Length))
    $sorted[$rank - 1]
}

function Get-Median {
    param([Parameter(Mandatory)] [double[]] $Values)

    $sorted = [double[]] $Values.Clone()
    [System.Array]::Sort($sorted)
    $middle = [math]::Floor($sorted.Length / 2)
    if ($sorted.Length % 2) {
        return $sorted[$middle]
    }
    ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function Get-FirstOutputLine {
    # Returns the first line that a tool prints for its version, or 'not found'.
    param([string] $Command, [string[]] $ArgumentList)

    if (-not (Get-Command $Command -CommandType Application -ErrorAction SilentlyContinue)) {
        return 'not found'
    }
    $output = & $Command @ArgumentList 2>&1 | Select-Object -First 1
    [string] $output
}

function Get-MachineInfo {
    <#
    .SYNOPSIS
    Returns the CPU model, core count, memory, OS and tool versions of this machine, for the report's header.
    #>
    $cpu = 'unknown'
    $memory = 'unknown'
    $os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
    if (Test-Path -LiteralPath '/proc/cpuinfo') {
        $modelLine = Select-String -LiteralPath '/proc/cpuinfo' -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1
        if ($modelLine) {
            $cpu = $modelLine.Matches[0].Groups[1].Value.Trim()
        }
    }
    if (Test-Path -LiteralPath '/proc/meminfo') {
        $totalLine = Select-String -LiteralPath '/proc/meminfo' -Pattern '^MemTotal:\s*(\d+)\s*kB' | Select-Object -First 1
        if ($totalLine) {
            $memory = '{0:N1} GiB' -f ([double] $totalLine.Matches[0].Groups[1].Value / 1MB)
        }
    }
    if (Test-Path -LiteralPath '/etc/os-release') {
        $prettyName = Select-String -LiteralPath '/etc/os-release' -Pattern '^PRETTY_NAME="?([^"]+)"?$' | Select-Object -First 1
        if ($prettyName -and $prettyName.Matches[0].Groups[1].Value -ne $os) {
            $os = "$($prettyName.Matches[0].Groups[1].Value) ($os)"
        }
    }

    [ordered]@{
        cpu    = $cpu
        cores  = [Environment]::ProcessorCount
        memory = $memory
        os     = $os
        pwsh   = $PSVersionTable.PSVersion.ToString()
        dotnet = [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        rustc  = Get-FirstOutputLine 'rustc' @('-V')
        curl   = Get-FirstOutputLine 'curl' @('--version')
        cc     = Get-FirstOutputLine 'cc' @('--version')
    }
}

Export-ModuleMember -Function Get-BenchTarget, Start-BenchEmulator, Stop-BenchEmulator, Get-EmulatorRequestLog,
    Get-Percentile, Get-Median, Get-MachineInfo
