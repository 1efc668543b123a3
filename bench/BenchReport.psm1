# Turns the results of Invoke-Benchmarks.ps1 into the Markdown table (report.md) and the bar chart (report.svg).

Set-StrictMode -Version 3.0

function Format-Milliseconds([double] $Value) { '{0:N1} ms' -f $Value }
function Format-Microseconds([double] $Value) { '{0:N0} µs' -f $Value }
function Format-Nanoseconds([double] $Value) { if ($Value -ge 1000) { '{0:N2} µs' -f ($Value / 1000) } else { '{0:N0} ns' -f $Value } }
function Format-Mebibytes([double] $Bytes) { '{0:N1} MiB' -f ($Bytes / 1MB) }
function Format-Ratio([double] $Value, [double] $Alternative) { if ($Alternative -eq 0) { '-' } else { '{0:N2}x' -f ($Value / $Alternative) } }
function Format-Difference([double] $Value, [string] $Unit) { '{0}{1:N1} {2}' -f ($(if ($Value -ge 0) { '+' } else { '' }), $Value, $Unit) }

function New-Row {
    param(
        [string] $Section, [string] $Figure, [string] $Value,
        [string] $Alternative = '-', [string] $AlternativeValue = '-', [string] $Comparison = '-',
        [string] $Target = '', [Nullable[bool]] $Met = $null
    )

    [pscustomobject]@{
        Section          = $Section
        Figure           = $Figure
        Value            = $Value
        Alternative      = $Alternative
        AlternativeValue = $AlternativeValue
        Comparison       = $Comparison
        Target           = $Target
        Result           = if ($null -eq $Met) { '' } elseif ($Met) { 'met' } else { '**missed**' }
    }
}

function Test-Key($Dictionary, [string] $Key) {
    $null -ne $Dictionary -and $Dictionary.Contains($Key) -and $null -ne $Dictionary[$Key]
}

function Get-ImportRows($Import) {
    $median = $Import.medianMs
    $overFloor = $median.module - $median.empty
    New-Row 'import' 'Import-Module MgProvisioning (whole process, median)' (Format-Milliseconds $median.module) `
        'pwsh -NoProfile -c exit' (Format-Milliseconds $median.exit) (Format-Ratio $median.module $median.exit)
    New-Row 'import' 'Import-Module MgProvisioning (whole process, median)' (Format-Milliseconds $median.module) `
        'empty module with one function' (Format-Milliseconds $median.empty) (Format-Difference $overFloor 'ms') `
        '< 50 ms over the empty module' ($overFloor -lt 50)
    New-Row 'import' 'interop compiled by Add-Type at import (whole process)' (Format-Milliseconds $median.naive) `
        'this module (RequiredAssemblies)' (Format-Milliseconds $median.module) (Format-Ratio $median.naive $median.module)

    $steps = $Import.stepsMedianMs
    $labels = [ordered]@{ assembly = 'step: load MgProvisioning.Interop.dll'; script = 'step: Import-Module of the .psm1'; format = 'step: Update-FormatData' }
    foreach ($name in $labels.Keys) {
        New-Row 'import' "$($labels[$name]) (in-process)" (Format-Milliseconds $steps[$name]) `
            'whole Import-Module (in-process)' (Format-Milliseconds $steps.whole) ('{0:N0} %' -f (100 * $steps[$name] / $steps.whole))
    }
}

function Get-CallRows($Calls) {
    $cmdlet = $Calls.cmdlet
    if (Test-Key $Calls 'irm') {
        New-Row 'per call' 'cmdlet p50' (Format-Microseconds $cmdlet.p50Us) 'Invoke-RestMethod, reused WebSession, p50' `
            (Format-Microseconds $Calls.irm.p50Us) (Format-Ratio $cmdlet.p50Us $Calls.irm.p50Us) `
            "p50 at or below Invoke-RestMethod's" ($cmdlet.p50Us -le $Calls.irm.p50Us)
        New-Row 'per call' 'cmdlet p99' (Format-Microseconds $cmdlet.p99Us) 'Invoke-RestMethod, reused WebSession, p99' `
            (Format-Microseconds $Calls.irm.p99Us) (Format-Ratio $cmdlet.p99Us $Calls.irm.p99Us)
    }
    if (Test-Key $Calls 'irmConvertTo') {
        New-Row 'per call' 'cmdlet p50' (Format-Microseconds $cmdlet.p50Us) 'Invoke-RestMethod + ConvertTo-Json per call, p50' `
            (Format-Microseconds $Calls.irmConvertTo.p50Us) (Format-Ratio $cmdlet.p50Us $Calls.irmConvertTo.p50Us)
    }
    if (Test-Key $Calls 'abi') {
        $layer = $cmdlet.p50Us - $Calls.abi.p50Us
        New-Row 'per call' 'cmdlet p50' (Format-Microseconds $cmdlet.p50Us) 'C program on the ABI, p50' `
            (Format-Microseconds $Calls.abi.p50Us) (Format-Difference $layer 'µs') '< 1 ms over the ABI at p50' ($layer -lt 1000)
        New-Row 'per call' 'cmdlet p99' (Format-Microseconds $cmdlet.p99Us) 'C program on the ABI, p99' `
            (Format-Microseconds $Calls.abi.p99Us) (Format-Difference ($cmdlet.p99Us - $Calls.abi.p99Us) 'µs')
    }
    if ((Test-Key $Calls 'abi') -and (Test-Key $Calls 'curl')) {
        New-Row 'per call' 'C program on the ABI p50' (Format-Microseconds $Calls.abi.p50Us) 'curl, one process, one connection, p50' `
            (Format-Microseconds $Calls.curl.p50Us) (Format-Ratio $Calls.abi.p50Us $Calls.curl.p50Us)
        New-Row 'per call' 'C program on the ABI p99' (Format-Microseconds $Calls.abi.p99Us) 'curl, one process, one connection, p99' `
            (Format-Microseconds $Calls.curl.p99Us) (Format-Ratio $Calls.abi.p99Us $Calls.curl.p99Us)
    }
    if (Test-Key $Calls 'noOp') {
        New-Row 'per call' 'no-op function, same parameters, p50' (Format-Microseconds $Calls.noOp.p50Us) 'cmdlet p50' `
            (Format-Microseconds $cmdlet.p50Us) ('{0:N0} %' -f (100 * $Calls.noOp.p50Us / $cmdlet.p50Us))
    }
}

function Get-MemoryRows($Memory) {
    $bare = $Memory.bare
    $import = @($Memory.cmdlet | Where-Object { $_.label -eq 'import' })[0]
    $cmdletCalls = @($Memory.cmdlet | Where-Object { $_.calls -gt 0 } | Sort-Object { $_.calls })
    $irmCalls = @($Memory.irm | Where-Object { $_.calls -gt 0 } | Sort-Object { $_.calls })

    $over = $import.workingSet - $bare.workingSet
    New-Row 'memory' 'working set after import' (Format-Mebibytes $import.workingSet) 'bare pwsh' (Format-Mebibytes $bare.workingSet) `
        (Format-Difference ($over / 1MB) 'MiB') '< 15 MiB over bare pwsh' ($over -lt 15MB)
    foreach ($reading in $cmdletCalls) {
        $over = $reading.workingSet - $bare.workingSet
        New-Row 'memory' "working set after $($reading.calls) cmdlet calls" (Format-Mebibytes $reading.workingSet) 'bare pwsh' `
            (Format-Mebibytes $bare.workingSet) (Format-Difference ($over / 1MB) 'MiB') '< 15 MiB over bare pwsh' ($over -lt 15MB)
    }
    foreach ($reading in $irmCalls) {
        $over = $reading.workingSet - $bare.workingSet
        New-Row 'memory' "working set after $($reading.calls) Invoke-RestMethod calls" (Format-Mebibytes $reading.workingSet) 'bare pwsh' `
            (Format-Mebibytes $bare.workingSet) (Format-Difference ($over / 1MB) 'MiB')
    }

    # Growth is counted from the 1,000-call reading, after the first calls have loaded and compiled everything.
    foreach ($entry in @(@('cmdlet', $cmdletCalls, $true), @('Invoke-RestMethod', $irmCalls, $false))) {
        $name, $readings, $hasTarget = $entry
        $first = @($readings | Where-Object { $_.calls -ge 1000 })[0]
        $last = $readings[-1]
        if ($null -eq $first -or $last.calls -le $first.calls) {
            continue
        }
        $growth = $last.workingSet - $first.workingSet
        # Growth under 1 MiB is within the working set's noise between two readings, so it counts as none.
        New-Row 'memory' "working set after $($last.calls) $name calls" (Format-Mebibytes $last.workingSet) "after $($first.calls) calls" `
            (Format-Mebibytes $first.workingSet) (Format-Difference ($growth / 1MB) 'MiB') `
            $(if ($hasTarget) { 'no growth (< 1 MiB)' } else { '' }) $(if ($hasTarget) { $growth -lt 1MB } else { $null })
        New-Row 'memory' "managed heap after $($last.calls) $name calls" (Format-Mebibytes $last.managedHeap) "after $($first.calls) calls" `
            (Format-Mebibytes $first.managedHeap) (Format-Difference (($last.managedHeap - $first.managedHeap) / 1MB) 'MiB')
    }
}

function Get-BulkRows($Bulk, $Calls) {
    # The minimum: the last batch starts (batches - 1) windows in, and then takes one call's time.
    $callSeconds = if ($null -ne $Calls -and (Test-Key $Calls 'cmdlet')) { $Calls.cmdlet.p50Us / 1e6 } else { 0 }
    $minimum = $Bulk.minimumStartSeconds + $callSeconds
    $ratio = $Bulk.elapsedSeconds / $minimum
    New-Row 'bulk' "$($Bulk.subjects) subjects, pacing $($Bulk.pacingLimit) per $($Bulk.pacingWindow) s: total time" `
        ('{0:N2} s' -f $Bulk.elapsedSeconds) 'theoretical minimum' ('{0:N2} s' -f $minimum) (Format-Ratio $Bulk.elapsedSeconds $minimum) `
        'within 5 % of the minimum' ($ratio -le 1.05)
    New-Row 'bulk' '429 answers in the emulator log' ([string] $Bulk.throttled) 'requests logged' ([string] $Bulk.requests) '-' `
        'zero 429s' ($Bulk.throttled -eq 0)
}

function Get-NativeRows($Native) {
    $estimates = $Native.criterionMedianNs
    $pairs = [ordered]@{
        'body/convert_and_to_json'         = 'body/baseline_value_to_string'
        'body/to_json'                     = 'body/baseline_value_to_string'
        'request/resolve'                  = 'request/baseline_parse_value'
        'request/from_json_and_resolve'    = 'request/baseline_parse_value'
        'response/decode_result'           = 'response/baseline_parse_value'
        'response/decode_error_envelope'   = $null
        'response/decode_error_empty_body' = $null
    }
    foreach ($name in $pairs.Keys) {
        if (-not (Test-Key $estimates $name)) {
            continue
        }
        $baseline = $pairs[$name]
        if ($baseline -and (Test-Key $estimates $baseline)) {
            New-Row 'native' "criterion $name (median)" (Format-Nanoseconds $estimates[$name]) "serde_json $($baseline.Split('/')[1]) on the same text" `
                (Format-Nanoseconds $estimates[$baseline]) (Format-Ratio $estimates[$name] $estimates[$baseline])
        }
        else {
            New-Row 'native' "criterion $name (median)" (Format-Nanoseconds $estimates[$name])
        }
    }
    if ($Native.emulatorRequestsPerSecond) {
        New-Row 'native' "emulator, $($Native.emulatorConnections) keep-alive connections" ('{0:N0} requests/s' -f $Native.emulatorRequestsPerSecond)
    }
}

function Get-BenchRows {
    param([Parameter(Mandatory)] $Results)

    $calls = if (Test-Key $Results 'calls') { $Results.calls } else { $null }
    if (Test-Key $Results 'import') { Get-ImportRows $Results.import }
    if ($calls) { Get-CallRows $calls }
    if (Test-Key $Results 'memory') { Get-MemoryRows $Results.memory }
    if (Test-Key $Results 'bulk') { Get-BulkRows $Results.bulk $calls }
    if (Test-Key $Results 'native') { Get-NativeRows $Results.native }
}

function ConvertTo-BenchMarkdown {
    <#
    .SYNOPSIS
    Returns report.md: the machine, then one table row per figure with its alternative, the ratio or difference and the target.
    #>
    param([Parameter(Mandatory)] $Results)

    $machine = $Results.machine
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add('# MgProvisioning benchmarks')
    $lines.Add('')
    $lines.Add("Run $($Results.started) by ``pwsh ./build.ps1 bench`` (bench/Invoke-Benchmarks.ps1), in $([math]::Round($Results.durationSeconds)) s.")
    $lines.Add('')
    $lines.Add("Machine: $($machine.cpu), $($machine.cores) cores, $($machine.memory), $($machine.os); " +
        "pwsh $($machine.pwsh) ($($machine.dotnet)), $($machine.rustc), $($machine.curl.Split(' ')[0..1] -join ' '), $($machine.cc).")
    $lines.Add('')
    $lines.Add('| Section | Figure | Value | Alternative | Alternative''s value | Ratio or difference | Target | Result |')
    $lines.Add('|---|---|---:|---|---:|---:|---|---|')
    foreach ($row in Get-BenchRows -Results $Results) {
        $cells = $row.Section, $row.Figure, $row.Value, $row.Alternative, $row.AlternativeValue, $row.Comparison, $row.Target, $row.Result
        $lines.Add('| ' + (($cells | ForEach-Object { ([string] $_).Replace('|', '\|') }) -join ' | ') + ' |')
    }
    $lines.Add('')
    $lines.Add('Ratios are value / alternative. Per-call figures are single calls one after another on one connection to ' +
        'the emulator on 127.0.0.1, with its throttling and the module''s pacing off. Memory is read after a full garbage collection.')
    $lines -join "`n"
}

function ConvertTo-SvgText([string] $Text) {
    [System.Security.SecurityElement]::Escape($Text)
}

function ConvertTo-BenchSvg {
    <#
    .SYNOPSIS
    Returns report.svg: one horizontal bar panel per section (import, per-call p50, memory, bulk), each on its own scale.
    #>
    param([Parameter(Mandatory)] $Results)

    $panels = [System.Collections.Generic.List[object]]::new()
    if (Test-Key $Results 'import') {
        $median = $Results.import.medianMs
        $panels.Add([pscustomobject]@{ Title = 'Fresh pwsh process, median (ms)'; Format = '{0:N0} ms'; Bars = @(
                    @('pwsh -c exit', $median.exit, $false), @('empty one-function module', $median.empty, $false),
                    @('Import-Module MgProvisioning', $median.module, $true), @('interop compiled at import', $median.naive, $false)) })
    }
    if (Test-Key $Results 'calls') {
        $calls = $Results.calls
        $bars = foreach ($entry in @(@('curl', 'curl, one connection'), @('abi', 'C program on the ABI'), @('cmdlet', 'cmdlet'),
                @('irm', 'Invoke-RestMethod, WebSession'), @('irmConvertTo', 'Invoke-RestMethod + ConvertTo-Json'), @('noOp', 'no-op function, same parameters'))) {
            if (Test-Key $calls $entry[0]) {
                , @($entry[1], $calls[$entry[0]].p50Us, ($entry[0] -eq 'cmdlet'))
            }
        }
        $panels.Add([pscustomobject]@{ Title = 'One call, p50 (µs)'; Format = '{0:N0} µs'; Bars = @($bars) })
    }
    if (Test-Key $Results 'memory') {
        $memory = $Results.memory
        $bars = @(, @('bare pwsh', ($memory.bare.workingSet / 1MB), $false))
        foreach ($reading in $memory.cmdlet) {
            $bars += , @("module: $($reading.label)", ($reading.workingSet / 1MB), $true)
        }
        foreach ($reading in $memory.irm) {
            $bars += , @("Invoke-RestMethod: $($reading.label)", ($reading.workingSet / 1MB), $false)
        }
        $panels.Add([pscustomobject]@{ Title = 'pwsh working set (MiB)'; Format = '{0:N1} MiB'; Bars = $bars })
    }
    if (Test-Key $Results 'bulk') {
        $bulk = $Results.bulk
        $callSeconds = if ((Test-Key $Results 'calls') -and (Test-Key $Results.calls 'cmdlet')) { $Results.calls.cmdlet.p50Us / 1e6 } else { 0 }
        $panels.Add([pscustomobject]@{ Title = "$($bulk.subjects) subjects at $($bulk.pacingLimit) per $($bulk.pacingWindow) s (s)"; Format = '{0:N2} s'; Bars = @(
                    @('theoretical minimum', ($bulk.minimumStartSeconds + $callSeconds), $false), @('MgProvisioning, paced', $bulk.elapsedSeconds, $true)) })
    }

    $width = 900
    $labelWidth = 290
    $barArea = 480
    $barHeight = 18
    $rowHeight = 24
    $text = [System.Text.StringBuilder]::new()
    $y = 40
    foreach ($panel in $panels) {
        $maximum = ($panel.Bars | ForEach-Object { [double] $_[1] } | Measure-Object -Maximum).Maximum
        if ($maximum -le 0) {
            $maximum = 1
        }
        [void] $text.AppendLine("  <text x=""10"" y=""$($y + 16)"" font-weight=""bold"">$(ConvertTo-SvgText $panel.Title)</text>")
        $y += 28
        foreach ($bar in $panel.Bars) {
            $length = [math]::Max(1, [math]::Round($barArea * [double] $bar[1] / $maximum, 1))
            $fill = if ($bar[2]) { '#2b6cb0' } else { '#a0aec0' }
            $value = $panel.Format -f [double] $bar[1]
            [void] $text.AppendLine("  <text x=""$($labelWidth - 8)"" y=""$($y + 13)"" text-anchor=""end"">$(ConvertTo-SvgText $bar[0])</text>")
            [void] $text.AppendLine("  <rect x=""$labelWidth"" y=""$y"" width=""$length"" height=""$barHeight"" fill=""$fill""/>")
            [void] $text.AppendLine("  <text x=""$($labelWidth + $length + 6)"" y=""$($y + 13)"">$(ConvertTo-SvgText $value)</text>")
            $y += $rowHeight
        }
        $y += 14
    }

    $machine = $Results.machine
    $caption = "MgProvisioning benchmarks, $($Results.started): $($machine.cpu), $($machine.cores) cores, pwsh $($machine.pwsh)"
    @(
        "<svg xmlns=""http://www.w3.org/2000/svg"" width=""$width"" height=""$($y + 10)"" font-family=""sans-serif"" font-size=""13"">"
        "  <rect width=""100%"" height=""100%"" fill=""white""/>"
        "  <text x=""10"" y=""22"" font-size=""15"" font-weight=""bold"">$(ConvertTo-SvgText $caption)</text>"
        $text.ToString().TrimEnd()
        '</svg>'
    ) -join "`n"
}

Export-ModuleMember -Function ConvertTo-BenchMarkdown, ConvertTo-BenchSvg, Get-BenchRows
