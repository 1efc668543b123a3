# Tests of Connect-MgGraph: which tokens it takes, the welcome text, and which environment a connection uses.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $emulator = Start-TestEmulator
    $token = New-TestToken
    $environmentName = 'MgpConnect' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $null = Add-MgEnvironment -Name $environmentName -GraphEndpoint $emulator.BaseUrl -AzureADEndpoint $emulator.BaseUrl

    $appId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
    $jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
    $userEntry = @{ RuleId = 'e1a2b3c4-0001-4000-8000-000000000001'; Subjects = @{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000002'; ObjectTypeName = 'User' } }

    function ConvertTo-SecureToken {
        param([string] $Text)

        ConvertTo-SecureString -String $Text -AsPlainText -Force
    }
}

AfterAll {
    Stop-TestEmulator $emulator
}

Describe 'Connect-MgGraph' {
    BeforeEach {
        Reset-TestEmulator $emulator
    }

    Context 'When given an access token' {
        It 'does not bind a plain string' {
            $thrown = { Connect-MgGraph -Environment $environmentName -AccessToken 'plain-text-token' -NoWelcome } | Should -Throw -PassThru

            $thrown.FullyQualifiedErrorId | Should -BeLikeExactly 'ParameterArgumentTransformationError,Connect-MgGraph'
        }

        It 'refuses a JWT whose exp has passed' {
            $expired = New-TestToken -ExpiresInSeconds -600

            $thrown = { Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureToken $expired) -NoWelcome } | Should -Throw -PassThru

            $thrown.Exception.Message | Should -Match 'expired'
            $thrown.Exception.Message.Contains($expired) | Should -BeFalse -Because 'the error never shows the token'
        }

        It 'takes an opaque token as is' {
            Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureToken 'opaque-token-0123456789') -NoWelcome

            $context = Get-MgContext
            $context.AuthType | Should -Be 'UserProvidedAccessToken'
            $context.Environment | Should -Be $environmentName
        }

        It 'outputs nothing' {
            $output = @(Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureToken $token) -NoWelcome)

            $output.Count | Should -Be 0
        }

        It 'sends calls with the token to the connected environment' {
            Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureToken $token) -NoWelcome

            $result = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry

            $result | Should -Not -BeNullOrEmpty
            $requests = Get-TestEmulatorRequest $emulator
            $requests.Count | Should -Be 1
            $requests[0].headers.authorization | Should -BeLikeExactly 'Bearer *'
        }
    }

    Context 'When the environment does not exist' {
        It 'fails without connecting' {
            { Connect-MgGraph -Environment 'NoSuchEnvironment' -AccessToken (ConvertTo-SecureToken $token) -NoWelcome } | Should -Throw
        }
    }

    Context 'When writing the welcome text' {
        It 'writes Microsoft''s welcome text to the host' {
            $information = @(Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureToken $token) 6>&1)

            $information.Count | Should -BeGreaterThan 0
            $text = ($information | ForEach-Object { [string] $_.MessageData }) -join [System.Environment]::NewLine
            $lines = $text -split '\r?\n'
            $lines[0] | Should -BeExactly 'Welcome to Microsoft Graph!'
            $lines[1] | Should -BeExactly ''
            $lines[2] | Should -BeExactly "Connected via userprovidedaccesstoken access using $(Get-TestClientId)"
            $lines | Should -Contain 'NOTE: You can use the -NoWelcome parameter to suppress this message.'
            $lines[-1] | Should -BeExactly 'NOTE: You can use the -NoWelcome parameter to suppress this message.'
            $lines[-2] | Should -BeExactly ''
        }

        It 'writes nothing with -NoWelcome' {
            $records = @(Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureToken $token) -NoWelcome *>&1)

            $records.Count | Should -Be 0
        }
    }

    Context 'When connecting to another environment' {
        BeforeAll {
            $otherEmulator = Start-TestEmulator
            $otherEnvironmentName = 'MgpOther' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $null = Add-MgEnvironment -Name $otherEnvironmentName -GraphEndpoint $otherEmulator.BaseUrl -AzureADEndpoint $otherEmulator.BaseUrl
        }

        AfterAll {
            Stop-TestEmulator $otherEmulator
        }

        It 'replaces the whole context and sends only to the new environment' {
            Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureToken $token) -NoWelcome
            $otherToken = New-TestToken -Claims @{ appid = 'aaaaaaaa-0000-4000-8000-00000000000b'; tid = 'bbbbbbbb-0000-4000-8000-00000000000b' }
            Connect-MgGraph -Environment $otherEnvironmentName -AccessToken (ConvertTo-SecureToken $otherToken) -NoWelcome
            Reset-TestEmulator $otherEmulator

            New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry | Out-Null

            $context = Get-MgContext
            $context.Environment | Should -Be $otherEnvironmentName
            $context.ClientId | Should -Be 'aaaaaaaa-0000-4000-8000-00000000000b'
            $context.TenantId | Should -Be 'bbbbbbbb-0000-4000-8000-00000000000b'
            (Get-TestEmulatorRequest $otherEmulator).Count | Should -Be 1
            (Get-TestEmulatorRequest $emulator).Count | Should -Be 0
        }
    }
}
