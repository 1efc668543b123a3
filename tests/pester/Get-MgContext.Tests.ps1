# Tests of Get-MgContext: nothing before a connection, the connection's fields after it, never the token.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $emulator = Start-TestEmulator
    $environmentName = 'MgpContext' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $null = Add-MgEnvironment -Name $environmentName -GraphEndpoint $emulator.BaseUrl -AzureADEndpoint $emulator.BaseUrl

    function Connect-WithToken {
        param([string] $Token)

        Connect-MgGraph -Environment $environmentName -AccessToken (ConvertTo-SecureString -String $Token -AsPlainText -Force) -NoWelcome
    }
}

AfterAll {
    Stop-TestEmulator $emulator
}

Describe 'Get-MgContext' {
    Context 'When not connected' {
        It 'returns nothing and writes no error' {
            # A fresh session is the only one that has never been connected.
            $child = Invoke-TestChildSession -Script 'Get-MgContext'

            $child.Summary | Should -Not -BeNullOrEmpty -Because "the child should finish: $($child.StandardError)"
            @($child.Summary.Records).Count | Should -Be 0
            $child.Summary.Terminating | Should -BeNullOrEmpty
        }
    }

    Context 'When connected with a delegated token' {
        BeforeAll {
            $token = New-TestToken
            Connect-WithToken $token
            $context = Get-MgContext
        }

        It 'returns one context' {
            @($context).Count | Should -Be 1
        }

        It 'has the <Property> property' -ForEach @(
            @{ Property = 'ClientId' }, @{ Property = 'TenantId' }, @{ Property = 'Scopes' }, @{ Property = 'AuthType' },
            @{ Property = 'TokenCredentialType' }, @{ Property = 'ContextScope' }, @{ Property = 'Environment' },
            @{ Property = 'AppName' }, @{ Property = 'Account' }, @{ Property = 'PSHostVersion' }
        ) {
            $context.PSObject.Properties.Name | Should -Contain $Property
        }

        It 'reads ClientId and TenantId from the token' {
            $context.ClientId | Should -Be (Get-TestClientId)
            $context.TenantId | Should -Be (Get-TestTenantId)
        }

        It 'reads Scopes from the scp claim' {
            @($context.Scopes) | Should -Be @('Synchronization.ReadWrite.All', 'Application.ReadWrite.OwnedBy')
        }

        It 'reports a user-provided token in this process' {
            $context.AuthType | Should -Be 'UserProvidedAccessToken'
            $context.ContextScope | Should -Be 'Process'
            $context.Environment | Should -Be $environmentName
        }

        It 'never shows the token' {
            $tokenPayload = $token.Split('.')[1]
            $text = ($context | Format-List -Property * | Out-String) + ($context | ConvertTo-Json -Depth 5)

            $text.Contains($tokenPayload) | Should -BeFalse
            foreach ($property in $context.PSObject.Properties) {
                [string] $property.Value | Should -Not -BeLike "*$tokenPayload*" -Because "$($property.Name) must not hold the token"
            }
        }
    }

    Context 'When connected with an app-only token' {
        It 'reads Scopes from the roles claim' {
            $appToken = New-TestToken -Claims @{ scp = $null; roles = @('Synchronization.ReadWrite.All', 'Application.Read.All') }
            Connect-WithToken $appToken

            @((Get-MgContext).Scopes) | Should -Be @('Synchronization.ReadWrite.All', 'Application.Read.All')
        }
    }
}
