# Tests of Get-MgEnvironment, Add-MgEnvironment and Remove-MgEnvironment: the built-in clouds, user-defined
# environments for this process, and the checks on names and endpoints.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    function New-EnvironmentName {
        'MgpEnv' + [guid]::NewGuid().ToString('N').Substring(0, 10)
    }
}

Describe 'Get-MgEnvironment' {
    Context 'When listing the built-in clouds' {
        It 'lists <Name> with its endpoints' -ForEach @(
            @{ Name = 'Global'; AzureADEndpoint = 'https://login.microsoftonline.com'; GraphEndpoint = 'https://graph.microsoft.com' }
            @{ Name = 'USGov'; AzureADEndpoint = 'https://login.microsoftonline.us'; GraphEndpoint = 'https://graph.microsoft.us' }
            @{ Name = 'USGovDoD'; AzureADEndpoint = 'https://login.microsoftonline.us'; GraphEndpoint = 'https://dod-graph.microsoft.us' }
            @{ Name = 'China'; AzureADEndpoint = 'https://login.chinacloudapi.cn'; GraphEndpoint = 'https://microsoftgraph.chinacloudapi.cn' }
            @{ Name = 'BleuCloud'; AzureADEndpoint = 'https://login.sovcloud-identity.fr'; GraphEndpoint = 'https://graph.svc.sovcloud.fr' }
            @{ Name = 'DelosCloud'; AzureADEndpoint = 'https://login.sovcloud-identity.de'; GraphEndpoint = 'https://graph.svc.sovcloud.de' }
            @{ Name = 'GovSGCloud'; AzureADEndpoint = 'https://login.sovcloud-identity.sg'; GraphEndpoint = 'https://graph.svc.sovcloud.sg' }
        ) {
            $environment = @(Get-MgEnvironment | Where-Object { $_.Name -eq $Name })

            $environment.Count | Should -Be 1
            $environment[0].AzureADEndpoint.TrimEnd('/') | Should -Be $AzureADEndpoint
            $environment[0].GraphEndpoint.TrimEnd('/') | Should -Be $GraphEndpoint
            $environment[0].Type | Should -Be 'Built-in'
        }

        It 'finds one environment by -Name' {
            $environment = @(Get-MgEnvironment -Name 'China')

            $environment.Count | Should -Be 1
            $environment[0].Name | Should -Be 'China'
        }
    }
}

Describe 'Add-MgEnvironment' {
    Context 'When the name is new' {
        BeforeAll {
            $name = New-EnvironmentName
            $added = @(Add-MgEnvironment -Name $name -GraphEndpoint 'http://127.0.0.1:9' -AzureADEndpoint 'http://127.0.0.1:9')
        }

        It 'returns the environment as user-defined' {
            $added.Count | Should -Be 1
            $added[0].Name | Should -Be $name
            $added[0].Type | Should -Be 'User-defined'
        }

        It 'lists it after the built-in clouds' {
            $environment = @(Get-MgEnvironment -Name $name)

            $environment.Count | Should -Be 1
            $environment[0].GraphEndpoint.TrimEnd('/') | Should -Be 'http://127.0.0.1:9'
            $environment[0].Type | Should -Be 'User-defined'
        }

        It 'is visible from another runspace of this process' {
            $powershell = [powershell]::Create()
            try {
                $null = $powershell.AddCommand('Import-Module').AddParameter('Name', (Get-TestModuleManifest)).AddStatement()
                $null = $powershell.AddCommand('Get-MgEnvironment').AddParameter('Name', $name)
                $found = @($powershell.Invoke())
            }
            finally {
                $powershell.Dispose()
            }

            $found.Count | Should -Be 1
            $found[0].Name | Should -Be $name
        }
    }

    Context 'When the name already belongs to a user-defined environment' {
        It 'replaces it' {
            $name = New-EnvironmentName
            $null = Add-MgEnvironment -Name $name -GraphEndpoint 'http://127.0.0.1:9' -AzureADEndpoint 'http://127.0.0.1:9'
            $null = Add-MgEnvironment -Name $name -GraphEndpoint 'http://127.0.0.1:10' -AzureADEndpoint 'http://127.0.0.1:10'

            $environment = @(Get-MgEnvironment -Name $name)
            $environment.Count | Should -Be 1
            $environment[0].GraphEndpoint.TrimEnd('/') | Should -Be 'http://127.0.0.1:10'
        }
    }

    Context 'When the input is not allowed' {
        It 'rejects <Reason>' -ForEach @(
            @{ Reason = 'a built-in name'; Name = 'Global'; Endpoint = 'http://127.0.0.1:9' }
            @{ Reason = 'a built-in name in another case'; Name = 'usgov'; Endpoint = 'http://127.0.0.1:9' }
            @{ Reason = 'a relative URL'; Name = 'MgpRelative'; Endpoint = '/graph' }
            @{ Reason = 'a host without a scheme'; Name = 'MgpNoScheme'; Endpoint = 'graph.example.com' }
        ) {
            { Add-MgEnvironment -Name $Name -GraphEndpoint $Endpoint -AzureADEndpoint $Endpoint } | Should -Throw

            if ($Name -notin 'Global', 'usgov') {
                @(Get-MgEnvironment | Where-Object { $_.Name -eq $Name }).Count | Should -Be 0
            }
            @(Get-MgEnvironment | Where-Object { $_.Name -eq 'Global' })[0].GraphEndpoint.TrimEnd('/') | Should -Be 'https://graph.microsoft.com'
        }
    }

    Context 'When -WhatIf is given' {
        It 'adds nothing' {
            $name = New-EnvironmentName
            Add-MgEnvironment -Name $name -GraphEndpoint 'http://127.0.0.1:9' -AzureADEndpoint 'http://127.0.0.1:9' -WhatIf | Out-Null

            @(Get-MgEnvironment | Where-Object { $_.Name -eq $name }).Count | Should -Be 0
        }
    }

    Context 'When Microsoft''s settings folder exists' {
        It 'writes nothing to ~/.mg' {
            $settingsFolder = [System.IO.Path]::Combine($HOME, '.mg')
            $before = if ([System.IO.Directory]::Exists($settingsFolder)) {
                @(Get-ChildItem -Path $settingsFolder -Recurse -File | ForEach-Object { "$($_.FullName)|$($_.Length)|$($_.LastWriteTimeUtc.Ticks)" })
            }
            else {
                @()
            }

            $name = New-EnvironmentName
            $null = Add-MgEnvironment -Name $name -GraphEndpoint 'http://127.0.0.1:9' -AzureADEndpoint 'http://127.0.0.1:9'
            Remove-MgEnvironment -Name $name

            $after = if ([System.IO.Directory]::Exists($settingsFolder)) {
                @(Get-ChildItem -Path $settingsFolder -Recurse -File | ForEach-Object { "$($_.FullName)|$($_.Length)|$($_.LastWriteTimeUtc.Ticks)" })
            }
            else {
                @()
            }
            $after | Should -Be $before
        }
    }
}

Describe 'Remove-MgEnvironment' {
    Context 'When the environment is user-defined' {
        It 'removes it' {
            $name = New-EnvironmentName
            $null = Add-MgEnvironment -Name $name -GraphEndpoint 'http://127.0.0.1:9' -AzureADEndpoint 'http://127.0.0.1:9'

            Remove-MgEnvironment -Name $name

            @(Get-MgEnvironment | Where-Object { $_.Name -eq $name }).Count | Should -Be 0
        }
    }

    Context 'When the environment is built in' {
        It 'keeps it and writes an error' {
            Remove-MgEnvironment -Name 'Global' -ErrorVariable removeErrors -ErrorAction SilentlyContinue

            $removeErrors.Count | Should -Be 1
            @(Get-MgEnvironment | Where-Object { $_.Name -eq 'Global' }).Count | Should -Be 1
        }
    }
}
