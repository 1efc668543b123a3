# Helpers shared by the Pester files: paths of the module and the emulator, the emulator's lifetime and
# control API, test tokens, connecting, child pwsh sessions and structural JSON comparison.
#
# tests/run-tests.ps1 passes the paths through the MGPROVISIONING_TEST_* environment variables. Without them
# the defaults are the repository's out/MgProvisioning and target/release folders.

Set-StrictMode -Version 3.0

$script:RepositoryRoot = Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent
$script:HelpersPath = $PSCommandPath

# Members whose values change from run to run; comparisons of Graph answers skip them.
$script:VolatileMembers = @('timestamp', 'startTime', 'endTime', 'date', 'changeId', 'request-id', 'client-request-id')

# The tenant id and client id that New-TestToken puts into its tokens.
$script:TestTenantId = '3f2e1d0c-9b8a-4766-8554-433221100fed'
$script:TestClientId = 'c0ffee00-1234-4abc-8def-00000000c11e'

function Get-TestRepositoryRoot {
    <# .SYNOPSIS Returns the repository root (the folder that holds tests/). #>
    $script:RepositoryRoot
}

function Get-TestVolatileMember {
    <# .SYNOPSIS Returns the member names that comparisons of Graph answers ignore. #>
    $script:VolatileMembers
}

function Get-TestRuntimeIdentifier {
    <# .SYNOPSIS Returns the .NET runtime identifier of this platform, such as linux-x64. #>
    $information = [System.Runtime.InteropServices.RuntimeInformation]
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $architecture = $information::OSArchitecture.ToString().ToLowerInvariant()
    "$os-$architecture"
}

function Get-TestModuleFolder {
    <# .SYNOPSIS Returns the folder of the built module under test. #>
    if ($env:MGPROVISIONING_TEST_MODULE) {
        return [System.IO.Path]::GetFullPath($env:MGPROVISIONING_TEST_MODULE)
    }
    [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'MgProvisioning')
}

function Get-TestModuleManifest {
    <# .SYNOPSIS Returns the path of the module manifest under test. #>
    [System.IO.Path]::Combine((Get-TestModuleFolder), 'MgProvisioning.psd1')
}

function Get-TestEmulatorPath {
    <#
    .SYNOPSIS
    Returns the emulator executable: MGPROVISIONING_TEST_EMULATOR, else the module's bin/<rid>/ folder, else
    target/release. Throws when none exists.
    #>
    $fileName = if ($IsWindows) { 'mg-graph-emulator.exe' } else { 'mg-graph-emulator' }
    $candidates = @(
        $env:MGPROVISIONING_TEST_EMULATOR
        [System.IO.Path]::Combine((Get-TestModuleFolder), 'bin', (Get-TestRuntimeIdentifier), $fileName)
        [System.IO.Path]::Combine($script:RepositoryRoot, 'target', 'release', $fileName)
    ) | Where-Object { $_ }

    foreach ($candidate in $candidates) {
        if ([System.IO.File]::Exists($candidate)) {
            return [System.IO.Path]::GetFullPath($candidate)
        }
    }

    throw "The emulator was not found. Looked at: $($candidates -join ', '). Build it with 'cargo build --release --bin mg-graph-emulator' or set MGPROVISIONING_TEST_EMULATOR."
}

function Get-TestPwshPath {
    <# .SYNOPSIS Returns the pwsh executable that child sessions run: the running one where possible. #>
    if ($env:MGPROVISIONING_TEST_PWSH) {
        return $env:MGPROVISIONING_TEST_PWSH
    }

    $fileName = if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
    $besideHost = [System.IO.Path]::Combine($PSHOME, $fileName)
    if ([System.IO.File]::Exists($besideHost)) {
        return $besideHost
    }

    (Get-Command -Name pwsh -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Start-TestEmulator {
    <#
    .SYNOPSIS
    Starts the emulator with its control API on a free loopback port and returns an object with Process and
    BaseUrl. Stop it with Stop-TestEmulator.
    #>
    [CmdletBinding()]
    param(
        [int] $StartTimeoutSeconds = 20
    )

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Get-TestEmulatorPath))
    $startInfo.ArgumentList.Add('--control')
    # The suite makes many calls per application quickly and signs its tokens with alg none.
    $startInfo.ArgumentList.Add('--throttle')
    $startInfo.ArgumentList.Add('off')
    $startInfo.ArgumentList.Add('--accept-unsigned-tokens')
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true

    $process = [System.Diagnostics.Process]::Start($startInfo)
    $firstLine = $process.StandardOutput.ReadLineAsync()
    if (-not $firstLine.Wait([TimeSpan]::FromSeconds($StartTimeoutSeconds)) -or -not $firstLine.Result) {
        $process.Kill()
        $errorText = $process.StandardError.ReadToEnd()
        throw "The emulator did not print its base URL within $StartTimeoutSeconds s. Its standard error: $errorText"
    }

    # The emulator logs one line per request to standard error. Draining both pipes in the background keeps a
    # full pipe from blocking it.
    $standardError = $process.StandardError.ReadToEndAsync()
    $standardOutput = $process.StandardOutput.ReadToEndAsync()

    [pscustomobject]@{
        Process        = $process
        BaseUrl        = $firstLine.Result.Trim().TrimEnd('/')
        StandardError  = $standardError
        StandardOutput = $standardOutput
    }
}

function Stop-TestEmulator {
    <# .SYNOPSIS Stops an emulator that Start-TestEmulator started. $null is ignored. #>
    [CmdletBinding()]
    param(
        [AllowNull()]
        [object] $Emulator
    )

    if ($null -eq $Emulator) {
        return
    }

    $process = $Emulator.Process
    if (-not $process.HasExited) {
        $process.Kill()
        [void] $process.WaitForExit(5000)
    }
    $process.Dispose()
}

function Reset-TestEmulator {
    <# .SYNOPSIS Clears the emulator's request log and provisioned state (POST /_emulator/reset). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [object] $Emulator
    )

    $ProgressPreference = 'SilentlyContinue'
    $null = Invoke-WebRequest -Method Post -Uri "$($Emulator.BaseUrl)/_emulator/reset" -NoProxy -UseBasicParsing
}

function Get-TestEmulatorRequest {
    <#
    .SYNOPSIS
    Returns the requests that reached the emulator since its last reset, oldest first: objects with method,
    path (raw, still percent-encoded), query, headers (lowercase names; a repeated header is joined with ', '),
    bodyText, body and status.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [object] $Emulator
    )

    $ProgressPreference = 'SilentlyContinue'
    $log = Invoke-RestMethod -Method Get -Uri "$($Emulator.BaseUrl)/_emulator/requests" -NoProxy
    # The comma keeps an empty or one-element log an array.
    , @($log.value)
}

function ConvertTo-Base64Url {
    param([string] $Text)

    [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Text)).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

function New-TestToken {
    <#
    .SYNOPSIS
    Returns an unsigned JWT (alg none) that the emulator accepts while exp lies in the future.

    .PARAMETER ExpiresInSeconds
    Seconds from now until exp; negative gives an expired token.

    .PARAMETER Claims
    Claims added to or replacing the defaults (tid, appid, scp, upn).
    #>
    [CmdletBinding()]
    param(
        [int] $ExpiresInSeconds = 3600,
        [hashtable] $Claims = @{}
    )

    $now = [System.DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $payload = [ordered]@{
        aud   = 'https://graph.microsoft.com'
        iat   = $now - 60
        nbf   = $now - 60
        exp   = $now + $ExpiresInSeconds
        tid   = $script:TestTenantId
        appid = $script:TestClientId
        scp   = 'Synchronization.ReadWrite.All Application.ReadWrite.OwnedBy'
        upn   = 'admin@example.com'
    }
    foreach ($name in $Claims.Keys) {
        $payload[$name] = $Claims[$name]
    }

    $header = ConvertTo-Base64Url '{"alg":"none","typ":"JWT"}'
    $body = ConvertTo-Base64Url (ConvertTo-Json -InputObject $payload -Compress)
    "$header.$body."
}

function Get-TestClientId {
    <# .SYNOPSIS Returns the client id (appid claim) that New-TestToken writes. #>
    $script:TestClientId
}

function Get-TestTenantId {
    <# .SYNOPSIS Returns the tenant id (tid claim) that New-TestToken writes. #>
    $script:TestTenantId
}

function Connect-TestGraph {
    <#
    .SYNOPSIS
    Registers a uniquely named environment for a base URL and connects this session to it with a token.
    Returns the environment name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $BaseUrl,

        [Parameter(Mandatory)]
        [string] $Token
    )

    $name = 'MgpTest' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    $null = Add-MgEnvironment -Name $name -GraphEndpoint $BaseUrl -AzureADEndpoint $BaseUrl
    Connect-MgGraph -Environment $name -AccessToken (ConvertTo-SecureString -String $Token -AsPlainText -Force) -NoWelcome
    # The suite calls the same applications many times in a row against an emulator that does not
    # throttle; the tests of pacing turn it on themselves.
    $null = Set-MgRequestContext -Pacing $false
    $name
}

function Get-TestFreeLoopbackPort {
    <# .SYNOPSIS Returns a loopback TCP port that nothing listens on at the time of the call. #>
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try {
        ([System.Net.IPEndPoint] $listener.LocalEndpoint).Port
    }
    finally {
        $listener.Stop()
    }
}

function ConvertTo-TestJsonElement {
    <#
    .SYNOPSIS
    Returns a JsonElement for JSON text, an existing JsonElement, or any other value (serialized first).
    #>
    param(
        [AllowNull()]
        [object] $InputObject
    )

    if ($InputObject -is [System.Text.Json.JsonElement]) {
        return $InputObject
    }

    $text = if ($InputObject -is [string]) {
        $InputObject
    }
    else {
        ConvertTo-Json -InputObject $InputObject -Depth 32 -Compress
    }

    $document = [System.Text.Json.JsonDocument]::Parse($text)
    try {
        $document.RootElement.Clone()
    }
    finally {
        $document.Dispose()
    }
}

function Get-TestJsonMember {
    <#
    .SYNOPSIS
    Returns the member of a JSON object with this exact name, or $null when the object has none. A member whose
    value is JSON null is returned as a JsonElement of kind Null.
    #>
    param(
        [Parameter(Mandatory)]
        [System.Text.Json.JsonElement] $Element,

        [Parameter(Mandatory)]
        [string] $Name
    )

    if ($Element.ValueKind -ne [System.Text.Json.JsonValueKind]::Object) {
        return $null
    }
    foreach ($member in $Element.EnumerateObject()) {
        if ($member.Name -ceq $Name) {
            return $member.Value
        }
    }
    $null
}

function Get-JsonKind {
    param([System.Text.Json.JsonElement] $Element)

    switch ($Element.ValueKind.ToString()) {
        'True' { 'Boolean' }
        'False' { 'Boolean' }
        default { $_ }
    }
}

function Compare-TestJson {
    <#
    .SYNOPSIS
    Compares two JSON values structurally and returns one line per difference (nothing when they match).

    .DESCRIPTION
    Objects match when they have the same members with equal values, in any order; arrays when they have the same
    length and equal elements in the same order. With -Subset, every member of Expected must be present in Actual
    with a matching value, and Actual may have more members. Members named in -IgnoreMember are skipped at any
    depth. A member that appears twice in one Actual object is reported.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [AllowNull()]
        [object] $Expected,

        [Parameter(Mandatory)]
        [AllowNull()]
        [object] $Actual,

        [switch] $Subset,

        [string[]] $IgnoreMember = @(),

        [string] $Path = '$'
    )

    $expectedElement = ConvertTo-TestJsonElement $Expected
    $actualElement = ConvertTo-TestJsonElement $Actual
    $differences = [System.Collections.Generic.List[string]]::new()
    Compare-JsonElement -Expected $expectedElement -Actual $actualElement -Path $Path -Subset:$Subset -IgnoreMember $IgnoreMember -Differences $differences
    $differences.ToArray()
}

function Compare-JsonElement {
    param(
        [System.Text.Json.JsonElement] $Expected,
        [System.Text.Json.JsonElement] $Actual,
        [string] $Path,
        [switch] $Subset,
        [string[]] $IgnoreMember,
        [System.Collections.Generic.List[string]] $Differences
    )

    $expectedKind = Get-JsonKind $Expected
    $actualKind = Get-JsonKind $Actual
    if ($expectedKind -ne $actualKind) {
        $Differences.Add("${Path}: expected $expectedKind $($Expected.GetRawText()), got $actualKind $($Actual.GetRawText())")
        return
    }

    switch ($expectedKind) {
        'Object' {
            $actualMembers = [System.Collections.Generic.Dictionary[string, System.Text.Json.JsonElement]]::new([System.StringComparer]::Ordinal)
            foreach ($member in $Actual.EnumerateObject()) {
                if ($actualMembers.ContainsKey($member.Name)) {
                    $Differences.Add("${Path}: member '$($member.Name)' appears more than once")
                    continue
                }
                $actualMembers[$member.Name] = $member.Value
            }

            $expectedNames = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::Ordinal)
            foreach ($member in $Expected.EnumerateObject()) {
                [void] $expectedNames.Add($member.Name)
                if ($IgnoreMember -ccontains $member.Name) {
                    continue
                }
                if (-not $actualMembers.ContainsKey($member.Name)) {
                    $Differences.Add("${Path}: member '$($member.Name)' is missing")
                    continue
                }
                Compare-JsonElement -Expected $member.Value -Actual $actualMembers[$member.Name] -Path "$Path.$($member.Name)" -Subset:$Subset -IgnoreMember $IgnoreMember -Differences $Differences
            }

            if (-not $Subset) {
                foreach ($name in $actualMembers.Keys) {
                    if (-not $expectedNames.Contains($name) -and $IgnoreMember -cnotcontains $name) {
                        $Differences.Add("${Path}: unexpected member '$name' = $($actualMembers[$name].GetRawText())")
                    }
                }
            }
        }
        'Array' {
            $expectedItems = @($Expected.EnumerateArray())
            $actualItems = @($Actual.EnumerateArray())
            if ($expectedItems.Count -ne $actualItems.Count) {
                $Differences.Add("${Path}: expected an array of $($expectedItems.Count), got $($actualItems.Count): $($Actual.GetRawText())")
                return
            }
            for ($index = 0; $index -lt $expectedItems.Count; $index++) {
                Compare-JsonElement -Expected $expectedItems[$index] -Actual $actualItems[$index] -Path "$Path[$index]" -Subset:$Subset -IgnoreMember $IgnoreMember -Differences $Differences
            }
        }
        'String' {
            if ($Expected.GetString() -cne $Actual.GetString()) {
                $Differences.Add("${Path}: expected $($Expected.GetRawText()), got $($Actual.GetRawText())")
            }
        }
        'Number' {
            $same = try {
                $invariant = [System.Globalization.CultureInfo]::InvariantCulture
                $style = [System.Globalization.NumberStyles]::Float
                [decimal]::Parse($Expected.GetRawText(), $style, $invariant) -eq [decimal]::Parse($Actual.GetRawText(), $style, $invariant)
            }
            catch [System.OverflowException] {
                $Expected.GetRawText() -ceq $Actual.GetRawText()
            }
            if (-not $same) {
                $Differences.Add("${Path}: expected $($Expected.GetRawText()), got $($Actual.GetRawText())")
            }
        }
        'Boolean' {
            if ($Expected.ValueKind -ne $Actual.ValueKind) {
                $Differences.Add("${Path}: expected $($Expected.GetRawText()), got $($Actual.GetRawText())")
            }
        }
    }
}

function ConvertTo-TestRecordSummary {
    <#
    .SYNOPSIS
    Returns a plain summary of one pipeline record: Kind (Output, Error or Warning) and Text. Errors also have
    FullyQualifiedErrorId, Category, Message, ErrorCode and StatusCode (from Exception.Data). Output objects with a
    Key property also have Key, Value, AdditionalPropertiesJson and TypeNames.
    #>
    param(
        [AllowNull()]
        [object] $Record
    )

    if ($Record -is [System.Management.Automation.ErrorRecord]) {
        $data = $Record.Exception.Data
        return [ordered]@{
            Kind                  = 'Error'
            Text                  = $Record.ToString()
            FullyQualifiedErrorId = $Record.FullyQualifiedErrorId
            Category              = $Record.CategoryInfo.Category.ToString()
            Message               = $Record.Exception.Message
            ErrorCode             = if ($data.Contains('ErrorCode')) { [string] $data['ErrorCode'] } else { $null }
            StatusCode            = if ($data.Contains('StatusCode')) { [string] $data['StatusCode'] } else { $null }
        }
    }

    if ($Record -is [System.Management.Automation.WarningRecord]) {
        return [ordered]@{ Kind = 'Warning'; Text = $Record.Message }
    }

    $summary = [ordered]@{ Kind = 'Output'; Text = ($Record | Out-String).Trim() }
    if ($null -ne $Record -and $null -ne $Record.PSObject.Properties['Key']) {
        $summary['Key'] = $Record.Key
        $summary['Value'] = $Record.Value
        $summary['AdditionalPropertiesJson'] = ConvertTo-Json -InputObject $Record.AdditionalProperties -Depth 20 -Compress
        $summary['TypeNames'] = @($Record.PSTypeNames)
    }
    $summary
}

function Invoke-TestChildSession {
    <#
    .SYNOPSIS
    Runs PowerShell text in a new `pwsh -NoProfile -NonInteractive` with the module imported, and returns its
    standard output, standard error, exit code and a summary of what the text wrote.

    .DESCRIPTION
    What if text and the host's other output go to standard output, so a test reads them here. With -BaseUrl
    and -Token the child first registers an environment for the base URL and connects to it. The token reaches
    the child through an environment variable, not its command line.

    Summary holds Records (each output object, error record and warning, in order) and Terminating (the error
    that stopped the text, or null), each in the shape of ConvertTo-TestRecordSummary.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Script,

        [string] $BaseUrl,

        [string] $Token,

        [string] $Setup = '',

        [int] $TimeoutSeconds = 120
    )

    $childScript = @'
$ErrorActionPreference = 'Continue'
Import-Module -Name $env:MGPROVISIONING_CHILD_MANIFEST -ErrorAction Stop
Import-Module -Name $env:MGPROVISIONING_CHILD_HELPERS -ErrorAction Stop
if ($env:MGPROVISIONING_CHILD_BASE_URL) {
    $childToken = ConvertTo-SecureString -String $env:MGPROVISIONING_CHILD_TOKEN -AsPlainText -Force
    [System.Environment]::SetEnvironmentVariable('MGPROVISIONING_CHILD_TOKEN', $null)
    $null = Add-MgEnvironment -Name 'MgpChildTest' -GraphEndpoint $env:MGPROVISIONING_CHILD_BASE_URL -AzureADEndpoint $env:MGPROVISIONING_CHILD_BASE_URL
    Connect-MgGraph -Environment 'MgpChildTest' -AccessToken $childToken -NoWelcome
    $null = Set-MgRequestContext -Pacing $false
    Remove-Variable -Name childToken
}
__SETUP__
[System.Console]::Out.WriteLine('@@MGP-CALL-START@@')
$childRecords = [System.Collections.Generic.List[object]]::new()
$childTerminating = $null
try {
    . {
__SCRIPT__
    } 2>&1 3>&1 | ForEach-Object { $childRecords.Add($_) }
}
catch {
    $childTerminating = $_
}
[System.Console]::Out.WriteLine('@@MGP-CALL-END@@')

$childSummary = [ordered]@{
    Records     = @(foreach ($record in $childRecords) { ConvertTo-TestRecordSummary $record })
    Terminating = if ($null -ne $childTerminating) { ConvertTo-TestRecordSummary $childTerminating } else { $null }
}
[System.Console]::Out.WriteLine('@@MGP-SUMMARY@@' + (ConvertTo-Json -InputObject $childSummary -Depth 5 -Compress))
'@
    $childScript = $childScript.Replace('__SETUP__', $Setup).Replace('__SCRIPT__', $Script)

    $scriptFile = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "mgp-child-$([guid]::NewGuid().ToString('N')).ps1")
    [System.IO.File]::WriteAllText($scriptFile, $childScript, [System.Text.UTF8Encoding]::new($false))
    try {
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Get-TestPwshPath))
        foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $scriptFile) {
            $startInfo.ArgumentList.Add($argument)
        }
        $startInfo.UseShellExecute = $false
        $startInfo.RedirectStandardOutput = $true
        $startInfo.RedirectStandardError = $true
        $startInfo.RedirectStandardInput = $true
        $startInfo.Environment['MGPROVISIONING_CHILD_MANIFEST'] = Get-TestModuleManifest
        $startInfo.Environment['MGPROVISIONING_CHILD_HELPERS'] = $script:HelpersPath
        $startInfo.Environment['MGPROVISIONING_CHILD_BASE_URL'] = $BaseUrl
        $startInfo.Environment['MGPROVISIONING_CHILD_TOKEN'] = $Token

        $process = [System.Diagnostics.Process]::Start($startInfo)
        try {
            $process.StandardInput.Close()
            $standardOutput = $process.StandardOutput.ReadToEndAsync()
            $standardError = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
                $process.Kill($true)
                throw "The child pwsh did not finish within $TimeoutSeconds s. Its script: $Script"
            }
            $process.WaitForExit()
            $outputText = $standardOutput.Result
            $errorText = $standardError.Result
            $exitCode = $process.ExitCode
        }
        finally {
            $process.Dispose()
        }
    }
    finally {
        [System.IO.File]::Delete($scriptFile)
    }

    $summary = $null
    $callText = ''
    $lines = $outputText -split '\r?\n'
    $summaryLine = $lines | Where-Object { $_.StartsWith('@@MGP-SUMMARY@@') } | Select-Object -Last 1
    if ($summaryLine) {
        $summary = ConvertFrom-Json -InputObject $summaryLine.Substring('@@MGP-SUMMARY@@'.Length)
    }
    $start = [array]::IndexOf($lines, '@@MGP-CALL-START@@')
    $end = [array]::IndexOf($lines, '@@MGP-CALL-END@@')
    if ($start -ge 0 -and $end -gt $start + 1) {
        $callText = ($lines[($start + 1)..($end - 1)] -join [System.Environment]::NewLine)
    }

    [pscustomobject]@{
        ExitCode       = $exitCode
        StandardOutput = $outputText
        StandardError  = $errorText
        CallOutput     = $callText
        Summary        = $summary
    }
}

function Get-TestWhatIfLine {
    <# .SYNOPSIS Returns the 'What if:' lines of host text. #>
    param(
        [AllowEmptyString()]
        [string] $Text
    )

    @($Text -split '\r?\n' | Where-Object { $_.StartsWith('What if: ') })
}

function Get-TestCommandName {
    <# .SYNOPSIS Returns the first command name in PowerShell text that starts with New-Mg. #>
    param([string] $Script)

    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Script, [ref] $null, [ref] $null)
    $commands = $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true)
    foreach ($command in $commands) {
        $name = $command.GetCommandName()
        if ($name -like 'New-Mg*') {
            return $name
        }
    }
    $null
}

function Get-TestHeaderFunction {
    <# .SYNOPSIS Returns the sorted names of the mg_* functions that include/mg_provisioning.h declares. #>
    $headerPath = [System.IO.Path]::Combine($script:RepositoryRoot, 'include', 'mg_provisioning.h')
    $code = [regex]::Replace([System.IO.File]::ReadAllText($headerPath), '/\*[\s\S]*?\*/|//[^\n]*', '')
    @([regex]::Matches($code, '\b(mg_[A-Za-z0-9_]+)\s*\(') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
}

function Get-TestDllImportEntryPoint {
    <#
    .SYNOPSIS
    Returns the entry point of every DllImport declaration in powershell/MgProvisioning/Interop/*.cs, once per
    declaration: its EntryPoint argument when given, else the method name.
    #>
    $interopFolder = [System.IO.Path]::Combine($script:RepositoryRoot, 'powershell', 'MgProvisioning', 'Interop')
    $pattern = '\[DllImport\((?<arguments>[^\]]*)\)\]\s*(?:\[[^\]]*\]\s*)*(?:(?:internal|public|private|static|extern|unsafe)\s+)+[\w\.\[\]<>?]+\s+(?<name>\w+)\s*\('
    foreach ($file in Get-ChildItem -Path $interopFolder -Filter '*.cs') {
        $code = [regex]::Replace([System.IO.File]::ReadAllText($file.FullName), '/\*[\s\S]*?\*/|//[^\n]*', '')
        foreach ($match in [regex]::Matches($code, $pattern)) {
            $entryPoint = [regex]::Match($match.Groups['arguments'].Value, 'EntryPoint\s*=\s*"(?<entry>[^"]+)"')
            if ($entryPoint.Success) {
                $entryPoint.Groups['entry'].Value
            }
            else {
                $match.Groups['name'].Value
            }
        }
    }
}

Export-ModuleMember -Function @(
    'Get-TestRepositoryRoot'
    'Get-TestVolatileMember'
    'Get-TestRuntimeIdentifier'
    'Get-TestModuleFolder'
    'Get-TestModuleManifest'
    'Get-TestEmulatorPath'
    'Get-TestPwshPath'
    'Start-TestEmulator'
    'Stop-TestEmulator'
    'Reset-TestEmulator'
    'Get-TestEmulatorRequest'
    'New-TestToken'
    'Get-TestClientId'
    'Get-TestTenantId'
    'Connect-TestGraph'
    'Get-TestFreeLoopbackPort'
    'ConvertTo-TestJsonElement'
    'Get-TestJsonMember'
    'Compare-TestJson'
    'ConvertTo-TestRecordSummary'
    'Invoke-TestChildSession'
    'Get-TestWhatIfLine'
    'Get-TestCommandName'
    'Get-TestHeaderFunction'
    'Get-TestDllImportEntryPoint'
)

function Start-TestEmulatorWithOption {
    <#
    .SYNOPSIS
    Starts the emulator like Start-TestEmulator (with --control), adding command-line options such as
    '--throttle', '5/1' or '--accept-unsigned-tokens'.
    #>
    [CmdletBinding()]
    param(
        [string[]] $Option = @(),

        [int] $StartTimeoutSeconds = 20
    )

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Get-TestEmulatorPath))
    foreach ($argument in @('--control') + $Option) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true

    $process = [System.Diagnostics.Process]::Start($startInfo)
    $firstLine = $process.StandardOutput.ReadLineAsync()
    if (-not $firstLine.Wait([TimeSpan]::FromSeconds($StartTimeoutSeconds)) -or -not $firstLine.Result) {
        $process.Kill()
        $errorText = $process.StandardError.ReadToEnd()
        throw "The emulator ($($Option -join ' ')) did not print its base URL within $StartTimeoutSeconds s. Its standard error: $errorText"
    }

    [pscustomobject]@{
        Process        = $process
        BaseUrl        = $firstLine.Result.Trim().TrimEnd('/')
        StandardError  = $process.StandardError.ReadToEndAsync()
        StandardOutput = $process.StandardOutput.ReadToEndAsync()
    }
}

function Add-TestEmulatorFault {
    <#
    .SYNOPSIS
    Queues a fault in the emulator (POST /_emulator/faults), such as @{ fault = 'error'; status = 429; retryAfter = 1 }.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [object] $Emulator,

        [Parameter(Mandatory)]
        [hashtable] $Fault
    )

    $ProgressPreference = 'SilentlyContinue'
    $body = ConvertTo-Json -InputObject $Fault -Compress
    $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.BaseUrl)/_emulator/faults" -Body $body -ContentType 'application/json' -NoProxy
}

# The forwarding proxy's loop, run in a background runspace: one connection at a time, one request per connection
# (every answer says Connection: close). It records the request line and the Proxy-Authorization header, answers
# 407 when credentials are required and missing or wrong, and otherwise forwards the request and relays the answer.
$script:ForwardingProxyLoop = {
    param($Listener, $Records, $RequiredCredential)

    $expected = if ($RequiredCredential) {
        'Basic ' + [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($RequiredCredential))
    }
    $handler = [System.Net.Http.SocketsHttpHandler]::new()
    $handler.UseProxy = $false
    $handler.AllowAutoRedirect = $false
    $handler.AutomaticDecompression = [System.Net.DecompressionMethods]::None
    $client = [System.Net.Http.HttpClient]::new($handler)
    $skippedRequestHeaders = @('Proxy-Authorization', 'Proxy-Connection', 'Connection', 'Host', 'Content-Length', 'Transfer-Encoding', 'Keep-Alive')
    $skippedResponseHeaders = @('Connection', 'Content-Length', 'Transfer-Encoding', 'Keep-Alive')
    $ascii = [System.Text.Encoding]::ASCII

    while ($true) {
        try {
            $connection = $Listener.AcceptTcpClient()
        }
        catch {
            break
        }

        try {
            $stream = $connection.GetStream()
            $stream.ReadTimeout = 15000
            $head = [System.IO.MemoryStream]::new()
            $tail = 0
            while ($tail -ne 0x0D0A0D0A) {
                $next = $stream.ReadByte()
                if ($next -lt 0) {
                    break
                }
                $head.WriteByte([byte] $next)
                $tail = (($tail -shl 8) -bor $next) -band 0xFFFFFFFF
            }
            $lines = $ascii.GetString($head.ToArray()) -split "`r`n"
            $requestLine = $lines[0]
            $parts = $requestLine -split ' '
            $headers = [ordered]@{}
            foreach ($line in $lines[1..($lines.Count - 1)]) {
                $colon = $line.IndexOf(':')
                if ($colon -gt 0) {
                    $headers[$line.Substring(0, $colon).Trim()] = $line.Substring($colon + 1).Trim()
                }
            }
            $length = if ($headers.Contains('Content-Length')) { [int] $headers['Content-Length'] } else { 0 }
            $body = [byte[]]::new($length)
            $read = 0
            while ($read -lt $length) {
                $count = $stream.Read($body, $read, $length - $read)
                if ($count -le 0) {
                    break
                }
                $read += $count
            }

            $authorization = if ($headers.Contains('Proxy-Authorization')) { $headers['Proxy-Authorization'] } else { $null }
            $Records.Enqueue([pscustomobject]@{
                    RequestLine        = $requestLine
                    Method             = $parts[0]
                    Target             = $parts[1]
                    ProxyAuthorization = $authorization
                })

            if ($expected -and $authorization -cne $expected) {
                $answer = "HTTP/1.1 407 Proxy Authentication Required`r`nProxy-Authenticate: Basic realm=`"test`"`r`nContent-Length: 0`r`nConnection: close`r`n`r`n"
                $bytes = $ascii.GetBytes($answer)
                $stream.Write($bytes, 0, $bytes.Length)
                continue
            }

            $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($parts[0]), $parts[1])
            $request.Content = [System.Net.Http.ByteArrayContent]::new($body)
            foreach ($name in $headers.Keys) {
                if ($skippedRequestHeaders -contains $name) {
                    continue
                }
                if (-not $request.Headers.TryAddWithoutValidation($name, [string] $headers[$name])) {
                    $null = $request.Content.Headers.TryAddWithoutValidation($name, [string] $headers[$name])
                }
            }

            $response = $client.Send($request)
            $content = $response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()
            $text = [System.Text.StringBuilder]::new()
            $null = $text.Append("HTTP/1.1 $([int] $response.StatusCode) $($response.ReasonPhrase)`r`n")
            foreach ($header in @($response.Headers) + @($response.Content.Headers)) {
                if ($skippedResponseHeaders -notcontains $header.Key) {
                    $null = $text.Append("$($header.Key): $($header.Value -join ', ')`r`n")
                }
            }
            $null = $text.Append("Content-Length: $($content.Length)`r`nConnection: close`r`n`r`n")
            $bytes = $ascii.GetBytes($text.ToString())
            $stream.Write($bytes, 0, $bytes.Length)
            $stream.Write($content, 0, $content.Length)
        }
        catch {
            $Records.Enqueue([pscustomobject]@{ RequestLine = $null; Method = $null; Target = $null; ProxyAuthorization = $null; Error = $_.Exception.Message })
        }
        finally {
            $connection.Dispose()
        }
    }
    $client.Dispose()
}

function Start-TestForwardingProxy {
    <#
    .SYNOPSIS
    Starts an HTTP forwarding proxy on a free loopback port in a background runspace of this process. Returns an
    object with Url, Records (what each request sent: RequestLine, Method, Target, ProxyAuthorization) and the
    parts Stop-TestForwardingProxy ends.

    .PARAMETER RequiredCredential
    'user:password'. When given, a request without this Basic Proxy-Authorization gets 407 with
    Proxy-Authenticate: Basic.
    #>
    [CmdletBinding()]
    param(
        [string] $RequiredCredential
    )

    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $records = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
    $powershell = [powershell]::Create()
    $null = $powershell.AddScript($script:ForwardingProxyLoop.ToString()).AddArgument($listener).AddArgument($records).AddArgument($RequiredCredential)
    $handle = $powershell.BeginInvoke()

    [pscustomobject]@{
        Url        = "http://127.0.0.1:$(([System.Net.IPEndPoint] $listener.LocalEndpoint).Port)"
        Records    = $records
        Listener   = $listener
        PowerShell = $powershell
        Handle     = $handle
    }
}

function Stop-TestForwardingProxy {
    <# .SYNOPSIS Stops a proxy that Start-TestForwardingProxy started. $null is ignored. #>
    [CmdletBinding()]
    param(
        [AllowNull()]
        [object] $Proxy
    )

    if ($null -eq $Proxy) {
        return
    }

    $Proxy.Listener.Stop()
    if (-not $Proxy.Handle.AsyncWaitHandle.WaitOne(5000)) {
        $Proxy.PowerShell.Stop()
    }
    $Proxy.PowerShell.Dispose()
}

function New-TestModuleRunspace {
    <#
    .SYNOPSIS
    Returns an opened runspace of this process with the module under test imported. The connection and the request
    context are process-wide, so the runspace shares them with the caller.
    #>
    [CmdletBinding()]
    param()

    $state = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
    $state.ImportPSModule([string[]] @(Get-TestModuleManifest))
    $runspace = [runspacefactory]::CreateRunspace($state)
    $runspace.Open()
    $runspace
}

Export-ModuleMember -Function @(
    'Start-TestEmulatorWithOption'
    'Add-TestEmulatorFault'
    'Start-TestForwardingProxy'
    'Stop-TestForwardingProxy'
    'New-TestModuleRunspace'
)
