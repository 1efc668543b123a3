# Tests of New-MgApplicationSynchronizationJobOnDemand against the emulator: the path it sends to (/v1.0/applications), its identity
# parameters and its What if text. The body handling is shared with New-MgBetaApplicationSynchronizationJobOnDemand,
# whose tests cover it in depth.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $emulator = Start-TestEmulator
    $token = New-TestToken
    $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token

    $resourceId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
    $jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
    $ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
    $userId = '11111111-aaaa-4bbb-8ccc-000000000002'
    $userEntry = @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User' } }
    $userBody = '{"parameters":[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]}'
    $jobPath = "/v1.0/applications/$resourceId/synchronization/jobs/$jobId/provisionOnDemand"
}

AfterAll {
    Stop-TestEmulator $emulator
}

Describe 'New-MgApplicationSynchronizationJobOnDemand' {
    BeforeEach {
        Reset-TestEmulator $emulator
    }

    Context 'When the ids are given by name' {
        It 'sends the body to /v1.0/applications' {
            $result = @(New-MgApplicationSynchronizationJobOnDemand -ApplicationId $resourceId -SynchronizationJobId $jobId -Parameters $userEntry)

            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 1
            $requests[0].method | Should -BeExactly 'POST'
            $requests[0].path | Should -BeExactly $jobPath
            Compare-TestJson -Expected $userBody -Actual $requests[0].bodyText | Should -BeNullOrEmpty
            $result.Count | Should -Be 1
            (ConvertFrom-Json -InputObject $result[0].Key).result | Should -BeExactly 'Success'
        }

        It 'takes -ObjectId as an alias of -ApplicationId' {
            New-MgApplicationSynchronizationJobOnDemand -ObjectId $resourceId -SynchronizationJobId $jobId -Parameters $userEntry | Out-Null

            (Get-TestEmulatorRequest $emulator)[0].path | Should -BeExactly $jobPath
        }

        It 'sends a -BodyParameter unchanged' {
            New-MgApplicationSynchronizationJobOnDemand -ApplicationId $resourceId -SynchronizationJobId $jobId -BodyParameter $userBody | Out-Null

            Compare-TestJson -Expected $userBody -Actual (Get-TestEmulatorRequest $emulator)[0].bodyText | Should -BeNullOrEmpty
        }
    }

    Context 'When an identity is piped' {
        It 'takes the path from ApplicationId and SynchronizationJobId' {
            @{ ApplicationId = $resourceId; SynchronizationJobId = $jobId } | New-MgApplicationSynchronizationJobOnDemand -Parameters $userEntry | Out-Null

            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 1
            $requests[0].path | Should -BeExactly $jobPath
        }

        It 'stops before sending when ApplicationId is missing' {
            $thrown = { @{ SynchronizationJobId = $jobId } | New-MgApplicationSynchronizationJobOnDemand -Parameters $userEntry } | Should -Throw -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -BeExactly 'InputObject has null value for InputObject.ApplicationId'
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When -WhatIf is given' {
        It 'names the operation and the remote call and sends nothing' {
            $child = Invoke-TestChildSession -Script "New-MgApplicationSynchronizationJobOnDemand -ApplicationId '$resourceId' -SynchronizationJobId '$jobId' -WhatIf" -BaseUrl $emulator.BaseUrl -Token $token

            $whatIf = @(Get-TestWhatIfLine $child.CallOutput)
            $whatIf.Count | Should -Be 1 -Because "host output: $($child.CallOutput)"
            $whatIf[0] | Should -BeExactly "What if: Performing the operation `"New-MgApplicationSynchronizationJobOnDemand_ProvisionExpanded`" on target `"Call remote 'POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/provisionOnDemand' operation`"."
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When Graph answers with an error' {
        It 'writes a non-terminating error whose FullyQualifiedErrorId names this command' {
            New-MgApplicationSynchronizationJobOnDemand -ApplicationId $resourceId -SynchronizationJobId 'scim.00000000000000000000000000000000' -Parameters $userEntry -ErrorVariable graphErrors -ErrorAction SilentlyContinue | Out-Null

            $graphErrors.Count | Should -Be 1
            $graphErrors[0].FullyQualifiedErrorId | Should -BeExactly 'Request_ResourceNotFound,New-MgApplicationSynchronizationJobOnDemand'
            $graphErrors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        }
    }
}
