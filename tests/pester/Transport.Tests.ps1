# Transport tests of the provisioning commands against the real module, native library and emulator over real
# HTTP: retries, pacing, time limits, cancellation, proxies, pipeline steps, -Break, -Debug and -Verbose.
# The request context is process-wide, so every block that changes it restores the defaults afterwards.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $commandName = 'New-MgBetaApplicationSynchronizationJobOnDemand'
    $appId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
    $jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
    $ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
    $userId = '11111111-aaaa-4bbb-8ccc-000000000002'
    $otherUserId = '11111111-aaaa-4bbb-8ccc-000000000007'
    $jobPath = "/beta/applications/$appId/synchronization/jobs/$jobId/provisionOnDemand"
    $userEntry = @{ RuleId = $ruleId; Subjects = @(@{ ObjectId = $userId; ObjectTypeName = 'User' }) }
    $provision = @{ ApplicationId = $appId; SynchronizationJobId = $jobId; Parameters = $userEntry }
    $token = New-TestToken

    # Sends one call for $userEntry with the given extra parameters. Tests that read -ErrorVariable or
    # -ResponseHeadersVariable call the command directly, because those set variables in the caller's scope.
    function Invoke-Provision {
        param([hashtable] $Extra = @{})

        New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry @Extra
    }

    function Restore-DefaultRequestContext {
        $null = Set-MgRequestContext -MaxRetry 3 -RetryDelay 3 -RetriesTimeLimit 0 -ClientTimeout 300 -Pacing $true -PacingLimit 5 -PacingWindow 10
    }

    # Returns the token's substrings of 8 characters that appear in a text.
    function Find-TokenPart {
        param([string] $Text, [string] $Secret)

        for ($start = 0; $start + 8 -le $Secret.Length; $start++) {
            $part = $Secret.Substring($start, 8)
            if ($Text.Contains($part)) {
                $part
            }
        }
    }

    # Runs a script in a new runspace of this process (the module imported) and returns the PowerShell instance
    # and its async handle, so a test can stop it.
    function Start-RunspaceCall {
        param([string] $Script, [hashtable] $Variables = @{})

        $runspace = New-TestModuleRunspace
        foreach ($name in $Variables.Keys) {
            $runspace.SessionStateProxy.SetVariable($name, $Variables[$name])
        }
        $powershell = [powershell]::Create()
        $powershell.Runspace = $runspace
        $null = $powershell.AddScript($Script)
        [pscustomobject]@{ PowerShell = $powershell; Handle = $powershell.BeginInvoke(); Runspace = $runspace }
    }

    function Stop-RunspaceCall {
        param([object] $Call)

        $Call.PowerShell.Dispose()
        $Call.Runspace.Dispose()
    }

    $emulator = Start-TestEmulatorWithOption -Option '--throttle', 'off', '--accept-unsigned-tokens'
    $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token
}

AfterAll {
    Restore-DefaultRequestContext
    Stop-TestEmulator $emulator
}

Describe 'Retries of throttled and unavailable answers' {
    BeforeAll {
        $null = Set-MgRequestContext -Pacing $false -MaxRetry 3 -RetryDelay 1 -RetriesTimeLimit 0
    }

    AfterAll {
        Restore-DefaultRequestContext
    }

    BeforeEach {
        Reset-TestEmulator $emulator
    }

    It 'retries a 429 after Retry-After seconds' {
        Add-TestEmulatorFault $emulator @{ fault = 'error'; status = 429; code = 'TooManyRequests'; retryAfter = 0.5; path = $jobPath }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $result = Invoke-Provision

        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.45
        $result.Key | Should -Match 'Success|Skipped'
        $requests = Get-TestEmulatorRequest $emulator
        $requests.Count | Should -Be 2
        $requests[0].status | Should -Be 429
        $requests[1].status | Should -Be 200
        $requests[1].headers.'retry-attempt' | Should -Be '1'
        $requests[0].headers.PSObject.Properties['retry-attempt'] | Should -BeNullOrEmpty
    }

    It 'retries a 429 whose Retry-After is an HTTP date' {
        Add-TestEmulatorFault $emulator @{ fault = 'error'; status = 429; retryAfterDate = 1; path = $jobPath }

        $result = Invoke-Provision

        $result | Should -Not -BeNullOrEmpty
        $requests = Get-TestEmulatorRequest $emulator
        $requests.Count | Should -Be 2
        $requests[1].status | Should -Be 200
    }

    It 'retries a 503 without Retry-After after RetryDelay' {
        Add-TestEmulatorFault $emulator @{ fault = 'error'; status = 503; path = $jobPath }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $result = Invoke-Provision

        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.95 -Because 'RetryDelay is 1 s'
        $result | Should -Not -BeNullOrEmpty
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 2
    }

    It 'retries a 504 and doubles the delay' {
        Add-TestEmulatorFault $emulator @{ fault = 'empty'; status = 504; count = 2; path = $jobPath }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $result = Invoke-Provision

        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2.9 -Because 'the waits are 1 s and then 2 s'
        $result | Should -Not -BeNullOrEmpty
        $requests = Get-TestEmulatorRequest $emulator
        $requests.Count | Should -Be 3
        $requests[2].headers.'retry-attempt' | Should -Be '2'
    }

    It 'retries a chunked 429 without Content-Length' {
        Add-TestEmulatorFault $emulator @{ fault = 'chunked'; status = 429; retryAfter = 0.2; path = $jobPath }

        $result = Invoke-Provision

        $result | Should -Not -BeNullOrEmpty
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 2
    }

    It 'reports the last 429 after MaxRetry retries' {
        Add-TestEmulatorFault $emulator @{ fault = 'error'; status = 429; code = 'TooManyRequests'; message = 'Slow down.'; retryAfter = 0.1; count = 4; path = $jobPath }

        $result = New-MgBetaApplicationSynchronizationJobOnDemand @provision -ErrorVariable failure -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'TooManyRequests,*'
        $failure[0].Exception.Message | Should -BeLike '*Slow down.*'
        $failure[0].Exception.Message | Should -BeLike '*4 times*'
        $failure[0].Exception.Data['StatusCode'] | Should -Be 429
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 4
    }

    It 'sends once with MaxRetry 0' {
        $null = Set-MgRequestContext -MaxRetry 0
        try {
            Add-TestEmulatorFault $emulator @{ fault = 'error'; status = 503; retryAfter = 0.1; path = $jobPath }

            $null = New-MgBetaApplicationSynchronizationJobOnDemand @provision -ErrorVariable failure -ErrorAction SilentlyContinue

            $failure.Count | Should -Be 1
            $failure[0].Exception.Data['StatusCode'] | Should -Be 503
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
        }
        finally {
            $null = Set-MgRequestContext -MaxRetry 3
        }
    }

    It 'stops retrying at RetriesTimeLimit' {
        $null = Set-MgRequestContext -RetriesTimeLimit 1
        try {
            Add-TestEmulatorFault $emulator @{ fault = 'error'; status = 503; retryAfter = 2; count = 3; path = $jobPath }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()

            $null = New-MgBetaApplicationSynchronizationJobOnDemand @provision -ErrorVariable failure -ErrorAction SilentlyContinue

            $watch.Elapsed.TotalSeconds | Should -BeLessThan 1.9 -Because 'a 2 s wait exceeds the 1 s limit, so no retry waits'
            $failure.Count | Should -Be 1
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
        }
        finally {
            $null = Set-MgRequestContext -RetriesTimeLimit 0
        }
    }

    It 'does not retry a 500' {
        Add-TestEmulatorFault $emulator @{ fault = 'error'; status = 500; path = $jobPath }

        $null = New-MgBetaApplicationSynchronizationJobOnDemand @provision -ErrorVariable failure -ErrorAction SilentlyContinue

        $failure[0].Exception.Data['StatusCode'] | Should -Be 500
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
    }

    It 'writes a verbose line for each retry' {
        Add-TestEmulatorFault $emulator @{ fault = 'error'; status = 429; retryAfter = 0.3; count = 2; path = $jobPath }

        $records = Invoke-Provision @{ Verbose = $true } 4>&1
        $lines = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $lines | Should -Contain 'Retrying after 0.3 s because the server answered 429, retry 1 of 3.'
        $lines | Should -Contain 'Retrying after 0.3 s because the server answered 429, retry 2 of 3.'
        $lines | Should -Contain 'Sending the request.'
        $lines | Should -Contain 'Sending the request again (attempt 3 of 4).'
        @($lines | Where-Object { $_ -like '* answered 200 OK after 3 attempts.' }).Count | Should -Be 1
    }
}

Describe 'ClientTimeout' {
    AfterAll {
        Restore-DefaultRequestContext
    }

    It 'ends a call that takes longer than ClientTimeout' {
        Reset-TestEmulator $emulator
        $null = Set-MgRequestContext -ClientTimeout 1 -Pacing $false
        Add-TestEmulatorFault $emulator @{ fault = 'delay'; delayMs = 5000; path = $jobPath }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $result = New-MgBetaApplicationSynchronizationJobOnDemand @provision -ErrorVariable failure -ErrorAction SilentlyContinue

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 4
        $result | Should -BeNullOrEmpty
        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'TimedOut,*'
        $failure[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }
}

Describe 'Pacing' {
    AfterAll {
        Restore-DefaultRequestContext
    }

    It 'waits for the rate limit and says so' {
        $pacedEmulator = Start-TestEmulatorWithOption -Option '--throttle', 'off', '--accept-unsigned-tokens'
        try {
            $null = Connect-TestGraph -BaseUrl $pacedEmulator.BaseUrl -Token $token
            $null = Set-MgRequestContext -Pacing $true -PacingLimit 2 -PacingWindow 2
            $watch = [System.Diagnostics.Stopwatch]::StartNew()

            $records = 1..3 | ForEach-Object { Invoke-Provision @{ Verbose = $true } 4>&1 }

            $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.8 -Because 'the third call waits for the first to leave the 2 s window'
            @($records | Where-Object { $_.PSObject.Properties['Key'] }).Count | Should -Be 3
            $waits = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Waiting * s for the rate limit of 2 calls per 2 s.' })
            $waits.Count | Should -Be 1
        }
        finally {
            Stop-TestEmulator $pacedEmulator
            $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token
        }
    }

    It 'shows a progress bar for a wait over one second' {
        $pacedEmulator = Start-TestEmulatorWithOption -Option '--throttle', 'off', '--accept-unsigned-tokens'
        $null = Set-MgRequestContext -Pacing $true -PacingLimit 1 -PacingWindow 3
        $call = Start-RunspaceCall -Script @'
$null = Add-MgEnvironment -Name PacedProgress -GraphEndpoint $baseUrl -AzureADEndpoint $baseUrl
Connect-MgGraph -Environment PacedProgress -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -NoWelcome
1..2 | ForEach-Object { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $entry }
'@ -Variables @{ baseUrl = $pacedEmulator.BaseUrl; token = $token; appId = $appId; jobId = $jobId; entry = $userEntry }
        try {
            $output = $call.PowerShell.EndInvoke($call.Handle)
            $progress = @($call.PowerShell.Streams.Progress)

            $output.Count | Should -Be 2
            $active = @($progress | Where-Object { $_.RecordType -eq 'Processing' })
            $active.Count | Should -BeGreaterThan 0
            $active[0].Activity | Should -Be $commandName
            $active[0].StatusDescription | Should -BeLike 'Waiting * s for the rate limit of 1 call per 3 s.'
            $active[0].SecondsRemaining | Should -BeGreaterThan 0
            $progress[-1].RecordType | Should -Be 'Completed'
        }
        finally {
            Stop-RunspaceCall $call
            Stop-TestEmulator $pacedEmulator
            $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token
        }
    }

    It 'shares the window across runspaces' {
        $throttled = Start-TestEmulatorWithOption -Option '--throttle', '5/1', '--accept-unsigned-tokens'
        $script = @'
$null = Add-MgEnvironment -Name ("Shared" + [guid]::NewGuid().ToString('N').Substring(0, 8)) -GraphEndpoint $baseUrl -AzureADEndpoint $baseUrl
$name = (Get-MgEnvironment | Where-Object GraphEndpoint -eq $baseUrl | Select-Object -Last 1).Name
Connect-MgGraph -Environment $name -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -NoWelcome
$start.Wait()
1..3 | ForEach-Object { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $entry }
'@
        $start = [System.Threading.ManualResetEventSlim]::new($false)
        $variables = @{ baseUrl = $throttled.BaseUrl; token = $token; appId = $appId; jobId = $jobId; entry = $userEntry; start = $start }
        $null = Connect-TestGraph -BaseUrl $throttled.BaseUrl -Token $token
        # After connecting, because the test helper's connect turns pacing off.
        $null = Set-MgRequestContext -Pacing $true -PacingLimit 5 -PacingWindow 1 -MaxRetry 0
        $calls = @(
            Start-RunspaceCall -Script $script -Variables $variables
            Start-RunspaceCall -Script $script -Variables $variables
        )
        try {
            Start-Sleep -Milliseconds 500
            $start.Set()
            $outputs = foreach ($call in $calls) { $call.PowerShell.EndInvoke($call.Handle) }
            $errors = foreach ($call in $calls) { $call.PowerShell.Streams.Error }

            @($errors).Count | Should -Be 0
            @($outputs).Count | Should -Be 6
            $statuses = @((Get-TestEmulatorRequest $throttled) | ForEach-Object status)
            $statuses.Count | Should -Be 6
            @($statuses | Where-Object { $_ -eq 429 }).Count | Should -Be 0
        }
        finally {
            foreach ($call in $calls) { Stop-RunspaceCall $call }
            Stop-TestEmulator $throttled
            Restore-DefaultRequestContext
            $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token
        }
    }

    It 'relies on retries when pacing is off' {
        $throttled = Start-TestEmulatorWithOption -Option '--throttle', '5/1', '--accept-unsigned-tokens'
        try {
            $null = Connect-TestGraph -BaseUrl $throttled.BaseUrl -Token $token
            $null = Set-MgRequestContext -Pacing $false -MaxRetry 5 -RetryDelay 1

            $results = 1..7 | ForEach-Object { New-MgBetaApplicationSynchronizationJobOnDemand @provision -ErrorVariable +failures -ErrorAction SilentlyContinue }

            @($results).Count | Should -Be 7
            @($failures).Count | Should -Be 0
            $statuses = @((Get-TestEmulatorRequest $throttled) | ForEach-Object status)
            @($statuses | Where-Object { $_ -eq 429 }).Count | Should -BeGreaterThan 0 -Because 'seven calls at once exceed 5 per second'
            @($statuses | Where-Object { $_ -eq 200 }).Count | Should -Be 7
        }
        finally {
            Stop-TestEmulator $throttled
            Restore-DefaultRequestContext
            $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token
        }
    }
}

Describe 'Cancellation' {
    BeforeAll {
        # Each case connects its runspace to its own emulator, so a 60 s pacing window stays with that emulator.
        $cancelScript = @'
$null = Add-MgEnvironment -Name ("Cancel" + [guid]::NewGuid().ToString('N').Substring(0, 8)) -GraphEndpoint $baseUrl -AzureADEndpoint $baseUrl
$name = (Get-MgEnvironment | Where-Object GraphEndpoint -eq $baseUrl | Select-Object -Last 1).Name
Connect-MgGraph -Environment $name -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -NoWelcome
$ready.Set()
New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $entry
New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $entry
'@
        function Measure-Stop {
            param([object] $TargetEmulator, [hashtable] $Fault)

            if ($Fault) {
                Add-TestEmulatorFault $TargetEmulator $Fault
            }
            $ready = [System.Threading.ManualResetEventSlim]::new($false)
            $call = Start-RunspaceCall -Script $cancelScript -Variables @{
                baseUrl = $TargetEmulator.BaseUrl; token = $token; appId = $appId; jobId = $jobId; entry = $userEntry; ready = $ready
            }
            try {
                $ready.Wait(20000) | Should -BeTrue
                Start-Sleep -Milliseconds 1500
                $call.Handle.IsCompleted | Should -BeFalse -Because 'the call should still wait when Stop() is called'
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $call.PowerShell.Stop()
                $watch.Stop()
                $call.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'

                # The same runspace still works: with the delay or the 429 used up, a new call succeeds.
                $null = Set-MgRequestContext -Pacing $false
                $again = [powershell]::Create()
                $again.Runspace = $call.Runspace
                $null = $again.AddScript('New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $entry')
                $output = $again.Invoke()
                $again.Dispose()
                $output.Count | Should -Be 1
                $watch.Elapsed.TotalSeconds
            }
            finally {
                Stop-RunspaceCall $call
                Restore-DefaultRequestContext
                $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token
            }
        }
    }

    It 'stops a call in flight' {
        $target = Start-TestEmulatorWithOption -Option '--throttle', 'off', '--accept-unsigned-tokens'
        try {
            $null = Set-MgRequestContext -Pacing $false
            $seconds = Measure-Stop -TargetEmulator $target -Fault @{ fault = 'delay'; delayMs = 30000; path = $jobPath }

            $seconds | Should -BeLessThan 2
        }
        finally {
            Stop-TestEmulator $target
        }
    }

    It 'stops a retry wait' {
        $target = Start-TestEmulatorWithOption -Option '--throttle', 'off', '--accept-unsigned-tokens'
        try {
            $null = Set-MgRequestContext -Pacing $false
            $seconds = Measure-Stop -TargetEmulator $target -Fault @{ fault = 'error'; status = 429; retryAfter = 60; path = $jobPath }

            $seconds | Should -BeLessThan 2
        }
        finally {
            Stop-TestEmulator $target
        }
    }

    It 'stops a pacing wait' {
        $target = Start-TestEmulatorWithOption -Option '--throttle', 'off', '--accept-unsigned-tokens'
        try {
            $null = Set-MgRequestContext -Pacing $true -PacingLimit 1 -PacingWindow 60
            $seconds = Measure-Stop -TargetEmulator $target

            $seconds | Should -BeLessThan 2
            (Get-TestEmulatorRequest $target).Count | Should -Be 2 -Because 'the first call and the call after the stop were sent, the paced one was not'
        }
        finally {
            Stop-TestEmulator $target
        }
    }
}

Describe 'Proxies' {
    BeforeAll {
        $null = Set-MgRequestContext -Pacing $false
        $proxyPassword = 'pr0xy-Secret-' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        $proxyCredential = [pscredential]::new('proxyuser', (ConvertTo-SecureString $proxyPassword -AsPlainText -Force))
    }

    AfterAll {
        Restore-DefaultRequestContext
    }

    BeforeEach {
        Reset-TestEmulator $emulator
    }

    It 'sends through -Proxy and returns the result' {
        $proxy = Start-TestForwardingProxy
        try {
            $result = Invoke-Provision @{ Proxy = $proxy.Url }

            $result.Key | Should -Match 'Success|Skipped'
            $records = @($proxy.Records)
            $records.Count | Should -Be 1
            $records[0].RequestLine | Should -Be "POST $($emulator.BaseUrl)$jobPath HTTP/1.1"
            $records[0].ProxyAuthorization | Should -BeNullOrEmpty
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
        }
        finally {
            Stop-TestForwardingProxy $proxy
        }
    }

    It 'sends Basic credentials from -ProxyCredential' {
        $proxy = Start-TestForwardingProxy -RequiredCredential "proxyuser:$proxyPassword"
        try {
            $result = Invoke-Provision @{ Proxy = $proxy.Url; ProxyCredential = $proxyCredential }

            $result | Should -Not -BeNullOrEmpty
            $expected = 'Basic ' + [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("proxyuser:$proxyPassword"))
            @($proxy.Records)[0].ProxyAuthorization | Should -BeExactly $expected
        }
        finally {
            Stop-TestForwardingProxy $proxy
        }
    }

    It 'reports 407 without credentials' {
        $proxy = Start-TestForwardingProxy -RequiredCredential "proxyuser:$proxyPassword"
        try {
            $extra = @{ Proxy = $proxy.Url }
            $result = New-MgBetaApplicationSynchronizationJobOnDemand @provision @extra -ErrorVariable failure -ErrorAction SilentlyContinue

            $result | Should -BeNullOrEmpty
            $failure.Count | Should -Be 1
            $failure[0].Exception.Data['StatusCode'] | Should -Be 407
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
        finally {
            Stop-TestForwardingProxy $proxy
        }
    }

    It 'reports 407 for a wrong password and never shows it' {
        $proxy = Start-TestForwardingProxy -RequiredCredential "proxyuser:$proxyPassword"
        $wrong = [pscredential]::new('proxyuser', (ConvertTo-SecureString 'Wrong-Password-123' -AsPlainText -Force))
        try {
            $text = Invoke-Provision @{ Proxy = $proxy.Url; ProxyCredential = $wrong; Debug = $true; Verbose = $true; ErrorAction = 'Continue' } *>&1 | Out-String

            $text | Should -Match '407'
            $text | Should -Not -Match 'Wrong-Password-123'
        }
        finally {
            Stop-TestForwardingProxy $proxy
        }
    }

    It 'rejects -ProxyUseDefaultCredentials clearly' {
        $proxy = Start-TestForwardingProxy
        try {
            { Invoke-Provision @{ Proxy = $proxy.Url; ProxyUseDefaultCredentials = $true } } | Should -Throw -ExpectedMessage '*ProxyUseDefaultCredentials*'
            @($proxy.Records).Count | Should -Be 0
        }
        finally {
            Stop-TestForwardingProxy $proxy
        }
    }

    It 'rejects a relative proxy URI naming it' {
        { Invoke-Provision @{ Proxy = [uri] 'proxy.example.com' } } | Should -Throw -ExpectedMessage "*Proxy 'proxy.example.com' is not valid*"
    }

    It 'rejects -ProxyCredential without -Proxy' {
        { Invoke-Provision @{ ProxyCredential = $proxyCredential } } | Should -Throw -ExpectedMessage '*ProxyCredential needs -Proxy*'
    }

    It 'routes through HTTP_PROXY and bypasses it for NO_PROXY' -ForEach @(
        @{ NoProxy = ''; Expected = 1 }
        @{ NoProxy = '127.0.0.1'; Expected = 0 }
    ) {
        $proxy = Start-TestForwardingProxy
        # Environment variable names are case-sensitive on Linux, so both spellings are saved and restored.
        $saved = [System.Collections.Generic.Dictionary[string, string]]::new([System.StringComparer]::Ordinal)
        foreach ($name in 'HTTP_PROXY', 'NO_PROXY', 'http_proxy', 'no_proxy') {
            $saved[$name] = [System.Environment]::GetEnvironmentVariable($name)
        }
        try {
            [System.Environment]::SetEnvironmentVariable('HTTP_PROXY', $proxy.Url)
            [System.Environment]::SetEnvironmentVariable('http_proxy', $null)
            [System.Environment]::SetEnvironmentVariable('NO_PROXY', $NoProxy)
            [System.Environment]::SetEnvironmentVariable('no_proxy', $null)
            $child = Invoke-TestChildSession -BaseUrl $emulator.BaseUrl -Token $token -Setup '$null = Set-MgRequestContext -Pacing $false' -Script @"
New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId '$appId' -SynchronizationJobId '$jobId' -Parameters @{ RuleId = '$ruleId'; Subjects = @(@{ ObjectId = '$userId'; ObjectTypeName = 'User' }) }
"@
        }
        finally {
            foreach ($name in $saved.Keys) {
                [System.Environment]::SetEnvironmentVariable($name, $saved[$name])
            }
            Stop-TestForwardingProxy $proxy
        }

        @($child.Summary.Records | Where-Object Kind -eq 'Output').Count | Should -Be 1 -Because $child.StandardError
        @($proxy.Records).Count | Should -Be $Expected
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
    }
}

Describe 'HTTP pipeline steps' {
    BeforeAll {
        $null = Set-MgRequestContext -Pacing $false
    }

    AfterAll {
        Restore-DefaultRequestContext
    }

    BeforeEach {
        Reset-TestEmulator $emulator
    }

    It 'sends a header that a step sets' {
        $step = { param($Request, $Next) $Request.Headers['X-Step-Indexer'] = 'one'; $Request.Headers.Add('X-Step-Added', 'two'); & $Next $Request }

        $result = Invoke-Provision @{ HttpPipelinePrepend = $step }

        $result.Key | Should -Match 'Success|Skipped'
        $request = (Get-TestEmulatorRequest $emulator)[0]
        $request.headers.'x-step-indexer' | Should -Be 'one'
        $request.headers.'x-step-added' | Should -Be 'two'
        $request.headers.authorization | Should -Be 'Bearer ***'
        $request.headers.'user-agent' | Should -BeLike 'MgProvisioning/*'
    }

    It 'changes a header case-insensitively' {
        $step = { param($Request, $Next) $Request.Headers['CLIENT-REQUEST-ID'] = '0a0b0c0d-0000-4000-8000-000000000001'; & $Next $Request }

        $null = Invoke-Provision @{ HttpPipelineAppend = $step }

        $request = (Get-TestEmulatorRequest $emulator)[0]
        $request.headers.'client-request-id' | Should -Be '0a0b0c0d-0000-4000-8000-000000000001'
    }

    It 'sends a body that a step rewrites' {
        $step = [scriptblock]::Create("param(`$Request, `$Next) `$Request.Content = `$Request.Content.Replace('$userId', '$otherUserId'); & `$Next `$Request")

        $result = Invoke-Provision @{ HttpPipelineAppend = $step }

        $result | Should -Not -BeNullOrEmpty
        $request = (Get-TestEmulatorRequest $emulator)[0]
        $request.body.parameters[0].subjects[0].objectId | Should -Be $otherUserId
    }

    It 'lets a step read the response' {
        $seen = [System.Collections.Generic.List[object]]::new()
        $step = {
            param($Request, $Next)
            $response = & $Next $Request
            $seen.Add($response.StatusCode)
            $seen.Add($response.Headers['request-id'])
            $response
        }.GetNewClosure()

        $result = Invoke-Provision @{ HttpPipelinePrepend = $step }

        $result | Should -Not -BeNullOrEmpty
        $seen[0] | Should -Be 200
        $seen[1] | Should -Match '^[0-9a-f-]{36}$'
    }

    It 'outputs the answer of a step that short-circuits' {
        $step = {
            param($Request, $Next)
            [pscustomobject]@{
                StatusCode = 200
                Headers    = @{ 'Content-Type' = 'application/json'; 'request-id' = 'fake-request' }
                Content    = '{"@odata.context":"https://graph.microsoft.com/beta/$metadata#microsoft.graph.stringKeyStringValuePair","key":"fake-key","value":"fake-value"}'
            }
        }

        $extra = @{ HttpPipelinePrepend = $step }
        $result = New-MgBetaApplicationSynchronizationJobOnDemand @provision @extra -ResponseHeadersVariable answerHeaders

        $result.Key | Should -BeExactly 'fake-key'
        $result.Value | Should -BeExactly 'fake-value'
        $answerHeaders['request-id'] | Should -Be 'fake-request'
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
    }

    It 'reports an error answer that a step returns' {
        $step = { param($Request, $Next) @{ StatusCode = 403; Content = '{"error":{"code":"Authorization_RequestDenied","message":"Denied by a step."}}' } }

        $extra = @{ HttpPipelineAppend = $step }
        $null = New-MgBetaApplicationSynchronizationJobOnDemand @provision @extra -ErrorVariable failure -ErrorAction SilentlyContinue

        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'Authorization_RequestDenied,*'
        $failure[0].Exception.Data['StatusCode'] | Should -Be 403
    }

    It 'runs prepend steps outside append steps' {
        $order = [System.Collections.Generic.List[string]]::new()
        $make = {
            param([string] $Name)
            $order = $order
            {
                param($Request, $Next)
                $order.Add("$Name request")
                $Request.Headers.Add('X-Order', $Name)
                $response = & $Next $Request
                $order.Add("$Name response")
                $response
            }.GetNewClosure()
        }
        $prepend = @((& $make 'A'), (& $make 'B'))
        $append = @((& $make 'C'), (& $make 'D'))

        $null = Invoke-Provision @{ HttpPipelinePrepend = $prepend; HttpPipelineAppend = $append }

        $order -join ',' | Should -Be 'A request,B request,C request,D request,D response,C response,B response,A response'
        (Get-TestEmulatorRequest $emulator)[0].headers.'x-order' | Should -Be 'A, B, C, D'
    }

    It 'reports a throwing step by its index and sends nothing' {
        $steps = @(
            { param($Request, $Next) & $Next $Request }
            { param($Request, $Next) throw 'The step failed on purpose.' }
        )

        $extra = @{ HttpPipelineAppend = $steps }
        $result = New-MgBetaApplicationSynchronizationJobOnDemand @provision @extra -ErrorVariable failure -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'HttpPipelineStepFailed,*'
        $failure[0].Exception.Message | Should -BeLike 'The HttpPipelineAppend step at index 1 failed: *The step failed on purpose.*'
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
    }

    It 'reports a step that returns no response' {
        $step = { param($Request, $Next) 'not a response' }

        $extra = @{ HttpPipelinePrepend = $step }
        $null = New-MgBetaApplicationSynchronizationJobOnDemand @provision @extra -ErrorVariable failure -ErrorAction SilentlyContinue

        $failure[0].Exception.Message | Should -BeLike 'The HttpPipelinePrepend step at index 0 failed: *without StatusCode*'
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
    }

    It 'goes on with the next input after a step error' {
        $calls = [System.Collections.Generic.List[int]]::new()
        $step = {
            param($Request, $Next)
            $calls.Add(1)
            if ($calls.Count -eq 1) { throw 'first input fails' }
            & $Next $Request
        }.GetNewClosure()
        $identity = @{ ApplicationId = $appId; SynchronizationJobId = $jobId }

        $results = @($identity, $identity) | New-MgBetaApplicationSynchronizationJobOnDemand -Parameters $userEntry -HttpPipelinePrepend $step -ErrorVariable failure -ErrorAction SilentlyContinue

        @($results).Count | Should -Be 1
        $failure.Count | Should -Be 1
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
    }

    It 'rejects a step that moves the request to another host' {
        $step = { param($Request, $Next) $Request.Uri = [uri] 'http://127.0.0.2:9/beta/elsewhere'; & $Next $Request }

        { Invoke-Provision @{ HttpPipelinePrepend = $step; ErrorAction = 'Stop' } } | Should -Throw
        (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
    }
}

Describe '-Break' {
    It 'waits for a debugger and says so on standard error' {
        $scriptFile = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "mgp-break-$([guid]::NewGuid().ToString('N')).ps1")
        $childScript = @"
Import-Module -Name '$(Get-TestModuleManifest)' -ErrorAction Stop
`$null = Add-MgEnvironment -Name Break -GraphEndpoint '$($emulator.BaseUrl)' -AzureADEndpoint '$($emulator.BaseUrl)'
Connect-MgGraph -Environment Break -AccessToken (ConvertTo-SecureString `$env:MGP_BREAK_TOKEN -AsPlainText -Force) -NoWelcome
New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId '$appId' -SynchronizationJobId '$jobId' -Break
"@
        [System.IO.File]::WriteAllText($scriptFile, $childScript)
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Get-TestPwshPath))
        foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $scriptFile) {
            $startInfo.ArgumentList.Add($argument)
        }
        $startInfo.UseShellExecute = $false
        $startInfo.RedirectStandardError = $true
        $startInfo.RedirectStandardOutput = $true
        $startInfo.Environment['MGP_BREAK_TOKEN'] = $token
        Reset-TestEmulator $emulator
        $process = [System.Diagnostics.Process]::Start($startInfo)
        try {
            $null = $process.StandardOutput.ReadToEndAsync()
            $line = $process.StandardError.ReadLineAsync()
            $line.Wait(30000) | Should -BeTrue -Because 'the child should write the message within 30 s'

            $line.Result | Should -BeExactly "Waiting for debugger to attach to process $($process.Id)"
            Start-Sleep -Seconds 1
            $process.HasExited | Should -BeFalse
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
        finally {
            if (-not $process.HasExited) {
                $process.Kill()
            }
            $process.Dispose()
            [System.IO.File]::Delete($scriptFile)
        }
    }
}

Describe '-Debug and -Verbose' {
    BeforeAll {
        $null = Set-MgRequestContext -Pacing $false
    }

    AfterAll {
        Restore-DefaultRequestContext
    }

    BeforeEach {
        Reset-TestEmulator $emulator
    }

    It 'shows the request and the response without the token' {
        $text = Invoke-Provision @{ Debug = $true; Verbose = $true } *>&1 | Out-String

        $text | Should -Match '(?m)^============================ HTTP REQUEST ============================$'
        $text | Should -Match '(?m)^============================ HTTP RESPONSE ============================$'
        $text | Should -Match "(?m)^Absolute Uri:\r?\n$([regex]::Escape($emulator.BaseUrl + $jobPath))$"
        $text | Should -Match '(?m)^HTTP Method:\r?\nPOST$'
        $text | Should -Match '(?m)^Status Code:\r?\nOK$'
        $text | Should -Match '(?m)^user-agent {20}: MgProvisioning/'
        $text | Should -Match '"ruleId"'
        $text | Should -Not -Match '(?i)authorization'
        Find-TokenPart -Text $text -Secret $token | Should -BeNullOrEmpty
        $text | Should -Match 'Sending the request\.'
    }

    It 'redacts secrets in the request body' {
        $text = Invoke-Provision @{ AdditionalProperties = @{ client_secret = 'Body-Secret-98765'; note = 'kept' }; Debug = $true } *>&1 | Out-String

        $text | Should -Match '"client_secret":\s*"<redacted>"'
        $text | Should -Not -Match 'Body-Secret-98765'
        $text | Should -Match '"note":\s*"kept"'
    }

    It 'redacts secrets in the response body' {
        $step = {
            param($Request, $Next)
            @{ StatusCode = 400; Headers = @{ 'Content-Type' = 'application/json' }; Content = '{"error":{"code":"BadRequest","message":"m"},"access_token":"Response-Token-55555","client_assertion":"Assertion-44444"}' }
        }

        $text = Invoke-Provision @{ HttpPipelinePrepend = $step; Debug = $true; ErrorAction = 'SilentlyContinue' } *>&1 | Out-String

        $text | Should -Match '"access_token":\s*"<redacted>"'
        $text | Should -Not -Match 'Response-Token-55555'
        $text | Should -Not -Match 'Assertion-44444'
    }

    It 'shortens a body over 10 KiB' {
        $long = 'x' * 12000
        $step = { param($Request, $Next) @{ StatusCode = 400; Content = '{"error":{"code":"BadRequest","message":"' + $long + '"}}' } }.GetNewClosure()

        $debug = Invoke-Provision @{ HttpPipelinePrepend = $step; Debug = $true; ErrorAction = 'SilentlyContinue' } 5>&1 |
            Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like '*HTTP RESPONSE*' }

        $debug.Message | Should -Match 'more characters not shown'
        $debug.Message.Length | Should -BeLessThan 11000
    }

    It 'writes nothing to the debug stream without -Debug' {
        $records = Invoke-Provision 5>&1

        @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -Be 0
    }
}

Describe 'Request headers on every call' {
    BeforeAll {
        $null = Set-MgRequestContext -Pacing $false
    }

    AfterAll {
        Restore-DefaultRequestContext
    }

    It 'sends a stable User-Agent and a fresh client-request-id' {
        Reset-TestEmulator $emulator

        $null = 1..3 | ForEach-Object { Invoke-Provision }

        $requests = (Get-TestEmulatorRequest $emulator)
        $requests.Count | Should -Be 3
        $module = Get-Module -Name MgProvisioning
        $agents = @($requests | ForEach-Object { $_.headers.'user-agent' } | Select-Object -Unique)
        $agents.Count | Should -Be 1
        $agents[0] | Should -BeLike "MgProvisioning/$($module.Version) (*; PowerShell $($PSVersionTable.PSVersion))"
        $ids = @($requests | ForEach-Object { $_.headers.'client-request-id' })
        @($ids | Select-Object -Unique).Count | Should -Be 3
        foreach ($id in $ids) {
            [guid]::TryParse($id, [ref] [guid]::Empty) | Should -BeTrue
        }
    }
}
