#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests or demonstrates MgProvisioning.

.DESCRIPTION
build (the default) compiles the Rust core and the emulator with cargo, compiles the interop assembly, and
assembles the importable module in out/MgProvisioning:

    MgProvisioning.psd1, MgProvisioning.psm1 (every Private and Public function file and the commands from Templates/ in one file),
    MgProvisioning.Format.ps1xml, MgProvisioning.Interop.dll,
    runtimes/<rid>/native/<native library>, bin/<rid>/mg-graph-emulator

test builds, finds Pester 5.7.1 and runs tests/run-tests.ps1 in a child pwsh. demo builds and runs
examples/demo.ps1 in a child pwsh. Both child scripts receive these environment variables:

    MGPROVISIONING_MODULE      the path of out/MgProvisioning/MgProvisioning.psd1
    MGPROVISIONING_EMULATOR    the path of the emulator binary
    MGPROVISIONING_CARGO_ARGS  a JSON array of the arguments that select the crate source, for 'cargo test'
    MGPROVISIONING_PESTER      the path of Pester.psd1 (test only)

Any failure stops the build with a non-zero exit code.

.PARAMETER Task
build, test, demo or bench. bench builds and runs bench/Invoke-Benchmarks.ps1 in a child pwsh, which writes
out/bench/report.md and report.svg (docs/benchmarks.md describes them).

.PARAMETER CrateSource
Where cargo gets crates. auto (the default) uses crates.io when https://index.crates.io answers within 3
seconds, else Debian's packaged crates in /usr/share/cargo/registry. The environment variable
MGPROVISIONING_CRATE_SOURCE sets it too; the parameter wins.

.EXAMPLE
pwsh ./build.ps1

Builds the module into out/MgProvisioning.

.EXAMPLE
pwsh ./build.ps1 test -CrateSource debian

Builds with Debian's crates, without probing crates.io, and runs the tests.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'demo', 'bench')]
    [string] $Task = 'build',

    [ValidateSet('auto', 'crates-io', 'debian')]
    [string] $CrateSource
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$RepositoryRoot = $PSScriptRoot
$ModuleSource = Join-Path $RepositoryRoot 'powershell/MgProvisioning'
$OutputRoot = Join-Path $RepositoryRoot 'out'
$ModuleOutput = Join-Path $OutputRoot 'MgProvisioning'
$DebianRegistry = '/usr/share/cargo/registry'
$PesterVersion = '5.7.1'

function Test-CratesIoReachable {
    # A HEAD request for the sparse index's config file, which is small and always present.
    $client = [System.Net.Http.HttpClient]::new()
    $client.Timeout = [TimeSpan]::FromSeconds(3)
    try {
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Head, 'https://index.crates.io/config.json')
        $response = $client.SendAsync($request).GetAwaiter().GetResult()
        return $response.IsSuccessStatusCode
    }
    catch {
        Write-Verbose "index.crates.io is not reachable: $($_.Exception.Message)"
        return $false
    }
    finally {
        $client.Dispose()
    }
}

function Get-CargoSourceArgument {
    <#
    .SYNOPSIS
    Returns the cargo arguments that select the crate source: none for crates.io, two --config options for Debian's registry.
    #>
    param([string] $Source)

    if (-not $Source) {
        $Source = if ($env:MGPROVISIONING_CRATE_SOURCE) { $env:MGPROVISIONING_CRATE_SOURCE } else { 'auto' }
    }

    if ($Source -eq 'auto') {
        if (Test-CratesIoReachable) {
            $Source = 'crates-io'
        }
        elseif (Test-Path -LiteralPath $DebianRegistry -PathType Container) {
            $Source = 'debian'
        }
        else {
            throw "Cannot get Rust crates: https://index.crates.io is not reachable and $DebianRegistry does not exist. " +
            "Connect to crates.io, or install Debian's packaged crates (apt-get install librust-reqwest-dev librust-tokio-dev and the others Cargo.toml names)."
        }
    }

    switch ($Source) {
        'crates-io' {
            Write-Host 'Crate source: crates.io'
            return , [string[]] @()
        }
        'debian' {
            if (-not (Test-Path -LiteralPath $DebianRegistry -PathType Container)) {
                throw "The crate source 'debian' needs $DebianRegistry, which does not exist. Install Debian's librust-*-dev packages."
            }

            Write-Host "Crate source: Debian's registry in $DebianRegistry"
            return , [string[]] @(
                '--config', 'source.crates-io.replace-with="debian"',
                '--config', "source.debian.directory=""$DebianRegistry"""
            )
        }
        default {
            throw "The crate source '$Source' is not known. Use auto, crates-io or debian."
        }
    }
}

function Invoke-NativeCommand {
    param([string] $FilePath, [string[]] $ArgumentList)

    Write-Host "> $FilePath $($ArgumentList -join ' ')"
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "$FilePath failed with exit code $LASTEXITCODE."
    }
}

function Get-CargoTargetFolder {
    if ($env:CARGO_TARGET_DIR) {
        return [System.IO.Path]::GetFullPath($env:CARGO_TARGET_DIR, $RepositoryRoot)
    }

    return Join-Path $RepositoryRoot 'target'
}

function Build-NativeCore {
    param([string[]] $CargoSourceArgument)

    if (-not (Get-Command cargo -ErrorAction SilentlyContinue)) {
        throw 'cargo was not found on PATH. Install Rust (https://rustup.rs) or add ~/.cargo/bin to PATH.'
    }

    Push-Location $RepositoryRoot
    try {
        Invoke-NativeCommand cargo (@('build', '--release', '--lib', '--bin', 'mg-graph-emulator') + $CargoSourceArgument)
    }
    finally {
        Pop-Location
    }
}

function Build-InteropAssembly {
    <#
    .SYNOPSIS
    Compiles Interop/*.cs into MgProvisioning.Interop.dll, unless the sources and the pwsh version are unchanged since the last build.
    #>
    $sources = @(Get-ChildItem -LiteralPath (Join-Path $ModuleSource 'Interop') -Filter '*.cs' -File | Sort-Object Name)
    if ($sources.Count -eq 0) {
        throw "No C# sources were found in $(Join-Path $ModuleSource 'Interop')."
    }

    $assemblyPath = Join-Path $ModuleOutput 'MgProvisioning.Interop.dll'
    $stampPath = Join-Path $OutputRoot 'obj/MgProvisioning.Interop.stamp'
    $hashes = foreach ($source in $sources) { "$($source.Name) $((Get-FileHash -LiteralPath $source.FullName -Algorithm SHA256).Hash)" }
    $stamp = (@("pwsh $($PSVersionTable.PSVersion)") + $hashes) -join "`n"

    if ((Test-Path -LiteralPath $assemblyPath) -and (Test-Path -LiteralPath $stampPath) -and
        ((Get-Content -LiteralPath $stampPath -Raw) -eq $stamp)) {
        Write-Host 'Interop assembly is up to date.'
        return
    }

    Write-Host "Compiling $assemblyPath"
    Remove-Item -LiteralPath $assemblyPath -Force -ErrorAction SilentlyContinue
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $stampPath)
    Add-Type -Path $sources.FullName -OutputAssembly $assemblyPath -OutputType Library
    Set-Content -LiteralPath $stampPath -Value $stamp -NoNewline
}

function Get-RuntimeLayout {
    <#
    .SYNOPSIS
    Returns the rid and the native library's file name as the interop assembly's loader computes them, so both agree.
    #>
    $assembly = [System.Reflection.Assembly]::LoadFrom((Join-Path $ModuleOutput 'MgProvisioning.Interop.dll'))
    $loader = $assembly.GetType('MgProvisioning.NativeLibraryLoader', $true)
    $rid = $loader.GetMethod('GetRuntimeIdentifier').Invoke($null, @())
    if (-not $rid) {
        throw "MgProvisioning does not support $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription) on $([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture)."
    }

    [pscustomobject]@{
        RuntimeIdentifier = $rid
        LibraryFileName   = $loader.GetMethod('GetLibraryFileName').Invoke($null, @())
    }
}

function Get-TemplateCommand {
    # Expands the one template of the provisionOnDemand commands into a function per entry of its data file.
    $templateFolder = Join-Path $ModuleSource 'Templates'
    $template = Get-Content -LiteralPath (Join-Path $templateFolder 'New-SynchronizationJobOnDemand.ps1.template') -Raw
    $data = Import-PowerShellDataFile -LiteralPath (Join-Path $templateFolder 'SynchronizationJobOnDemand.psd1')

    foreach ($entry in $data.Commands) {
        $text = [regex]::Replace($template, '%%(\w+)%%', {
                param($match)
                $name = $match.Groups[1].Value
                if (-not $entry.ContainsKey($name)) {
                    throw "Templates/SynchronizationJobOnDemand.psd1 has no value for %%$name%% in the entry for $($entry.Command)."
                }
                $entry[$name].TrimEnd("`r", "`n")
            })
        [pscustomobject]@{ Name = $entry.Command; Text = $text }
    }
}

function Write-RootModule {
    # Replaces the region that dot-sources the function files with their text, so an import parses one file.
    $rootModule = Get-Content -LiteralPath (Join-Path $ModuleSource 'MgProvisioning.psm1') -Raw
    $regionPattern = '(?ms)^#region Function files\r?\n.*?^#endregion Function files\r?\n'
    if ($rootModule -notmatch $regionPattern) {
        throw "MgProvisioning.psm1 lacks the '#region Function files' ... '#endregion Function files' block that the build replaces."
    }

    $functionText = foreach ($folder in 'Private', 'Public') {
        foreach ($file in Get-ChildItem -LiteralPath (Join-Path $ModuleSource $folder) -Filter '*.ps1' -File | Sort-Object Name) {
            "# $folder/$($file.Name)"
            (Get-Content -LiteralPath $file.FullName -Raw).TrimEnd()
            ''
        }
    }
    $functionText += foreach ($command in Get-TemplateCommand) {
        "# Templates/New-SynchronizationJobOnDemand.ps1.template as $($command.Name)"
        $command.Text.TrimEnd()
        ''
    }

    $combined = [regex]::Replace($rootModule, $regionPattern, { param($match) ($functionText -join "`n") + "`n" })
    Set-Content -LiteralPath (Join-Path $ModuleOutput 'MgProvisioning.psm1') -Value $combined -NoNewline -Encoding utf8NoBOM

    $tokens = $null
    $errors = $null
    $null = [System.Management.Automation.Language.Parser]::ParseInput($combined, [ref] $tokens, [ref] $errors)
    if ($errors) {
        throw "The combined MgProvisioning.psm1 does not parse: $($errors[0].Message) at line $($errors[0].Extent.StartLineNumber)."
    }
}

function Copy-BuildOutput {
    param([string] $Source, [string] $Destination)

    if (-not (Test-Path -LiteralPath $Source)) {
        throw "$Source was not found. Did cargo build it?"
    }

    # Copy, then rename over the destination: a running emulator or a pwsh that has loaded the native library keeps
    # the old file, whereas overwriting it in place fails ("Text file busy") or corrupts the mapped library.
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $Destination)
    $temporary = "$Destination.$PID.tmp"
    Copy-Item -LiteralPath $Source -Destination $temporary -Force
    [System.IO.File]::Move($temporary, $Destination, $true)
}

function Invoke-Build {
    param([string[]] $CargoSourceArgument)

    Build-NativeCore -CargoSourceArgument $CargoSourceArgument

    $null = New-Item -ItemType Directory -Force -Path $ModuleOutput
    Build-InteropAssembly
    Write-RootModule
    Copy-Item -LiteralPath (Join-Path $ModuleSource 'MgProvisioning.psd1') -Destination $ModuleOutput -Force
    Copy-Item -LiteralPath (Join-Path $ModuleSource 'MgProvisioning.Format.ps1xml') -Destination $ModuleOutput -Force

    $layout = Get-RuntimeLayout
    $release = Join-Path (Get-CargoTargetFolder) 'release'
    $nativeDestination = Join-Path $ModuleOutput "runtimes/$($layout.RuntimeIdentifier)/native/$($layout.LibraryFileName)"
    Copy-BuildOutput (Join-Path $release $layout.LibraryFileName) $nativeDestination

    $emulatorName = if ($IsWindows) { 'mg-graph-emulator.exe' } else { 'mg-graph-emulator' }
    $emulatorDestination = Join-Path $ModuleOutput "bin/$($layout.RuntimeIdentifier)/$emulatorName"
    Copy-BuildOutput (Join-Path $release $emulatorName) $emulatorDestination

    $env:MGPROVISIONING_MODULE = Join-Path $ModuleOutput 'MgProvisioning.psd1'
    $env:MGPROVISIONING_EMULATOR = $emulatorDestination
    $env:MGPROVISIONING_CARGO_ARGS = ConvertTo-Json -InputObject @($CargoSourceArgument) -Compress
    Write-Host "Built $ModuleOutput ($($layout.RuntimeIdentifier))."
}

function Get-PesterManifestPath {
    <#
    .SYNOPSIS
    Returns the path of Pester 5.7.1's manifest: an installed copy, the NuGet cache, the PowerShell Gallery, or nuget.org, in that order.
    #>
    $installed = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -eq [version] $PesterVersion } | Select-Object -First 1
    if ($installed) {
        return $installed.Path
    }

    $nugetCache = Join-Path ([Environment]::GetFolderPath('UserProfile')) ".nuget/packages/pester/$PesterVersion/tools/Pester.psd1"
    if (Test-Path -LiteralPath $nugetCache) {
        return $nugetCache
    }

    $packages = Join-Path $OutputRoot 'packages'
    $candidates = @(
        (Join-Path $packages "Pester/$PesterVersion/Pester.psd1"),
        (Join-Path $packages "pester.$PesterVersion/tools/Pester.psd1")
    )
    foreach ($candidate in $candidates) {
        if (Test-Path -LiteralPath $candidate) {
            return $candidate
        }
    }

    $null = New-Item -ItemType Directory -Force -Path $packages
    try {
        if (Get-Command Save-PSResource -ErrorAction SilentlyContinue) {
            Save-PSResource -Name Pester -Version $PesterVersion -Path $packages -TrustRepository -ErrorAction Stop
        }
        else {
            Save-Module -Name Pester -RequiredVersion $PesterVersion -Path $packages -Force -ErrorAction Stop
        }

        if (Test-Path -LiteralPath $candidates[0]) {
            return $candidates[0]
        }
    }
    catch {
        Write-Host "The PowerShell Gallery did not provide Pester $PesterVersion ($($_.Exception.Message)); trying nuget.org."
    }

    $package = Join-Path $packages "pester.$PesterVersion.nupkg"
    Invoke-WebRequest -Uri "https://api.nuget.org/v3-flatcontainer/pester/$PesterVersion/pester.$PesterVersion.nupkg" -OutFile $package
    Expand-Archive -LiteralPath $package -DestinationPath (Join-Path $packages "pester.$PesterVersion") -Force
    if (-not (Test-Path -LiteralPath $candidates[1])) {
        throw "The Pester $PesterVersion package from nuget.org lacks tools/Pester.psd1."
    }

    return $candidates[1]
}

function Invoke-ChildScript {
    param([string] $Path, [string] $Purpose)

    if (-not (Test-Path -LiteralPath $Path)) {
        throw "$Purpose needs $Path, which does not exist yet."
    }

    # $PSHOME contains the pwsh that runs this script, also when pwsh is a .NET global tool whose process is 'dotnet'.
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    Invoke-NativeCommand $pwsh @('-NoProfile', '-File', $Path)
}

try {
    $cargoSourceArgument = Get-CargoSourceArgument -Source $CrateSource
    Invoke-Build -CargoSourceArgument $cargoSourceArgument

    switch ($Task) {
        'test' {
            # Both suites run even when the first fails, so one run reports every failure.
            $failures = @()
            Write-Host 'Running the cargo tests'
            & cargo (@('test', '--release', '--manifest-path', (Join-Path $RepositoryRoot 'Cargo.toml')) + $cargoSourceArgument)
            if ($LASTEXITCODE -ne 0) {
                $failures += "cargo test (exit code $LASTEXITCODE)"
            }

            $env:MGPROVISIONING_PESTER = Get-PesterManifestPath
            Write-Host "Pester: $env:MGPROVISIONING_PESTER"
            try {
                Invoke-ChildScript (Join-Path $RepositoryRoot 'tests/run-tests.ps1') 'The test task'
            }
            catch {
                $failures += "the Pester suite ($($_.Exception.Message))"
            }

            if ($failures) {
                throw "failed: $($failures -join '; ')"
            }
        }
        'demo' {
            Invoke-ChildScript (Join-Path $RepositoryRoot 'examples/demo.ps1') 'The demo task'
        }
        'bench' {
            Invoke-ChildScript (Join-Path $RepositoryRoot 'bench/Invoke-Benchmarks.ps1') 'The bench task'
        }
    }
}
catch {
    Write-Host "build.ps1 $Task failed: $($_.Exception.Message)" -ForegroundColor Red
    exit 1
}
