#Requires -Version 7.4
<#
.SYNOPSIS
Splits the import of the built module into its steps and prints their times in milliseconds as JSON.

.DESCRIPTION
Run by Invoke-Benchmarks.ps1 in a fresh pwsh, once per sample. With -Whole it times Import-Module of the manifest
alone. Otherwise it does by hand, in the order the manifest does them, and times each:

    assembly   loading MgProvisioning.Interop.dll (the manifest's RequiredAssemblies)
    script     Import-Module of MgProvisioning.psm1: parsing it, defining the functions, running its top level
    format     Update-FormatData with MgProvisioning.Format.ps1xml (the manifest's FormatsToProcess)

The difference between the whole import and the sum of the steps is the manifest's own cost. Microsoft.PowerShell.Utility
is loaded before the steps, untimed, because Update-FormatData needs it and a real import does not.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleFolder,
    [switch] $Whole
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ticksPerMillisecond = [System.Diagnostics.Stopwatch]::Frequency / 1000
function Get-ElapsedMilliseconds([long] $Since) {
    ([System.Diagnostics.Stopwatch]::GetTimestamp() - $Since) / $ticksPerMillisecond
}

$times = [ordered]@{}
if ($Whole) {
    $started = [System.Diagnostics.Stopwatch]::GetTimestamp()
    Import-Module (Join-Path $ModuleFolder 'MgProvisioning.psd1')
    $times.whole = Get-ElapsedMilliseconds $started
}
else {
    # Update-FormatData lives in Microsoft.PowerShell.Utility, which a real import does not load. Loading it first keeps
    # its own load time out of the format step.
    Import-Module Microsoft.PowerShell.Utility

    $started = [System.Diagnostics.Stopwatch]::GetTimestamp()
    $null = [System.Reflection.Assembly]::LoadFrom((Join-Path $ModuleFolder 'MgProvisioning.Interop.dll'))
    $times.assembly = Get-ElapsedMilliseconds $started

    $started = [System.Diagnostics.Stopwatch]::GetTimestamp()
    Import-Module (Join-Path $ModuleFolder 'MgProvisioning.psm1')
    $times.script = Get-ElapsedMilliseconds $started

    $started = [System.Diagnostics.Stopwatch]::GetTimestamp()
    Update-FormatData -AppendPath (Join-Path $ModuleFolder 'MgProvisioning.Format.ps1xml')
    $times.format = Get-ElapsedMilliseconds $started
}

ConvertTo-Json -InputObject $times -Compress
