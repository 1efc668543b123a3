# Tests of the three commands that share New-MgBetaApplicationSynchronizationJobOnDemand's template: the path each
# sends to, its identity parameters and its What if text. The body handling is the same for all four and is covered
# in depth by New-MgBetaApplicationSynchronizationJobOnDemand.Tests.ps1.

BeforeDiscovery {
    $siblings = @(
        @{ Command = 'New-MgApplicationSynchronizationJobOnDemand'; IdParameter = 'ApplicationId'; ApiVersion = 'v1.0'
            Root = 'applications'; WhatIfRoot = 'applications/{application-id}'; ResourceId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60' }
        @{ Command = 'New-MgBetaServicePrincipalSynchronizationJobOnDemand'; IdParameter = 'ServicePrincipalId'; ApiVersion = 'beta'
            Root = 'servicePrincipals'; WhatIfRoot = 'servicePrincipals/{servicePrincipal-id}'; ResourceId = '6d7e8f90-0000-4000-8000-0000000000b1' }
        @{ Command = 'New-MgServicePrincipalSynchronizationJobOnDemand'; IdParameter = 'ServicePrincipalId'; ApiVersion = 'v1.0'
            Root = 'servicePrincipals'; WhatIfRoot = 'servicePrincipals/{servicePrincipal-id}'; ResourceId = '6d7e8f90-0000-4000-8000-0000000000b1' }
    )
}

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $emulator = Start-TestEmulator
    $token = New-TestToken
    $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token

    $jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
    $ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
    $userId = '11111111-aaaa-4bbb-8ccc-000000000002'
    $userEntry = @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User' } }
    $userBody = '{"parameters":[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]}'
}

AfterAll {
    Stop-TestEmulator $emulator
}

Describe '<Command>' -ForEach $siblings {
    BeforeAll {
        $jobPath = "/$ApiVersion/$Root/$ResourceId/synchronization/jobs/$jobId/provisionOnDemand"
        $byName = @{ $IdParameter = $ResourceId; SynchronizationJobId = $jobId }
    }

    BeforeEach {
        Reset-TestEmulator $emulator
    }

    Context 'When the ids are given by name' {
        It 'sends the body to /<ApiVersion>/<Root>' {
            $result = @(& $Command @byName -Parameters $userEntry)

            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 1
            $requests[0].method | Should -BeExactly 'POST'
            $requests[0].path | Should -BeExactly $jobPath
            Compare-TestJson -Expected $userBody -Actual $requests[0].bodyText | Should -BeNullOrEmpty
            $result.Count | Should -Be 1
            (ConvertFrom-Json -InputObject $result[0].Key).result | Should -BeExactly 'Success'
        }

        It 'takes -ObjectId as an alias of -<IdParameter>' {
            & $Command -ObjectId $ResourceId -SynchronizationJobId $jobId -Parameters $userEntry | Out-Null

            (Get-TestEmulatorRequest $emulator)[0].path | Should -BeExactly $jobPath
        }

        It 'sends a -BodyParameter unchanged' {
            & $Command @byName -BodyParameter $userBody | Out-Null

            Compare-TestJson -Expected $userBody -Actual (Get-TestEmulatorRequest $emulator)[0].bodyText | Should -BeNullOrEmpty
        }
    }

    Context 'When an identity is piped' {
        It 'takes the path from <IdParameter> and SynchronizationJobId' {
            $byName | & $Command -Parameters $userEntry | Out-Null

            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 1
            $requests[0].path | Should -BeExactly $jobPath
        }

        It 'stops before sending when <IdParameter> is missing' {
            $thrown = { @{ SynchronizationJobId = $jobId } | & $Command -Parameters $userEntry } | Should -Throw -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -BeExactly "InputObject has null value for InputObject.$IdParameter"
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When -WhatIf is given' {
        It 'names the operation and the remote call and sends nothing' {
            $child = Invoke-TestChildSession -Script "$Command -$IdParameter '$ResourceId' -SynchronizationJobId '$jobId' -WhatIf" -BaseUrl $emulator.BaseUrl -Token $token

            $whatIf = @(Get-TestWhatIfLine $child.CallOutput)
            $whatIf.Count | Should -Be 1 -Because "host output: $($child.CallOutput)"
            $whatIf[0] | Should -BeExactly "What if: Performing the operation `"$($Command)_ProvisionExpanded`" on target `"Call remote 'POST /$WhatIfRoot/synchronization/jobs/{synchronizationJob-id}/provisionOnDemand' operation`"."
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When Graph answers with an error' {
        It 'writes a non-terminating error whose FullyQualifiedErrorId names this command' {
            $unknownJob = @{ $IdParameter = $ResourceId; SynchronizationJobId = 'scim.00000000000000000000000000000000' }
            & $Command @unknownJob -Parameters $userEntry -ErrorVariable graphErrors -ErrorAction SilentlyContinue | Out-Null

            $graphErrors.Count | Should -Be 1
            $graphErrors[0].FullyQualifiedErrorId | Should -BeExactly "Request_ResourceNotFound,$Command"
            $graphErrors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        }
    }
}
