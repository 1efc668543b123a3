# Feature tests of New-MgBetaApplicationSynchronizationJobOnDemand against the real module and the emulator over
# real HTTP. Each test starts from an empty request log and reads what reached the emulator from that log.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $emulator = Start-TestEmulator
    $token = New-TestToken
    $environmentName = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token

    $commandName = 'New-MgBetaApplicationSynchronizationJobOnDemand'
    $appId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
    $jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
    $ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
    $groupRuleId = 'e1a2b3c4-0002-4000-8000-000000000002#V2'
    $userId = '11111111-aaaa-4bbb-8ccc-000000000002'
    $notAssignedUserId = '11111111-aaaa-4bbb-8ccc-000000000003'
    $unknownUserId = '11111111-aaaa-4bbb-8ccc-0000000000ff'
    $groupId = '22222222-aaaa-4bbb-8ccc-000000000001'
    $memberId = '11111111-aaaa-4bbb-8ccc-000000000007'
    $unknownJobId = 'scim.00000000000000000000000000000000'
    $jobPath = "/beta/applications/$appId/synchronization/jobs/$jobId/provisionOnDemand"
    $userBody = '{"parameters":[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]}'
    $userEntry = @{ RuleId = $ruleId; Subjects = @(@{ ObjectId = $userId; ObjectTypeName = 'User' }) }
    $typeName = 'Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphStringKeyStringValuePair'

    # Returns the one request of the current test, failing when there is not exactly one.
    function Get-OnlyRequest {
        $requests = Get-TestEmulatorRequest $emulator
        $requests.Count | Should -Be 1 -Because 'the call should send exactly one request'
        $requests[0]
    }

    # Returns the names of the top-level members of a JSON object.
    function Get-JsonMemberName {
        param([string] $Json)

        @((ConvertTo-TestJsonElement $Json).EnumerateObject() | ForEach-Object { $_.Name })
    }
}

AfterAll {
    Stop-TestEmulator $emulator
}

Describe 'New-MgBetaApplicationSynchronizationJobOnDemand' {
    BeforeEach {
        Reset-TestEmulator $emulator
    }

    Context 'When choosing a parameter set' -ForEach @(@{
            Rows = @(
                @{ Set = 'ProvisionExpanded'; Call = "New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId 'app-1' -SynchronizationJobId 'job-1' -Parameters @{ RuleId = 'r' }"; Reason = 'ids with -Parameters' }
                @{ Set = 'ProvisionExpanded'; Call = "New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId 'app-1' -SynchronizationJobId 'job-1'"; Reason = 'ids alone is the default set' }
                @{ Set = 'ProvisionExpanded'; Call = "New-MgBetaApplicationSynchronizationJobOnDemand -ObjectId 'app-1' -SynchronizationJobId 'job-1'"; Reason = 'ObjectId is an alias of ApplicationId' }
                @{ Set = 'Provision'; Call = "New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId 'app-1' -SynchronizationJobId 'job-1' -BodyParameter @{ parameters = @() }"; Reason = 'ids with -BodyParameter' }
                @{ Set = 'ProvisionViaIdentityExpanded'; Call = "New-MgBetaApplicationSynchronizationJobOnDemand -InputObject @{ ApplicationId = 'app-1'; SynchronizationJobId = 'job-1' } -Parameters @{ RuleId = 'r' }"; Reason = '-InputObject with -Parameters' }
                @{ Set = 'ProvisionViaIdentityExpanded'; Call = "New-MgBetaApplicationSynchronizationJobOnDemand -InputObject @{ ApplicationId = 'app-1'; SynchronizationJobId = 'job-1' }"; Reason = '-InputObject alone' }
                @{ Set = 'ProvisionViaIdentity'; Call = "New-MgBetaApplicationSynchronizationJobOnDemand -InputObject @{ ApplicationId = 'app-1'; SynchronizationJobId = 'job-1' } -BodyParameter @{ parameters = @() }"; Reason = '-InputObject with -BodyParameter' }
                @{ Set = 'ProvisionViaIdentityExpanded'; Call = "@{ ApplicationId = 'app-1'; SynchronizationJobId = 'job-1' } | New-MgBetaApplicationSynchronizationJobOnDemand -Parameters @{ RuleId = 'r' }"; Reason = 'a piped identity binds to -InputObject' }
                @{ Set = 'ProvisionViaIdentity'; Call = "@{ ApplicationId = 'app-1'; SynchronizationJobId = 'job-1' } | New-MgBetaApplicationSynchronizationJobOnDemand -BodyParameter @{ parameters = @() }"; Reason = 'a piped identity with a named body' }
                @{ Set = 'Provision'; Call = "@{ parameters = @() } | New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId 'app-1' -SynchronizationJobId 'job-1'"; Reason = 'a piped body with ids binds to -BodyParameter' }
            )
        }) {
        BeforeAll {
            Reset-TestEmulator $emulator

            # One child pwsh runs every row with -WhatIf; a marker line separates the rows' host text.
            $script = foreach ($index in 0..($Rows.Count - 1)) {
                "[System.Console]::Out.WriteLine('@@ROW $index@@')"
                "try { $($Rows[$index].Call) -WhatIf } catch { [System.Console]::Out.WriteLine('@@ERROR ' + `$_.FullyQualifiedErrorId) }"
            }
            $child = Invoke-TestChildSession -Script ($script -join [System.Environment]::NewLine) -BaseUrl $emulator.BaseUrl -Token $token
            $rowText = @{}
            $current = $null
            foreach ($line in $child.CallOutput -split '\r?\n') {
                if ($line -match '^@@ROW (\d+)@@$') {
                    $current = [int] $Matches[1]
                    $rowText[$current] = [System.Text.StringBuilder]::new()
                }
                elseif ($null -ne $current) {
                    [void] $rowText[$current].AppendLine($line)
                }
            }
            $requestsDuringWhatIf = (Get-TestEmulatorRequest $emulator).Count
        }

        It 'resolves <Set> for <Reason>' -ForEach $Rows {
            $index = [array]::IndexOf(@($Rows.Call), $Call)
            $text = [string] $rowText[$index]
            $whatIf = (Get-TestWhatIfLine $text) -join ' '
            $whatIf | Should -BeLikeExactly "*Performing the operation `"New-MgBetaApplicationSynchronizationJobOnDemand_$Set`"*" -Because "host output: $text"
        }

        It 'sends nothing for any of them with -WhatIf' {
            $requestsDuringWhatIf | Should -Be 0
        }
    }

    Context 'When a call does not match a parameter set' {
        It 'rejects <Reason>' -ForEach @(
            @{ Reason = 'a positional argument'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand $appId $jobId }; ErrorId = 'PositionalParameterNotFound,New-MgBetaApplicationSynchronizationJobOnDemand' }
            @{ Reason = 'ids together with -InputObject'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -InputObject @{ ApplicationId = $appId } }; ErrorId = 'AmbiguousParameterSet,New-MgBetaApplicationSynchronizationJobOnDemand' }
            @{ Reason = '-Parameters together with -BodyParameter'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -BodyParameter @{} }; ErrorId = 'AmbiguousParameterSet,New-MgBetaApplicationSynchronizationJobOnDemand' }
        ) {
            $thrown = { & $Invoke } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be $ErrorId
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }

        It 'declares ApplicationId and SynchronizationJobId as strings' {
            $parameters = (Get-Command -Name $commandName).Parameters
            $parameters['ApplicationId'].ParameterType | Should -Be ([string])
            $parameters['SynchronizationJobId'].ParameterType | Should -Be ([string])
        }
    }

    Context 'When input comes from the pipeline' {
        It 'takes the path from a piped identity' {
            @{ ApplicationId = $appId; SynchronizationJobId = $jobId } |
                New-MgBetaApplicationSynchronizationJobOnDemand -Parameters $userEntry | Out-Null

            $request = Get-OnlyRequest
            $request.path | Should -BeExactly $jobPath
            Compare-TestJson -Expected $userBody -Actual $request.bodyText | Should -BeNullOrEmpty
        }

        It 'sends a piped body when the ids are given by name' {
            $body = @{ parameters = @(@{ ruleId = $ruleId; subjects = @(@{ objectId = $userId; objectTypeName = 'User' }) }) }
            $body | New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId | Out-Null

            $request = Get-OnlyRequest
            $request.path | Should -BeExactly $jobPath
            Compare-TestJson -Expected $userBody -Actual $request.bodyText | Should -BeNullOrEmpty
        }

        It 'sends one request per piped identity' {
            $otherAppId = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5da0'
            $otherJobId = 'gitHubEnterpriseCloud.c20ad4d76fe97759aa27a0c99bff6710.1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'
            $identities = @(
                @{ ApplicationId = $appId; SynchronizationJobId = $jobId }
                [pscustomobject]@{ ApplicationId = $otherAppId; SynchronizationJobId = $otherJobId }
                @{ ApplicationId = $appId; SynchronizationJobId = $jobId }
            )

            $identities | New-MgBetaApplicationSynchronizationJobOnDemand -Parameters $userEntry -ErrorAction SilentlyContinue | Out-Null

            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 3
            $requests[0].path | Should -BeExactly $jobPath
            $requests[1].path | Should -BeExactly "/beta/applications/$otherAppId/synchronization/jobs/$otherJobId/provisionOnDemand"
            $requests[2].path | Should -BeExactly $jobPath
        }

        It 'never sends a piped identity as the body' {
            $identity = @{ ApplicationId = $appId; SynchronizationJobId = $jobId }
            $body = @{ parameters = @(@{ ruleId = $ruleId; subjects = @(@{ objectId = $userId; objectTypeName = 'User' }) }) }

            $identity | New-MgBetaApplicationSynchronizationJobOnDemand -BodyParameter $body | Out-Null

            $request = Get-OnlyRequest
            Compare-TestJson -Expected $userBody -Actual $request.bodyText | Should -BeNullOrEmpty
        }

        It 'sends an empty object for a piped identity without a body' {
            @{ ApplicationId = $appId; SynchronizationJobId = $jobId } |
                New-MgBetaApplicationSynchronizationJobOnDemand -ErrorAction SilentlyContinue | Out-Null

            $request = Get-OnlyRequest
            Compare-TestJson -Expected '{}' -Actual $request.bodyText | Should -BeNullOrEmpty
        }

        It 'takes no pipeline input into -Headers' {
            $headersParameter = (Get-Command -Name $commandName).Parameters['Headers']
            $pipelineAttributes = @($headersParameter.Attributes |
                    Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) })
            $pipelineAttributes.Count | Should -Be 0
        }

        It 'sends no identity member as a header' {
            @{ ApplicationId = $appId; SynchronizationJobId = $jobId } |
                New-MgBetaApplicationSynchronizationJobOnDemand -Parameters $userEntry | Out-Null

            $request = Get-OnlyRequest
            $headerNames = @($request.headers.PSObject.Properties.Name)
            $headerNames | Should -Not -Contain 'applicationid'
            $headerNames | Should -Not -Contain 'synchronizationjobid'
        }
    }

    Context 'When using an alias' {
        It '<Alias> is an alias of -<Parameter>' -ForEach @(
            @{ Alias = 'ObjectId'; Parameter = 'ApplicationId'; Reason = "Microsoft's module names the application id ObjectId too" }
            @{ Alias = 'RHV'; Parameter = 'ResponseHeadersVariable'; Reason = "Microsoft's module declares this alias" }
            @{ Alias = 'wi'; Parameter = 'WhatIf'; Reason = 'the common alias of -WhatIf' }
            @{ Alias = 'cf'; Parameter = 'Confirm'; Reason = 'the common alias of -Confirm' }
        ) {
            (Get-Command -Name $commandName).Parameters[$Parameter].Aliases | Should -Contain $Alias
        }

        It 'sends to the application given with -ObjectId' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ObjectId $appId -SynchronizationJobId $jobId -Parameters $userEntry | Out-Null

            (Get-OnlyRequest).path | Should -BeExactly $jobPath
        }

        It 'sets the variable named with -RHV' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -RHV aliasHeaders | Out-Null

            $aliasHeaders | Should -Not -BeNullOrEmpty
            $aliasHeaders['request-id'] | Should -Not -BeNullOrEmpty
        }

        It 'sends nothing with -wi' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -wi | Out-Null

            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }

        It 'sends with -cf:$false' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -cf:$false | Out-Null

            (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
        }
    }

    Context 'When asked to confirm or to show what would happen' {
        It 'sends nothing and outputs nothing with -WhatIf' {
            $output = @(New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -WhatIf)

            $output.Count | Should -Be 0
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }

        It 'sends nothing while $WhatIfPreference is $true' {
            $WhatIfPreference = $true
            try {
                $output = @(New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry)
            }
            finally {
                $WhatIfPreference = $false
            }

            $output.Count | Should -Be 0
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }

        It 'sends without prompting with -Confirm:$false' {
            $output = @(New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -Confirm:$false)

            $output.Count | Should -Be 1
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
        }

        It 'prints the operation and the remote call with -WhatIf' {
            $child = Invoke-TestChildSession -Script "New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId '$appId' -SynchronizationJobId '$jobId' -WhatIf" -BaseUrl $emulator.BaseUrl -Token $token

            $whatIf = @(Get-TestWhatIfLine $child.CallOutput)
            $whatIf.Count | Should -Be 1 -Because "host output: $($child.CallOutput)"
            $whatIf[0] | Should -BeExactly "What if: Performing the operation `"New-MgBetaApplicationSynchronizationJobOnDemand_ProvisionExpanded`" on target `"Call remote 'POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/provisionOnDemand' operation`"."
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }

        It 'sends without a prompt at the default $ConfirmPreference' {
            $child = Invoke-TestChildSession -Script "New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId '$appId' -SynchronizationJobId '$jobId' -Parameters @{ RuleId = '$ruleId'; Subjects = @{ ObjectId = '$userId'; ObjectTypeName = 'User' } }" -BaseUrl $emulator.BaseUrl -Token $token

            $child.Summary.Terminating | Should -BeNullOrEmpty
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 1
        }

        It 'prompts instead of sending when <Reason>' -ForEach @(
            @{ Reason = '$ConfirmPreference is Medium'; Setup = "`$ConfirmPreference = 'Medium'"; Switch = '' }
            @{ Reason = '-Confirm is given'; Setup = ''; Switch = ' -Confirm' }
        ) {
            # -NonInteractive turns the prompt into an error, which shows that a prompt was due.
            $call = "New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId '$appId' -SynchronizationJobId '$jobId' -Parameters @{ RuleId = '$ruleId'; Subjects = @{ ObjectId = '$userId'; ObjectTypeName = 'User' } }$Switch"
            $child = Invoke-TestChildSession -Script $call -Setup $Setup -BaseUrl $emulator.BaseUrl -Token $token

            $errors = @(@($child.Summary.Records) + @($child.Summary.Terminating) | Where-Object { $null -ne $_ -and $_.Kind -eq 'Error' })
            $errors.Count | Should -BeGreaterThan 0 -Because 'a non-interactive session cannot answer the prompt'
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When the body comes in different forms' {
        It 'sends the same body for <Form>' -ForEach @(
            @{ Form = 'a hashtable array'; Reason = 'the documented form'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @(@{ RuleId = $ruleId; Subjects = @(@{ ObjectId = $userId; ObjectTypeName = 'User' }) }) } }
            @{ Form = 'ordered dictionaries'; Reason = '[ordered] is an IDictionary too'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @([ordered]@{ RuleId = $ruleId; Subjects = @([ordered]@{ ObjectId = $userId; ObjectTypeName = 'User' }) }) } }
            @{ Form = 'ConvertFrom-Json -AsHashtable'; Reason = 'gives case-sensitive OrderedHashtable objects'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters ('[{"RuleId":"' + $ruleId + '","Subjects":[{"ObjectId":"' + $userId + '","ObjectTypeName":"User"}]}]' | ConvertFrom-Json -AsHashtable) } }
            @{ Form = 'ConvertFrom-Json objects'; Reason = 'gives PSCustomObject with note properties'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters ('[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]' | ConvertFrom-Json) } }
            @{ Form = 'JSON text of one entry'; Reason = 'the core parses text where it expects an object'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters ('{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}') } }
            @{ Form = 'JSON text of an array'; Reason = 'the core parses text where it expects an array'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters ('[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]') } }
            @{ Form = 'bare hashtables'; Reason = 'a single entry needs no array around it'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User' } } } }
            @{ Form = 'unary comma arrays'; Reason = ',@{} is a one-element array'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters (, @{ RuleId = $ruleId; Subjects = (, @{ ObjectId = $userId; ObjectTypeName = 'User' }) }) } }
            @{ Form = 'lowercase keys'; Reason = 'keys match without regard to case'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @(@{ ruleid = $ruleId; subjects = @(@{ objectid = $userId; objecttypename = 'User' }) }) } }
            @{ Form = 'uppercase keys'; Reason = 'keys match without regard to case'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @(@{ RULEID = $ruleId; SUBJECTS = @(@{ OBJECTID = $userId; OBJECTTYPENAME = 'User' }) }) } }
            @{ Form = 'a -BodyParameter hashtable'; Reason = 'the Provision set'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -BodyParameter @{ Parameters = @(@{ RuleId = $ruleId; Subjects = @(@{ ObjectId = $userId; ObjectTypeName = 'User' }) }) } } }
            @{ Form = 'a -BodyParameter with bare hashtables'; Reason = 'a bare parameters entry becomes an array of one'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -BodyParameter @{ parameters = @{ ruleId = $ruleId; subjects = @{ objectId = $userId; objectTypeName = 'User' } } } } }
            @{ Form = 'a -BodyParameter ordered dictionary'; Reason = '[ordered] is an IDictionary too'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -BodyParameter ([ordered]@{ parameters = @([ordered]@{ ruleId = $ruleId; subjects = @([ordered]@{ objectId = $userId; objectTypeName = 'User' }) }) }) } }
            @{ Form = 'a -BodyParameter from ConvertFrom-Json -AsHashtable'; Reason = 'an OrderedHashtable body'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -BodyParameter ($userBody | ConvertFrom-Json -AsHashtable) } }
            @{ Form = 'a -BodyParameter from ConvertFrom-Json'; Reason = 'a PSCustomObject body, as read from a file'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -BodyParameter ($userBody | ConvertFrom-Json) } }
            @{ Form = 'a -BodyParameter JSON string'; Reason = 'the core parses text where it expects an object'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -BodyParameter $userBody } }
            @{ Form = 'a piped PSCustomObject body'; Reason = 'the pipeline wraps the value in PSObject'; Invoke = { $userBody | ConvertFrom-Json | New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId } }
            @{ Form = 'a piped JSON string body'; Reason = 'a string from the pipeline is wrapped in PSObject'; Invoke = { $userBody | New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId } }
        ) {
            & $Invoke | Out-Null

            $request = Get-OnlyRequest
            $request.path | Should -BeExactly $jobPath
            Compare-TestJson -Expected $userBody -Actual $request.bodyText | Should -BeNullOrEmpty -Because "the body sent was $($request.bodyText)"
        }

        It 'sends the body as UTF-8 JSON' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry | Out-Null

            (Get-OnlyRequest).headers.'content-type' | Should -BeLike 'application/json*'
        }
    }

    Context 'When a key is unknown' {
        It 'drops <Key> with a warning naming <Suggestion>' -ForEach @(
            @{ Key = 'ObjectType'; Suggestion = 'objectTypeName'; Reason = 'a subject is a closed type'; Entry = @{ RuleId = 'e1a2b3c4-0001-4000-8000-000000000001'; Subjects = @(@{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000002'; ObjectType = 'User' }) } }
            @{ Key = 'Rule'; Suggestion = 'ruleId'; Reason = 'a parameters entry is a closed type'; Entry = @{ Rule = 'e1a2b3c4-0001-4000-8000-000000000001'; Subjects = @(@{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000002'; ObjectTypeName = 'User' }) } }
            @{ Key = 'Subject'; Suggestion = 'subjects'; Reason = 'a misspelled array name is not sent'; Entry = @{ RuleId = 'e1a2b3c4-0001-4000-8000-000000000001'; Subject = @(@{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000002'; ObjectTypeName = 'User' }) } }
        ) {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $Entry -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Out-Null

            $warnings.Count | Should -Be 1
            $warnings[0].Message | Should -Match "\b$Key\b" -Because 'the warning names the dropped key'
            $warnings[0].Message | Should -MatchExactly $Suggestion -Because 'the warning names the closest known key'
            $request = Get-OnlyRequest
            $request.bodyText | Should -Not -Match "`"$Key`"" -Because "the dropped key is not sent: $($request.bodyText)"
        }

        It 'invents no objectTypeName for a dropped ObjectType' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectType = 'User' } } -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Out-Null

            $expected = '{"parameters":[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '"}]}]}'
            Compare-TestJson -Expected $expected -Actual (Get-OnlyRequest).bodyText | Should -BeNullOrEmpty
        }

        It 'keeps unknown body members verbatim without a warning' {
            $body = @{ parameters = @($userEntry); Trace_Tag = 'nightly'; nested = @{ KeepCase = 1 } }
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -BodyParameter $body -WarningVariable warnings | Out-Null

            $warnings.Count | Should -Be 0
            $expected = '{"Trace_Tag":"nightly","nested":{"KeepCase":1},"parameters":[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]}'
            Compare-TestJson -Expected $expected -Actual (Get-OnlyRequest).bodyText | Should -BeNullOrEmpty
        }

        It 'keeps -AdditionalProperties and unknown link members verbatim' {
            $entry = @{ RuleId = $groupRuleId; Subjects = @{ ObjectId = $groupId; ObjectTypeName = 'Group'; Links = @{ Members = @{ ObjectId = $memberId; ObjectTypeName = 'User' }; CustomHint = 'keep' } } }
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $entry -AdditionalProperties @{ 'Trace_Tag' = 'nightly-run' } -WarningVariable warnings | Out-Null

            $warnings.Count | Should -Be 0
            $expected = '{"Trace_Tag":"nightly-run","parameters":[{"ruleId":"' + $groupRuleId + '","subjects":[{"objectId":"' + $groupId + '","objectTypeName":"Group","links":{"CustomHint":"keep","members":[{"objectId":"' + $memberId + '","objectTypeName":"User"}]}}]}]}'
            Compare-TestJson -Expected $expected -Actual (Get-OnlyRequest).bodyText | Should -BeNullOrEmpty
        }
    }

    Context 'When values need care' {
        It 'sends <Reason>' -ForEach @(
            @{ Reason = 'an AD distinguished name with an escaped comma unchanged'; ObjectId = 'CN=Doe\, Jane,OU=Staff,DC=corp,DC=example,DC=com'; Expected = 'CN=Doe\, Jane,OU=Staff,DC=corp,DC=example,DC=com' }
            @{ Reason = 'leading zeros of a worker id'; ObjectId = '000123'; Expected = '000123' }
            @{ Reason = 'non-ASCII text as UTF-8'; ObjectId = 'CN=Zoë Ærø,OU=Ünits,DC=例え,DC=com'; Expected = 'CN=Zoë Ærø,OU=Ünits,DC=例え,DC=com' }
            @{ Reason = 'an integer as its decimal string'; ObjectId = 42; Expected = '42' }
        ) {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $ObjectId; ObjectTypeName = 'User' } } -ErrorAction SilentlyContinue | Out-Null

            $sent = ConvertTo-TestJsonElement (Get-OnlyRequest).bodyText
            $objectId = $sent.GetProperty('parameters')[0].GetProperty('subjects')[0].GetProperty('objectId')
            $objectId.ValueKind.ToString() | Should -Be 'String'
            $objectId.GetString() | Should -BeExactly $Expected
        }

        It 'escapes a DN backslash once in the JSON text' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = 'CN=Doe\, Jane,OU=Staff,DC=corp,DC=example,DC=com'; ObjectTypeName = 'user' } } -ErrorAction SilentlyContinue | Out-Null

            $bodyText = (Get-OnlyRequest).bodyText
            $bodyText | Should -BeLikeExactly '*"CN=Doe\\, Jane,OU=Staff*'
            $bodyText | Should -Not -BeLikeExactly '*\\\\*'
        }

        It 'keeps the case of objectTypeName' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'user' } } -ErrorAction SilentlyContinue | Out-Null

            $sent = ConvertTo-TestJsonElement (Get-OnlyRequest).bodyText
            $sent.GetProperty('parameters')[0].GetProperty('subjects')[0].GetProperty('objectTypeName').GetString() | Should -BeExactly 'user'
        }

        It 'leaves out members whose value is $null' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User'; Links = $null } } -AdditionalProperties @{ Extra = $null } | Out-Null

            Compare-TestJson -Expected $userBody -Actual (Get-OnlyRequest).bodyText | Should -BeNullOrEmpty
        }

        It 'keeps empty strings and $false' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = ''; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User' } } -AdditionalProperties @{ Note = ''; Flag = $false } -ErrorAction SilentlyContinue | Out-Null

            $expected = '{"Note":"","Flag":false,"parameters":[{"ruleId":"","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]}'
            Compare-TestJson -Expected $expected -Actual (Get-OnlyRequest).bodyText | Should -BeNullOrEmpty
        }

        It 'sends a group with one member as arrays' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $groupRuleId; Subjects = @{ ObjectId = $groupId; ObjectTypeName = 'Group'; Links = @{ Members = @{ ObjectId = $memberId; ObjectTypeName = 'User' } } } } | Out-Null

            $expected = '{"parameters":[{"ruleId":"' + $groupRuleId + '","subjects":[{"objectId":"' + $groupId + '","objectTypeName":"Group","links":{"members":[{"objectId":"' + $memberId + '","objectTypeName":"User"}]}}]}]}'
            Compare-TestJson -Expected $expected -Actual (Get-OnlyRequest).bodyText | Should -BeNullOrEmpty
        }

        It 'sends a manager as one subject' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User'; Links = @{ Manager = @{ ObjectId = $memberId; ObjectTypeName = 'User' } } } } -ErrorAction SilentlyContinue | Out-Null

            $expected = '{"parameters":[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User","links":{"manager":{"objectId":"' + $memberId + '","objectTypeName":"User"}}}]}]}'
            Compare-TestJson -Expected $expected -Actual (Get-OnlyRequest).bodyText | Should -BeNullOrEmpty
        }
    }

    Context 'When an id needs percent-encoding' {
        It 'encodes <Reason> in the path' -ForEach @(
            @{ Reason = 'a slash'; Id = 'app/with/slash'; Encoded = 'app%2Fwith%2Fslash' }
            @{ Reason = 'a question mark'; Id = 'app?x=1'; Encoded = 'app%3Fx%3D1' }
            @{ Reason = 'a hash'; Id = 'app#frag'; Encoded = 'app%23frag' }
            @{ Reason = 'a percent sign'; Id = 'app%41'; Encoded = 'app%2541' }
            @{ Reason = 'a space'; Id = 'app with space'; Encoded = 'app%20with%20space' }
            @{ Reason = 'non-ASCII letters'; Id = 'appü例'; Encoded = 'app%C3%BC%E4%BE%8B' }
        ) {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $Id -SynchronizationJobId $jobId -Parameters $userEntry -ErrorAction SilentlyContinue | Out-Null

            $request = Get-OnlyRequest
            $segments = $request.path.Split('/')
            $segments.Count | Should -Be 8 -Because "the id must stay one path segment: $($request.path)"
            $request.path | Should -Be "/beta/applications/$Encoded/synchronization/jobs/$jobId/provisionOnDemand"
            [System.Uri]::UnescapeDataString($segments[3]) | Should -BeExactly $Id
            $request.query | Should -BeNullOrEmpty
        }

        It 'encodes a slash in the job id' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId 'job/x' -Parameters $userEntry -ErrorAction SilentlyContinue | Out-Null

            (Get-OnlyRequest).path | Should -Be "/beta/applications/$appId/synchronization/jobs/job%2Fx/provisionOnDemand"
        }

        It 'keeps the dots of a job id' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry | Out-Null

            (Get-OnlyRequest).path | Should -BeExactly $jobPath
        }
    }

    Context 'When the identity is incomplete' {
        It 'stops before sending for <Reason>' -ForEach @(
            @{ Reason = 'a job from a list (Id without SynchronizationJobId)'; Identity = @{ Id = 'scim.8f14e45fceea167a5a36dedd4bea2543'; ApplicationId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60' }; Missing = 'SynchronizationJobId' }
            @{ Reason = 'a missing ApplicationId'; Identity = @{ SynchronizationJobId = 'scim.8f14e45fceea167a5a36dedd4bea2543' }; Missing = 'ApplicationId' }
            @{ Reason = 'an empty ApplicationId'; Identity = @{ ApplicationId = ''; SynchronizationJobId = 'scim.8f14e45fceea167a5a36dedd4bea2543' }; Missing = 'ApplicationId' }
            @{ Reason = 'a PSCustomObject without SynchronizationJobId'; Identity = [pscustomobject]@{ Id = 'scim.8f14e45fceea167a5a36dedd4bea2543'; ApplicationId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60' }; Missing = 'SynchronizationJobId' }
        ) {
            $thrown = { New-MgBetaApplicationSynchronizationJobOnDemand -InputObject $Identity -Parameters $userEntry } | Should -Throw -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -BeExactly "InputObject has null value for InputObject.$Missing"
            [object]::ReferenceEquals($thrown.TargetObject.PSObject.BaseObject, $Identity.PSObject.BaseObject) | Should -BeTrue -Because 'the error targets the InputObject'
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }

        It 'stops the pipeline at a piped job without SynchronizationJobId' {
            $records = @(& {
                    try {
                        @{ Id = $jobId; ApplicationId = $appId } | New-MgBetaApplicationSynchronizationJobOnDemand -Parameters $userEntry
                    }
                    catch {
                        'stopped'
                    }
                })

            $records | Should -Contain 'stopped'
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }

        It 'ignores other identity keys' {
            $identity = @{ ApplicationId = $appId; SynchronizationJobId = $jobId; ServicePrincipalId = 'ignored'; UserId = 'ignored' }
            New-MgBetaApplicationSynchronizationJobOnDemand -InputObject $identity -Parameters $userEntry | Out-Null

            (Get-OnlyRequest).path | Should -BeExactly $jobPath
        }

        It 'reads identity keys without regard to case' {
            New-MgBetaApplicationSynchronizationJobOnDemand -InputObject @{ APPLICATIONID = $appId; synchronizationjobid = $jobId } -Parameters $userEntry | Out-Null

            (Get-OnlyRequest).path | Should -BeExactly $jobPath
        }
    }

    Context 'When the input is invalid' {
        It 'stops before sending for <Reason>' -ForEach @(
            @{ Reason = 'a scriptblock as the identity ApplicationId'; Field = 'ApplicationId'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -InputObject @{ ApplicationId = { 'x' }; SynchronizationJobId = $jobId } -Parameters $userEntry } }
            @{ Reason = '$true as the identity ApplicationId'; Field = 'ApplicationId'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -InputObject @{ ApplicationId = $true; SynchronizationJobId = $jobId } -Parameters $userEntry } }
            @{ Reason = '$true as a subject objectId'; Field = 'objectId'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $true; ObjectTypeName = 'User' } } } }
            @{ Reason = 'a scriptblock as a subject objectId'; Field = 'objectId'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = { 'x' }; ObjectTypeName = 'User' } } } }
            @{ Reason = 'a -BodyParameter that is not valid JSON'; Field = 'BodyParameter'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -BodyParameter '{"parameters": [' } }
            @{ Reason = 'a -Parameters that is not valid JSON'; Field = 'Parameters'; Invoke = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters '[{"ruleId": ' } }
        ) {
            $thrown = { & $Invoke } | Should -Throw -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -Match $Field -Because 'the error names the field'
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When headers are given' {
        It 'sends a custom header once' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -Headers @{ 'X-Trace-Id' = 'trace-123' } | Out-Null

            (Get-OnlyRequest).headers.'x-trace-id' | Should -BeExactly 'trace-123'
        }

        It 'sends a header value as a string' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -Headers @{ 'X-Attempt' = 3 } | Out-Null

            (Get-OnlyRequest).headers.'x-attempt' | Should -BeExactly '3'
        }

        It 'replaces the generated client-request-id' {
            $clientRequestId = '0d0e0f10-1112-4314-9516-17181920aaaa'
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -Headers @{ 'client-request-id' = $clientRequestId } -ResponseHeadersVariable responseHeaders | Out-Null

            (Get-OnlyRequest).headers.'client-request-id' | Should -BeExactly $clientRequestId
            $responseHeaders['client-request-id'] | Should -Be $clientRequestId
        }

        It 'rejects <Name> before sending' -ForEach @(
            @{ Name = 'Authorization'; Reason = 'the connection sets the token' }
            @{ Name = 'authorization'; Reason = 'header names match without regard to case' }
            @{ Name = 'Content-Type'; Reason = 'the body is always JSON' }
            @{ Name = 'Content-Length'; Reason = 'the transport computes it' }
            @{ Name = 'Host'; Reason = 'the endpoint sets it' }
        ) {
            $thrown = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -Headers @{ $Name = 'x' } } | Should -Throw -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -Match $Name
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }

        It 'sends the same User-Agent and no header twice in twenty calls' {
            for ($call = 0; $call -lt 20; $call++) {
                New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -Headers @{ 'X-Call' = "$call" } | Out-Null
            }

            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 20
            $userAgents = @($requests | ForEach-Object { $_.headers.'user-agent' } | Select-Object -Unique)
            $userAgents.Count | Should -Be 1
            $userAgents[0] | Should -Not -BeNullOrEmpty
            for ($call = 0; $call -lt 20; $call++) {
                $headers = $requests[$call].headers
                # The log joins a repeated header's values with ', ', so a single value means it was sent once.
                $headers.'x-call' | Should -BeExactly "$call"
                $headers.'client-request-id' | Should -Match '^[0-9a-fA-F-]{36}$'
                $headers.'authorization' | Should -Not -Match ','
                $headers.'content-type' | Should -Not -Match ', '
            }
            @($requests | ForEach-Object { $_.headers.'client-request-id' } | Select-Object -Unique).Count | Should -Be 20
        }
    }

    Context 'When -ResponseHeadersVariable is given' {
        It 'sets a case-insensitive dictionary in the caller''s scope' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -ResponseHeadersVariable responseHeaders | Out-Null

            $responseHeaders | Should -BeOfType [System.Collections.IDictionary]
            $responseHeaders['REQUEST-ID'] | Should -Not -BeNullOrEmpty
            $responseHeaders['REQUEST-ID'] | Should -Be $responseHeaders['request-id']
            $responseHeaders['client-request-id'] | Should -Be (Get-OnlyRequest).headers.'client-request-id'
            $responseHeaders['date'] | Should -Not -BeNullOrEmpty
        }

        It 'holds string arrays' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -ResponseHeadersVariable responseHeaders | Out-Null

            , $responseHeaders['request-id'] | Should -BeOfType [string[]]
        }

        It 'reaches the scope of a calling function' {
            function Invoke-ProvisionInFunction {
                New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -ResponseHeadersVariable functionHeaders | Out-Null
                $functionHeaders
            }

            $headers = Invoke-ProvisionInFunction
            $headers['request-id'] | Should -Not -BeNullOrEmpty
        }

        It 'is also set when Graph answers with an error' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $unknownJobId -Parameters $userEntry -ResponseHeadersVariable failedHeaders -ErrorAction SilentlyContinue | Out-Null

            $failedHeaders | Should -Not -BeNullOrEmpty
            $failedHeaders['request-id'] | Should -Not -BeNullOrEmpty
            $failedHeaders['client-request-id'] | Should -Be (Get-OnlyRequest).headers.'client-request-id'
        }

        It 'puts no header on the output stream' {
            $output = @(New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -ResponseHeadersVariable responseHeaders)

            $output.Count | Should -Be 1
        }
    }

    Context 'When Graph answers with an error' {
        It 'writes a non-terminating error' {
            $records = @(& {
                    New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $unknownJobId -Parameters $userEntry
                    'next statement ran'
                } 2>&1)

            @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -Be 1
            $records | Should -Contain 'next statement ran'
        }

        It 'throws with -ErrorAction Stop' {
            $thrown = { New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $unknownJobId -Parameters $userEntry -ErrorAction Stop } | Should -Throw -PassThru

            $thrown.FullyQualifiedErrorId | Should -BeLikeExactly 'Request_ResourceNotFound,*'
        }

        It 'collects the error with -ErrorVariable' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $unknownJobId -Parameters $userEntry -ErrorVariable graphErrors -ErrorAction SilentlyContinue | Out-Null

            $graphErrors.Count | Should -Be 1
            $graphErrors[0].Exception.Data['ErrorCode'] | Should -BeExactly 'Request_ResourceNotFound'
        }

        It 'reports <Code> for <Reason> with category InvalidOperation' -ForEach @(
            @{ Code = 'RequestParameterInvalid'; Status = 400; Reason = 'an empty rule id'; JobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'; RuleId = '' }
            @{ Code = 'Request_ResourceNotFound'; Status = 404; Reason = 'an unknown job, as Microsoft''s module does for 404'; JobId = 'scim.00000000000000000000000000000000'; RuleId = 'e1a2b3c4-0001-4000-8000-000000000001' }
        ) {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $JobId -Parameters @{ RuleId = $RuleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User' } } -ErrorVariable graphErrors -ErrorAction SilentlyContinue | Out-Null

            $graphError = $graphErrors[0]
            $graphError.FullyQualifiedErrorId | Should -BeLikeExactly "$Code,*"
            $graphError.FullyQualifiedErrorId | Should -BeLikeExactly "*New-MgBetaApplicationSynchronizationJobOnDemand*"
            $graphError.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $graphError.Exception.Message | Should -BeLikeExactly "[[]$Code] : *"
            $graphError.Exception.Data['ErrorCode'] | Should -BeExactly $Code
            $graphError.Exception.Data['StatusCode'] | Should -Be $Status
            $graphError.Exception.Data['StatusCode'] | Should -BeOfType [int]
        }

        It 'puts the ids of the failed request into Exception.Data' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $unknownJobId -Parameters $userEntry -ErrorVariable graphErrors -ErrorAction SilentlyContinue -ResponseHeadersVariable failedHeaders | Out-Null

            $data = $graphErrors[0].Exception.Data
            $data['RequestId'] | Should -Be $failedHeaders['request-id'][0]
            $data['ClientRequestId'] | Should -Be (Get-OnlyRequest).headers.'client-request-id'
            $data['Date'] | Should -Not -BeNullOrEmpty
        }

        It 'lays out ErrorDetails as Microsoft''s module does' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = ''; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User' } } -ErrorVariable graphErrors -ErrorAction SilentlyContinue | Out-Null

            $lines = $graphErrors[0].ErrorDetails.Message -split '\r?\n'
            $lines[0] | Should -Not -BeNullOrEmpty -Because 'the first line is the Graph message'
            $lines[1] | Should -BeExactly ''
            $lines[2] | Should -BeExactly 'Status: 400 (BadRequest)'
            $lines[3] | Should -BeExactly 'ErrorCode: RequestParameterInvalid'
            $lines[4] | Should -Match '^Date: \S'
            $lines[5] | Should -BeExactly ''
            $lines[6] | Should -BeExactly 'Headers:'
            $headerLines = @($lines | Select-Object -Skip 7 | Where-Object { $_ })
            $headerLines | Should -Not -BeNullOrEmpty
            foreach ($line in $headerLines) {
                $line | Should -Match '^.{30}: ' -Because 'header names are padded to 30 characters'
            }
            @($headerLines | Where-Object { $_ -match '^request-id\s+: \S' }).Count | Should -Be 1
            @($headerLines | Where-Object { $_ -match '^authorization' }).Count | Should -Be 0
        }

        It 'targets the ids and the body' {
            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $unknownJobId -Parameters $userEntry -ErrorVariable graphErrors -ErrorAction SilentlyContinue | Out-Null

            $target = $graphErrors[0].TargetObject
            $target.ApplicationId | Should -BeExactly $appId
            $target.SynchronizationJobId | Should -BeExactly $unknownJobId
            Compare-TestJson -Expected $userBody -Actual $target.Body | Should -BeNullOrEmpty
        }

        It 'writes no error for a <Result> result' -ForEach @(
            @{ Result = 'Skipped'; SubjectId = '11111111-aaaa-4bbb-8ccc-000000000003'; Reason = 'a user who is not assigned' }
            @{ Result = 'Failure'; SubjectId = '11111111-aaaa-4bbb-8ccc-0000000000ff'; Reason = 'a user who is not in the tenant' }
        ) {
            $output = @(New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters @{ RuleId = $ruleId; Subjects = @{ ObjectId = $SubjectId; ObjectTypeName = 'User' } } -ErrorVariable graphErrors)

            $graphErrors.Count | Should -Be 0
            $output.Count | Should -Be 1
            (ConvertFrom-Json -InputObject $output[0].Key).result | Should -BeExactly $Result
        }
    }

    Context 'When a result is output' {
        BeforeAll {
            Reset-TestEmulator $emulator
            $result = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry
        }

        It 'outputs Key and Value as strings' {
            $result.Key | Should -BeOfType [string]
            $result.Value | Should -BeOfType [string]
            (ConvertFrom-Json -InputObject $result.Key).result | Should -BeExactly 'Success'
        }

        It 'keeps @odata.context in AdditionalProperties' {
            $result.AdditionalProperties | Should -BeOfType [System.Collections.IDictionary]
            $result.AdditionalProperties['@odata.context'] | Should -BeLike 'https://graph.microsoft.com/beta/$metadata#*'
        }

        It 'carries the type names of Microsoft''s model' {
            $result.PSTypeNames[0] | Should -BeExactly $typeName
            $result.PSTypeNames[1] | Should -BeExactly 'Microsoft.Graph.Beta.PowerShell.Models.IMicrosoftGraphStringKeyStringValuePair'
        }

        It 'shows Key and Value in a table by default' {
            $view = Get-FormatData -TypeName $typeName
            $view | Should -Not -BeNullOrEmpty
            $view.FormatViewDefinition[0].Control | Should -BeOfType [System.Management.Automation.TableControl]
            $text = $result | Out-String
            $text | Should -Match '(?m)^Key\s+Value'
        }
    }

    Context 'When the connection is refused' {
        BeforeAll {
            $closedPort = Get-TestFreeLoopbackPort
            $null = Connect-TestGraph -BaseUrl "http://127.0.0.1:$closedPort" -Token $token
        }

        AfterAll {
            $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token
        }

        It 'writes a non-terminating ConnectionError naming the host' {
            $records = @(& {
                    New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry
                    'next statement ran'
                } 2>&1)

            $errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors.Count | Should -Be 1
            $records | Should -Contain 'next statement ran'
            $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            $errors[0].Exception.Message | Should -Match "127\.0\.0\.1"
        }
    }

    Context 'When secrets could leak' {
        It 'never shows the token in any stream' {
            $tokenPayload = $token.Split('.')[1]
            $Error.Clear()

            $records = @(& {
                    New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -Debug -Verbose
                    New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $unknownJobId -Parameters $userEntry -Debug -Verbose
                    Get-MgContext | Format-List -Property * | Out-String
                } *>&1)

            $texts = foreach ($record in $records) {
                $record | Out-String
                if ($record -is [System.Management.Automation.ErrorRecord]) {
                    $record.Exception.Message
                    $record.ErrorDetails.Message
                    $record.TargetObject | ConvertTo-Json -Depth 10
                    foreach ($key in $record.Exception.Data.Keys) {
                        [string] $record.Exception.Data[$key]
                    }
                }
            }
            $texts += foreach ($record in $Error) { $record | Out-String }

            $allText = $texts -join [System.Environment]::NewLine
            $records.Count | Should -BeGreaterThan 1
            $allText.Contains($token) | Should -BeFalse
            $allText.Contains($tokenPayload) | Should -BeFalse
        }
    }
}
