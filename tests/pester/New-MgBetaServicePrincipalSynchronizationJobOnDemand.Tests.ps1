# Tests of New-MgBetaServicePrincipalSynchronizationJobOnDemand against the emulator: the path it sends to (/beta/servicePrincipals), its identity
# parameters and its What if text. The body handling is shared with New-MgBetaApplicationSynchronizationJobOnDemand,
# whose tests cover it in depth.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $emulator = Start-TestEmulator
    $token = New-TestToken
    $null = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token

    $resourceId = '6d7e8f90-0000-4000-8000-0000000000b1'
    $jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
    $ruleId = 'e1a2b3c4-0001-4000-8000-000000000001'
    $userId = '11111111-aaaa-4bbb-8ccc-000000000002'
    $userEntry = @{ RuleId = $ruleId; Subjects = @{ ObjectId = $userId; ObjectTypeName = 'User' } }
    $userBody = '{"parameters":[{"ruleId":"' + $ruleId + '","subjects":[{"objectId":"' + $userId + '","objectTypeName":"User"}]}]}'
    $jobPath = "/beta/servicePrincipals/$resourceId/synchronization/jobs/$jobId/provisionOnDemand"
}

AfterAll {
    Stop-TestEmulator $emulator
}

Describe 'New-MgBetaServicePrincipalSynchronizationJobOnDemand' {
    BeforeEach {
        Reset-TestEmulator $emulator
    }

    Context 'When the ids are given by name' {
        It 'sends the body to /beta/servicePrincipals' {
            $result = @(New-MgBetaServicePrincipalSynchronizationJobOnDemand -ServicePrincipalId $resourceId -SynchronizationJobId $jobId -Parameters $userEntry)

            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 1
            $requests[0].method | Should -BeExactly 'POST'
            $requests[0].path | Should -BeExactly $jobPath
            Compare-TestJson -Expected $userBody -Actual $requests[0].bodyText | Should -BeNullOrEmpty
            $result.Count | Should -Be 1
            (ConvertFrom-Json -InputObject $result[0].Key).result | Should -BeExactly 'Success'
        }

        It 'takes -ObjectId as an alias of -ServicePrincipalId' {
            New-MgBetaServicePrincipalSynchronizationJobOnDemand -ObjectId $resourceId -SynchronizationJobId $jobId -Parameters $userEntry | Out-Null

            (Get-TestEmulatorRequest $emulator)[0].path | Should -BeExactly $jobPath
        }

        It 'sends a -BodyParameter unchanged' {
            New-MgBetaServicePrincipalSynchronizationJobOnDemand -ServicePrincipalId $resourceId -SynchronizationJobId $jobId -BodyParameter $userBody | Out-Null

            Compare-TestJson -Expected $userBody -Actual (Get-TestEmulatorRequest $emulator)[0].bodyText | Should -BeNullOrEmpty
        }
    }

    Context 'When an identity is piped' {
        It 'takes the path from ServicePrincipalId and SynchronizationJobId' {
            @{ ServicePrincipalId = $resourceId; SynchronizationJobId = $jobId } | New-MgBetaServicePrincipalSynchronizationJobOnDemand -Parameters $userEntry | Out-Null

            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 1
            $requests[0].path | Should -BeExactly $jobPath
        }

        It 'stops before sending when ServicePrincipalId is missing' {
            $thrown = { @{ SynchronizationJobId = $jobId } | New-MgBetaServicePrincipalSynchronizationJobOnDemand -Parameters $userEntry } | Should -Throw -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -BeExactly 'InputObject has null value for InputObject.ServicePrincipalId'
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When -WhatIf is given' {
        It 'names the operation and the remote call and sends nothing' {
            $child = Invoke-TestChildSession -Script "New-MgBetaServicePrincipalSynchronizationJobOnDemand -ServicePrincipalId '$resourceId' -SynchronizationJobId '$jobId' -WhatIf" -BaseUrl $emulator.BaseUrl -Token $token

            $whatIf = @(Get-TestWhatIfLine $child.CallOutput)
            $whatIf.Count | Should -Be 1 -Because "host output: $($child.CallOutput)"
            $whatIf[0] | Should -BeExactly "What if: Performing the operation `"New-MgBetaServicePrincipalSynchronizationJobOnDemand_ProvisionExpanded`" on target `"Call remote 'POST /servicePrincipals/{servicePrincipal-id}/synchronization/jobs/{synchronizationJob-id}/provisionOnDemand' operation`"."
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When Graph answers with an error' {
        It 'writes a non-terminating error whose FullyQualifiedErrorId names this command' {
            New-MgBetaServicePrincipalSynchronizationJobOnDemand -ServicePrincipalId $resourceId -SynchronizationJobId 'scim.00000000000000000000000000000000' -Parameters $userEntry -ErrorVariable graphErrors -ErrorAction SilentlyContinue | Out-Null

            $graphErrors.Count | Should -Be 1
            $graphErrors[0].FullyQualifiedErrorId | Should -BeExactly 'Request_ResourceNotFound,New-MgBetaServicePrincipalSynchronizationJobOnDemand'
            $graphErrors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        }
    }
}
