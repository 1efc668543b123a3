# Runs every conformance case in tests/cases as one test, as tests/cases/README.md describes: a fresh emulator
# state per case, each step's call in this session (or in a child pwsh for What if text and for steps that must
# run without a connection), the request checked against the emulator's log, then the step's expectations.
# A new case file becomes a new test without a change here.

BeforeDiscovery {
    $repositoryRoot = Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent
    $casesFolder = [System.IO.Path]::Combine($repositoryRoot, 'tests', 'cases')
    $caseFiles = @(Get-ChildItem -Path $casesFolder -Filter '*.json' -File -ErrorAction SilentlyContinue |
            Where-Object { $_.Name -match '^\d+-.+\.json$' } |
            Sort-Object -Property Name)
    $cases = @(foreach ($file in $caseFiles) {
            @{ Name = $file.BaseName; Path = $file.FullName }
        })
}

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $repositoryRoot = Get-TestRepositoryRoot
    $casesFolder = [System.IO.Path]::Combine($repositoryRoot, 'tests', 'cases')
    $volatileMembers = Get-TestVolatileMember
}

Describe 'Conformance case files' {
    It 'tests/cases holds at least one case' {
        $files = @(Get-ChildItem -Path $casesFolder -Filter '*.json' -File | Where-Object { $_.Name -match '^\d+-.+\.json$' })
        $files.Count | Should -BeGreaterThan 0
    }

    It 'tests/cases matches the shared cases byte for byte' {
        $sharedFolder = [System.IO.Path]::Combine((Split-Path -Path $repositoryRoot -Parent), 'shared', 'cases')
        if (-not [System.IO.Directory]::Exists($sharedFolder)) {
            Set-ItResult -Skipped -Because "there is no shared copy of the cases at $sharedFolder (a clone outside the development workspace)"
            return
        }

        $sharedFiles = @(Get-ChildItem -Path $sharedFolder -Filter '*.json' -File)
        $sharedFiles.Count | Should -BeGreaterThan 0 -Because "$sharedFolder should hold the case files"

        foreach ($sharedFile in $sharedFiles) {
            $localPath = [System.IO.Path]::Combine($casesFolder, $sharedFile.Name)
            [System.IO.File]::Exists($localPath) | Should -BeTrue -Because "$($sharedFile.Name) should be copied into tests/cases"

            $sharedHash = (Get-FileHash -Path $sharedFile.FullName -Algorithm SHA256).Hash
            $localHash = (Get-FileHash -Path $localPath -Algorithm SHA256).Hash
            $localHash | Should -Be $sharedHash -Because "tests/cases/$($sharedFile.Name) should be byte-identical to the shared copy"
        }
    }
}

Describe 'Conformance cases' {
    BeforeAll {
        $emulator = Start-TestEmulator
        $token = New-TestToken
        $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token

        # Runs a call in this session and returns the summaries of its records and of a terminating error.
        function Invoke-StepInSession {
            param([string] $Call)

            # A fresh session's default, whatever the runner set.
            $ErrorActionPreference = 'Continue'
            $records = [System.Collections.Generic.List[object]]::new()
            $terminating = $null
            try {
                & ([scriptblock]::Create($Call)) 2>&1 3>&1 | ForEach-Object { $records.Add($_) }
            }
            catch {
                $terminating = $_
            }

            [pscustomobject]@{
                Records     = @(foreach ($record in $records) { ConvertTo-TestRecordSummary $record })
                Terminating = if ($null -ne $terminating) { ConvertTo-TestRecordSummary $terminating } else { $null }
                HostText    = ''
            }
        }

        # Runs a call in a child pwsh, connected to the emulator unless -NotConnected.
        function Invoke-StepInChild {
            param([string] $Call, [switch] $NotConnected)

            $arguments = @{ Script = $Call }
            if (-not $NotConnected) {
                $arguments['BaseUrl'] = $emulator.BaseUrl
                $arguments['Token'] = $token
            }
            $child = Invoke-TestChildSession @arguments
            $child.Summary | Should -Not -BeNullOrEmpty -Because "the child pwsh should finish the call. Its standard error: $($child.StandardError)"

            [pscustomobject]@{
                Records     = @($child.Summary.Records)
                Terminating = $child.Summary.Terminating
                HostText    = $child.CallOutput
            }
        }
    }

    AfterAll {
        Stop-TestEmulator $emulator
    }

    It '<Name>' -ForEach $cases {
        $caseText = [System.IO.File]::ReadAllText($Path)
        $case = ConvertFrom-Json -InputObject $caseText
        $caseElement = ConvertTo-TestJsonElement $caseText
        $steps = @($case.steps)
        $steps.Count | Should -BeGreaterThan 0 -Because "$Name should have steps"

        Reset-TestEmulator $emulator

        for ($index = 0; $index -lt $steps.Count; $index++) {
            $step = $steps[$index]
            $stepElement = $caseElement.GetProperty('steps')[$index]
            $label = "step $($index + 1) of $Name ($($step.call))"
            $expect = $step.expect
            $connected = $step.PSObject.Properties['connected'] -eq $null -or $step.connected -ne $false
            $expectsWhatIf = $null -ne $expect -and $null -ne $expect.PSObject.Properties['whatIf']

            $requestsBefore = (Get-TestEmulatorRequest $emulator).Count

            $result = if ($expectsWhatIf -or -not $connected) {
                Invoke-StepInChild -Call $step.call -NotConnected:(-not $connected)
            }
            else {
                Invoke-StepInSession -Call $step.call
            }

            $outputs = @($result.Records | Where-Object { $_.Kind -eq 'Output' })
            $errors = @($result.Records | Where-Object { $_.Kind -eq 'Error' })

            # The request, as the emulator received it.
            $newRequests = @((Get-TestEmulatorRequest $emulator) | Select-Object -Skip $requestsBefore)
            if ($null -ne $step.PSObject.Properties['request']) {
                if ($null -eq $step.request) {
                    $newRequests.Count | Should -Be 0 -Because "no request may reach the emulator in $label"
                }
                else {
                    $newRequests.Count | Should -Be 1 -Because "$label should send exactly one request"
                    $received = $newRequests[0]
                    $received.method | Should -BeExactly $step.request.method -Because "the method of $label"
                    $received.path | Should -BeExactly $step.request.path -Because "the path of $label"

                    $expectedBody = Get-TestJsonMember -Element $stepElement.GetProperty('request') -Name 'body'
                    if ($null -ne $expectedBody) {
                        $differences = Compare-TestJson -Expected $expectedBody -Actual $received.bodyText -IgnoreMember $volatileMembers
                        $differences | Should -BeNullOrEmpty -Because "the body of $label should match the case. Sent: $($received.bodyText)"
                    }
                }
            }

            if ($null -ne $expect) {
                $expectElement = $stepElement.GetProperty('expect')

                if ($null -ne $expect.PSObject.Properties['output']) {
                    $outputs.Count | Should -Be 1 -Because "$label should output exactly one object"
                    $output = $outputs[0]
                    $expectedOutput = $expect.output
                    $outputElement = $expectElement.GetProperty('output')

                    if ($null -ne $expectedOutput.PSObject.Properties['key']) {
                        $output.Key | Should -BeExactly $expectedOutput.key -Because "the Key of $label"
                    }
                    if ($null -ne $expectedOutput.PSObject.Properties['value']) {
                        $output.Value | Should -BeExactly $expectedOutput.value -Because "the Value of $label"
                    }
                    if ($null -ne $expectedOutput.PSObject.Properties['keyJson']) {
                        $differences = Compare-TestJson -Expected $outputElement.GetProperty('keyJson') -Actual $output.Key -Subset -IgnoreMember $volatileMembers
                        $differences | Should -BeNullOrEmpty -Because "the Key of $label should contain the case's members. Key: $($output.Key)"
                    }
                    if ($null -ne $expectedOutput.PSObject.Properties['valueJson']) {
                        $differences = Compare-TestJson -Expected $outputElement.GetProperty('valueJson') -Actual $output.Value -Subset -IgnoreMember $volatileMembers
                        $differences | Should -BeNullOrEmpty -Because "the Value of $label should contain the case's members"
                    }
                    if ($null -ne $expectedOutput.PSObject.Properties['valueJsonArrayLength']) {
                        $valueElement = ConvertTo-TestJsonElement $output.Value
                        $valueElement.ValueKind.ToString() | Should -Be 'Array' -Because "the Value of $label should be a JSON array"
                        $valueElement.GetArrayLength() | Should -Be $expectedOutput.valueJsonArrayLength -Because "the length of the Value array of $label"
                    }
                    if ($null -ne $expectedOutput.PSObject.Properties['additionalProperties']) {
                        $differences = Compare-TestJson -Expected $outputElement.GetProperty('additionalProperties') -Actual $output.AdditionalPropertiesJson -Subset -IgnoreMember $volatileMembers
                        $differences | Should -BeNullOrEmpty -Because "AdditionalProperties of $label should contain the case's members. Got: $($output.AdditionalPropertiesJson)"
                    }
                }

                if ($expect.noError -eq $true) {
                    $errors.Count | Should -Be 0 -Because "$label should write no error. Got: $($errors.Text -join '; ')"
                    $result.Terminating | Should -BeNullOrEmpty -Because "$label should not stop with an error"
                }

                if ($expect.noOutput -eq $true) {
                    $outputs.Count | Should -Be 0 -Because "$label should output nothing"
                }

                if ($null -ne $expect.PSObject.Properties['error']) {
                    $expectedError = $expect.error
                    $errorRecord = if ($null -ne $result.Terminating) { $result.Terminating } else { $errors | Select-Object -First 1 }
                    $errorRecord | Should -Not -BeNullOrEmpty -Because "$label should write an error"

                    if ($null -ne $expectedError.PSObject.Properties['terminating']) {
                        ($null -ne $result.Terminating) | Should -Be $expectedError.terminating -Because "whether the error of $label stops the pipeline"
                    }
                    if ($null -ne $expectedError.PSObject.Properties['code']) {
                        $errorRecord.ErrorCode | Should -BeExactly $expectedError.code -Because "Exception.Data['ErrorCode'] of $label"
                    }
                    if ($null -ne $expectedError.PSObject.Properties['status']) {
                        $errorRecord.StatusCode | Should -Be ([string] $expectedError.status) -Because "Exception.Data['StatusCode'] of $label"
                    }
                    if ($null -ne $expectedError.PSObject.Properties['category']) {
                        $errorRecord.Category | Should -Be $expectedError.category -Because "the error category of $label"
                    }
                    if ($null -ne $expectedError.PSObject.Properties['fullyQualifiedErrorIdStartsWith']) {
                        $errorRecord.FullyQualifiedErrorId.StartsWith($expectedError.fullyQualifiedErrorIdStartsWith, [System.StringComparison]::Ordinal) |
                            Should -BeTrue -Because "FullyQualifiedErrorId '$($errorRecord.FullyQualifiedErrorId)' of $label should start with '$($expectedError.fullyQualifiedErrorIdStartsWith)'"
                    }
                    if ($null -ne $expectedError.PSObject.Properties['messageEquals']) {
                        $errorRecord.Message | Should -BeExactly $expectedError.messageEquals -Because "the error message of $label"
                    }
                }

                if ($expectsWhatIf) {
                    $whatIfText = (Get-TestWhatIfLine $result.HostText) -join [System.Environment]::NewLine
                    $whatIfText | Should -Not -BeNullOrEmpty -Because "$label should print What if text. Host output: $($result.HostText)"
                    $whatIfText | Should -BeLikeExactly "*Performing the operation `"$($expect.whatIf.operation)`"*" -Because "the What if text of $label should name the operation"
                    $whatIfText.Contains($expect.whatIf.targetContains) | Should -BeTrue -Because "the What if text of $label should contain '$($expect.whatIf.targetContains)'. Got: $whatIfText"
                }
            }

            # The parameter set, from the What if text of the same call.
            if ($step.parameterSet) {
                $commandName = Get-TestCommandName $step.call
                $commandName | Should -Not -BeNullOrEmpty -Because "$label should call a New-Mg* command"

                $whatIfText = if ($expectsWhatIf) {
                    $result.HostText
                }
                else {
                    $requestsBeforeWhatIf = (Get-TestEmulatorRequest $emulator).Count
                    $whatIfRun = Invoke-StepInChild -Call "$($step.call) -WhatIf" -NotConnected:(-not $connected)
                    (Get-TestEmulatorRequest $emulator).Count | Should -Be $requestsBeforeWhatIf -Because "the -WhatIf run of $label should send nothing"
                    $whatIfRun.HostText
                }

                $whatIfLines = (Get-TestWhatIfLine $whatIfText) -join [System.Environment]::NewLine
                $whatIfLines | Should -BeLikeExactly "*`"$($commandName)_$($step.parameterSet)`"*" -Because "$label should resolve to the parameter set $($step.parameterSet). Host output: $whatIfText"
            }
        }
    }
}
