<#
.SYNOPSIS
Runs the Pester suite in tests/pester against the built module and the emulator.

.DESCRIPTION
Pester runs in a child `pwsh -NoProfile`, because the module loads a native library that a process cannot
unload. The child prints Pester's normal output. This script then prints one closing line,
`N passed, N failed` (with `, N skipped` when tests were skipped), and exits with 1 when a test, a block or a
test file failed or when no test ran, else 0.

.PARAMETER PesterPath
The Pester 5 module to run: a .psd1 path or a module name.

.PARAMETER ModulePath
The folder of the built MgProvisioning module (what `pwsh ./build.ps1 build` writes).

.PARAMETER EmulatorPath
The mg-graph-emulator executable. By default the one in the module's bin/<rid>/ folder, else the repository's
target/release/ folder.

.PARAMETER TestPath
Test files or folders to run. By default every *.Tests.ps1 file in tests/pester.

.PARAMETER Output
Pester's output verbosity: None, Normal, Detailed or Diagnostic.

.EXAMPLE
pwsh tests/run-tests.ps1

.EXAMPLE
pwsh tests/run-tests.ps1 -TestPath tests/pester/Conformance.Tests.ps1 -Output Detailed
#>
[CmdletBinding()]
param(
    [string] $PesterPath = [System.IO.Path]::Combine($HOME, '.nuget', 'packages', 'pester', '5.7.1', 'tools', 'Pester.psd1'),

    [string] $ModulePath = [System.IO.Path]::Combine((Split-Path -Path $PSScriptRoot -Parent), 'out', 'MgProvisioning'),

    [string] $EmulatorPath,

    [string[]] $TestPath = @([System.IO.Path]::Combine($PSScriptRoot, 'pester')),

    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Normal'
)

$ErrorActionPreference = 'Stop'
$repositoryRoot = Split-Path -Path $PSScriptRoot -Parent

function Get-RuntimeIdentifier {
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $architecture = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    "$os-$architecture"
}

# A caller in another shell passes several paths as one comma-separated argument.
$TestPath = @($TestPath | ForEach-Object { $_ -split ',' } | Where-Object { $_ })

$ModulePath = [System.IO.Path]::GetFullPath($ModulePath)
if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($ModulePath, 'MgProvisioning.psd1'))) {
    throw "The module was not found at '$ModulePath'. Build it with 'pwsh ./build.ps1 build' or pass -ModulePath."
}

if (-not $EmulatorPath) {
    $emulatorFile = if ($IsWindows) { 'mg-graph-emulator.exe' } else { 'mg-graph-emulator' }
    $candidates = @(
        [System.IO.Path]::Combine($ModulePath, 'bin', (Get-RuntimeIdentifier), $emulatorFile)
        [System.IO.Path]::Combine($repositoryRoot, 'target', 'release', $emulatorFile)
    )
    $EmulatorPath = $candidates | Where-Object { [System.IO.File]::Exists($_) } | Select-Object -First 1
    if (-not $EmulatorPath) {
        throw "The emulator was not found at $($candidates -join ' or '). Build it or pass -EmulatorPath."
    }
}
$EmulatorPath = [System.IO.Path]::GetFullPath($EmulatorPath)

if ($PesterPath.EndsWith('.psd1') -and -not [System.IO.File]::Exists($PesterPath)) {
    throw "Pester was not found at '$PesterPath'. Install Pester 5 or pass -PesterPath."
}

$pwshFile = if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
$pwshPath = [System.IO.Path]::Combine($PSHOME, $pwshFile)
if (-not [System.IO.File]::Exists($pwshPath)) {
    $pwshPath = (Get-Command -Name pwsh -CommandType Application | Select-Object -First 1).Source
}

$countsFile = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "mgp-pester-counts-$([guid]::NewGuid().ToString('N')).json")

# The child reads its settings from environment variables, which the test files and their own child sessions
# read too.
$env:MGPROVISIONING_TEST_MODULE = $ModulePath
$env:MGPROVISIONING_TEST_EMULATOR = $EmulatorPath
$env:MGPROVISIONING_TEST_PWSH = $pwshPath
$env:MGPROVISIONING_TEST_PESTER = $PesterPath
$env:MGPROVISIONING_TEST_PATHS = ($TestPath | ForEach-Object { [System.IO.Path]::GetFullPath($_) }) -join [System.IO.Path]::PathSeparator
$env:MGPROVISIONING_TEST_OUTPUT = $Output
$env:MGPROVISIONING_TEST_COUNTS = $countsFile

# The child keeps PowerShell's default preferences, because tests check behaviour under them.
$childScript = @'
$ProgressPreference = 'SilentlyContinue'
Import-Module -Name $env:MGPROVISIONING_TEST_PESTER -MinimumVersion 5.0 -ErrorAction Stop
$configuration = New-PesterConfiguration
$configuration.Run.Path = $env:MGPROVISIONING_TEST_PATHS -split [System.IO.Path]::PathSeparator
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $env:MGPROVISIONING_TEST_OUTPUT
$result = Invoke-Pester -Configuration $configuration
if ($null -eq $result) {
    exit 1
}
$counts = [ordered]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    NotRun  = $result.NotRunCount
}
Set-Content -LiteralPath $env:MGPROVISIONING_TEST_COUNTS -Value (ConvertTo-Json -InputObject $counts -Compress) -Encoding utf8NoBOM
'@

try {
    # An encoded command survives every platform's argument quoting unchanged.
    $encodedScript = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($childScript))
    & $pwshPath -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encodedScript
    $childExitCode = $LASTEXITCODE

    if (-not [System.IO.File]::Exists($countsFile)) {
        Write-Host "0 passed, 1 failed"
        Write-Error "The Pester run in the child pwsh ended without a result (exit code $childExitCode)." -ErrorAction Continue
        exit 1
    }

    $counts = Get-Content -LiteralPath $countsFile -Raw | ConvertFrom-Json
}
finally {
    if ([System.IO.File]::Exists($countsFile)) {
        [System.IO.File]::Delete($countsFile)
    }
}

$passed = [int] $counts.Passed
$failed = [int] $counts.Failed
$skipped = [int] $counts.Skipped
$closingLine = "$passed passed, $failed failed"
if ($skipped -gt 0) {
    $closingLine += ", $skipped skipped"
}
Write-Host $closingLine

if ($failed -gt 0 -or ($passed + $failed) -eq 0) {
    exit 1
}
exit 0
