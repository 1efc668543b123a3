# Tests of Disconnect-MgGraph: it returns the context it ends, and afterwards nothing is sent.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $emulator = Start-TestEmulator
    $token = New-TestToken
}

AfterAll {
    Stop-TestEmulator $emulator
}

Describe 'Disconnect-MgGraph' {
    Context 'When connected' {
        BeforeAll {
            $environmentName = Connect-TestGraph -BaseUrl $emulator.BaseUrl -Token $token
            $disconnected = @(Disconnect-MgGraph)
        }

        It 'returns the context it signed out of' {
            $disconnected.Count | Should -Be 1
            $disconnected[0].Environment | Should -Be $environmentName
            $disconnected[0].ClientId | Should -Be (Get-TestClientId)
        }

        It 'leaves no context behind' {
            Get-MgContext | Should -BeNullOrEmpty
        }

        It 'sends nothing afterwards and says how to connect' {
            Reset-TestEmulator $emulator

            $records = @(& {
                    New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60' -SynchronizationJobId 'scim.8f14e45fceea167a5a36dedd4bea2543'
                    'next statement ran'
                } 2>&1)

            $errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors.Count | Should -Be 1
            $records | Should -Contain 'next statement ran'
            $errors[0].Exception.Message | Should -BeExactly 'Authentication needed. Please call Connect-MgGraph.'
            $errors[0].CategoryInfo.Category | Should -Be 'NotSpecified'
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }

    Context 'When not connected' {
        It 'writes a non-terminating error' {
            $records = @(& {
                    Disconnect-MgGraph
                    'next statement ran'
                } 2>&1)

            $errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors.Count | Should -Be 1
            $records | Should -Contain 'next statement ran'
            $errors[0].Exception.Message | Should -BeExactly 'No application to sign out from.'
        }
    }
}
