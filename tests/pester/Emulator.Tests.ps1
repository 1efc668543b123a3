# Tests of Start-MgGraphEmulator and Stop-MgGraphEmulator: the emulator that ships in the module's bin folder,
# the environment they register and remove, the tokens they provide, and their options.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $script:ScimApplication = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
    $script:ScimJob = 'scim.8f14e45fceea167a5a36dedd4bea2543'
    $script:UserRule = 'e1a2b3c4-0001-4000-8000-000000000001'

    function New-EnvironmentName {
        'MgpEmulator' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    }

    function ConvertFrom-SecureToken {
        param([securestring] $Token)

        [System.Net.NetworkCredential]::new('', $Token).Password
    }

    # Sends the provisionOnDemand request for one user straight to the emulator and returns the raw response.
    function Invoke-Provision {
        param(
            [Parameter(Mandatory)] [object] $Emulator,
            [Parameter(Mandatory)] [securestring] $Token,
            [string] $ObjectId = '11111111-aaaa-4bbb-8ccc-000000000002'
        )

        $body = @{ parameters = @(@{ ruleId = $script:UserRule; subjects = @(@{ objectId = $ObjectId; objectTypeName = 'User' }) }) } | ConvertTo-Json -Depth 5 -Compress
        $uri = "$($Emulator.BaseUrl)/beta/applications/$script:ScimApplication/synchronization/jobs/$script:ScimJob/provisionOnDemand"
        Invoke-WebRequest -Method Post -Uri $uri -Body $body -ContentType 'application/json' -Headers @{ Authorization = "Bearer $(ConvertFrom-SecureToken $Token)" } -SkipHttpErrorCheck -NoProxy -UseBasicParsing
    }
}

Describe 'Start-MgGraphEmulator' {
    Context 'When started with the defaults' {
        BeforeAll {
            $emulator = Start-MgGraphEmulator -EnvironmentName (New-EnvironmentName)
        }

        AfterAll {
            Stop-MgGraphEmulator -Emulator $emulator
        }

        It 'returns a loopback BaseUrl and a running process' {
            $emulator.BaseUrl | Should -Match '^http://127\.0\.0\.1:\d+$'
            $emulator.Process.HasExited | Should -BeFalse
            $emulator.PSObject.TypeNames | Should -Contain 'MgProvisioning.GraphEmulator'
        }

        It 'registers the environment for BaseUrl' {
            $environment = Get-MgEnvironment -Name $emulator.Environment
            $environment.GraphEndpoint.TrimEnd('/') | Should -Be $emulator.BaseUrl
            $environment.AzureADEndpoint.TrimEnd('/') | Should -Be $emulator.BaseUrl
        }

        It 'provides an AccessToken that Connect-MgGraph and the cmdlet accept' {
            $emulator.AccessToken | Should -BeOfType [securestring]
            Connect-MgGraph -Environment $emulator.Environment -AccessToken $emulator.AccessToken -NoWelcome

            $result = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $script:ScimApplication -SynchronizationJobId $script:ScimJob -Parameters @{
                RuleId   = $script:UserRule
                Subjects = @(@{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000001'; ObjectTypeName = 'User' })
            }

            ($result.Key | ConvertFrom-Json).result | Should -Be 'Success'
            (Get-MgContext).Environment | Should -Be $emulator.Environment
            Disconnect-MgGraph | Out-Null
        }

        It 'reports the tenant, token endpoint and managed identity settings' {
            $emulator.TenantId | Should -Be (Get-TestTenantId)
            $emulator.TokenEndpoint | Should -Be "$($emulator.BaseUrl)/$(Get-TestTenantId)/oauth2/v2.0/token"
            $emulator.IdentityEndpoint | Should -Be "$($emulator.BaseUrl)/msi/token"
            $emulator.IdentityHeader | Should -Match '^[0-9a-f]{64}$'
        }

        It 'serves managed identity tokens with its IdentityHeader' {
            $uri = "$($emulator.IdentityEndpoint)?resource=https://graph.microsoft.com&api-version=2019-08-01"
            $answer = Invoke-RestMethod -Uri $uri -Headers @{ 'X-IDENTITY-HEADER' = $emulator.IdentityHeader } -NoProxy

            $answer.token_type | Should -Be 'Bearer'
            $answer.access_token | Should -Not -BeNullOrEmpty
            $answer.resource | Should -Be 'https://graph.microsoft.com'
        }

        It 'mints tokens with NewAccessToken that Graph checks' -ForEach @(
            @{ Claims = @{ expiresIn = -60 }; Status = 401; Reason = 'an expired token is rejected' }
            @{ Claims = @{ roles = @() }; Status = 403; Reason = 'a token without permissions is denied' }
            @{ Claims = @{ aud = 'https://management.azure.com' }; Status = 401; Reason = 'a token for another audience is rejected' }
            @{ Claims = @{ scp = 'Synchronization.ReadWrite.All' }; Status = 200; Reason = 'a delegated token with the scope is accepted' }
        ) {
            $token = $emulator.NewAccessToken($Claims)

            $response = Invoke-Provision -Emulator $emulator -Token $token

            $response.StatusCode | Should -Be $Status -Because $Reason
        }

        It 'throttles the sixth provisionOnDemand call in ten seconds' {
            $null = Invoke-WebRequest -Method Post -Uri "$($emulator.BaseUrl)/_emulator/reset" -NoProxy -UseBasicParsing
            $statuses = foreach ($call in 1..6) {
                (Invoke-Provision -Emulator $emulator -Token $emulator.AccessToken).StatusCode
            }

            $statuses[0..4] | Should -Be @(200, 200, 200, 200, 200)
            $statuses[5] | Should -Be 429
        }
    }

    Context 'When given options' {
        AfterEach {
            if ($emulator) {
                Stop-MgGraphEmulator -Emulator $emulator
            }
        }

        It 'listens on -Port' {
            $port = Get-TestFreeLoopbackPort

            $emulator = Start-MgGraphEmulator -Port $port -EnvironmentName (New-EnvironmentName)

            $emulator.BaseUrl | Should -Be "http://127.0.0.1:$port"
        }

        It 'turns throttling off with -Throttle off' {
            $emulator = Start-MgGraphEmulator -Throttle off -EnvironmentName (New-EnvironmentName)

            $statuses = foreach ($call in 1..8) {
                (Invoke-Provision -Emulator $emulator -Token $emulator.AccessToken).StatusCode
            }

            $statuses | Should -Not -Contain 429
        }

        It 'uses the tenant in -FixturePath' {
            $fixture = @{
                tenantId     = '99999999-0000-4000-8000-000000000000'
                applications = @(@{
                        id   = 'fixture-app'
                        jobs = @(@{ id = 'scim.fixture'; templateId = 'scim'; rules = @(@{ id = 'rule-1'; name = 'USER_OUTBOUND_USER' }) })
                    })
            }
            $path = Join-Path $TestDrive 'tenant.json'
            Set-Content -LiteralPath $path -Value (ConvertTo-Json -InputObject $fixture -Depth 10)

            $emulator = Start-MgGraphEmulator -FixturePath $path -EnvironmentName (New-EnvironmentName)
            $jobs = Invoke-RestMethod -Uri "$($emulator.BaseUrl)/beta/applications/fixture-app/synchronization/jobs" -Headers @{ Authorization = "Bearer $(ConvertFrom-SecureToken $emulator.AccessToken)" } -NoProxy

            @($jobs.value).Count | Should -Be 1
            $jobs.value[0].id | Should -Be 'scim.fixture'
            $emulator.TenantId | Should -Be '99999999-0000-4000-8000-000000000000'
        }

        It 'runs without the control API with -Control $false' {
            $emulator = Start-MgGraphEmulator -Control $false -EnvironmentName (New-EnvironmentName)

            $emulator.AccessToken | Should -BeNullOrEmpty
            $emulator.ControlEnabled | Should -BeFalse
            (Invoke-WebRequest -Uri "$($emulator.BaseUrl)/_emulator/requests" -SkipHttpErrorCheck -NoProxy -UseBasicParsing).StatusCode | Should -Be 404
            { $emulator.NewAccessToken(@{}) } | Should -Throw '*control API*'
        }

        It 'takes unsigned tokens with -AcceptUnsignedTokens' {
            $emulator = Start-MgGraphEmulator -AcceptUnsignedTokens -EnvironmentName (New-EnvironmentName)
            $unsigned = ConvertTo-SecureString -String (New-TestToken) -AsPlainText -Force

            (Invoke-Provision -Emulator $emulator -Token $unsigned).StatusCode | Should -Be 200
        }

        It 'issues tokens that expire after -TokenLifetimeSeconds' {
            $emulator = Start-MgGraphEmulator -TokenLifetimeSeconds 1 -EnvironmentName (New-EnvironmentName)
            Start-Sleep -Milliseconds 2100

            (Invoke-Provision -Emulator $emulator -Token $emulator.AccessToken).StatusCode | Should -Be 401
        }
    }

    Context 'When it cannot start' {
        It 'rejects a fixture with an error, naming its JSON path' {
            $path = Join-Path $TestDrive 'bad.json'
            Set-Content -LiteralPath $path -Value '{"tenantId":"t","applications":[{"jobs":[]}]}'
            $name = New-EnvironmentName

            { Start-MgGraphEmulator -FixturePath $path -EnvironmentName $name } | Should -Throw -ErrorId 'EmulatorStartFailed,Start-MgGraphEmulator' -ExpectedMessage '*$.applications`[0`].id: missing*'
            Get-MgEnvironment | Where-Object Name -eq $name | Should -BeNullOrEmpty
        }

        It 'rejects a fixture path that does not exist' {
            { Start-MgGraphEmulator -FixturePath (Join-Path $TestDrive 'missing.json') } | Should -Throw -ErrorId 'FixtureNotFound,Start-MgGraphEmulator'
        }

        It 'rejects a -Throttle value that is not N/SECONDS or off' {
            { Start-MgGraphEmulator -Throttle 'fast' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Start-MgGraphEmulator'
        }
    }
}

Describe 'Stop-MgGraphEmulator' {
    It 'stops the process and removes the environment' {
        $emulator = Start-MgGraphEmulator -EnvironmentName (New-EnvironmentName)

        Stop-MgGraphEmulator -Emulator $emulator

        $emulator.Process.HasExited | Should -BeTrue
        $emulator.Process.ExitCode | Should -Be 0 -Because 'SIGTERM lets the emulator exit cleanly'
        Get-MgEnvironment | Where-Object Name -eq $emulator.Environment | Should -BeNullOrEmpty
    }

    It 'stops every emulator of the session without -Emulator' {
        $first = Start-MgGraphEmulator -EnvironmentName (New-EnvironmentName)
        $second = Start-MgGraphEmulator -EnvironmentName (New-EnvironmentName)

        Stop-MgGraphEmulator

        $first.Process.HasExited | Should -BeTrue
        $second.Process.HasExited | Should -BeTrue
    }

    It 'takes the emulator from the pipeline and tolerates one that already exited' {
        $emulator = Start-MgGraphEmulator -EnvironmentName (New-EnvironmentName)
        $emulator.Process.Kill()
        $emulator.Process.WaitForExit()

        { $emulator | Stop-MgGraphEmulator } | Should -Not -Throw
        Get-MgEnvironment | Where-Object Name -eq $emulator.Environment | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        $emulator = Start-MgGraphEmulator -EnvironmentName (New-EnvironmentName)
        try {
            Stop-MgGraphEmulator -Emulator $emulator -WhatIf

            $emulator.Process.HasExited | Should -BeFalse
        }
        finally {
            Stop-MgGraphEmulator -Emulator $emulator
        }
    }
}

Describe 'Emulator command help' {
    It '<Command> has a synopsis, a description and examples' -ForEach @(
        @{ Command = 'Start-MgGraphEmulator' }
        @{ Command = 'Stop-MgGraphEmulator' }
    ) {
        $help = Get-Help -Name $Command -Full

        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Description | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
    }

    It 'Start-MgGraphEmulator documents the -<Parameter> parameter' -ForEach @(
        @{ Parameter = 'Port' }, @{ Parameter = 'FixturePath' }, @{ Parameter = 'Throttle' }, @{ Parameter = 'Control' },
        @{ Parameter = 'EnvironmentName' }, @{ Parameter = 'TokenLifetimeSeconds' }, @{ Parameter = 'AcceptUnsignedTokens' },
        @{ Parameter = 'StartTimeoutSeconds' }
    ) {
        $help = Get-Help -Name Start-MgGraphEmulator -Parameter $Parameter

        $help.Description | Should -Not -BeNullOrEmpty
    }
}
