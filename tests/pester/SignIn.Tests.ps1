# Tests of Connect-MgGraph's sign-in for automation against the emulator's token endpoint and managed-identity
# endpoint over real HTTP: client secret, certificate (object, thumbprint, subject name, chain), managed identity and
# environment variables; Entra's errors; token caching, renewal and the 401-then-renew path; and that no secret,
# private key or token reaches any output stream, error or the context object.
#
# Certificates are generated here at run time; the store tests add them to the current user's My store and remove
# them afterwards. Clients are registered in the emulator at run time with random secrets.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $appId = '5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60'
    $jobId = 'scim.8f14e45fceea167a5a36dedd4bea2543'
    $userEntry = @{ RuleId = 'e1a2b3c4-0001-4000-8000-000000000001'; Subjects = @(@{ ObjectId = '11111111-aaaa-4bbb-8ccc-000000000002'; ObjectTypeName = 'User' }) }
    $tenantId = Get-TestTenantId
    $systemIdentityClientId = '5ca1ab1e-0000-4000-8000-00000000aa01'
    $userIdentityClientId = '5ca1ab1e-0000-4000-8000-00000000aa02'
    $identityHeader = [System.Convert]::ToBase64String([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(30))
    $signInVariables = @(
        'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET',
        'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN'
    )

    $emulator = Start-TestEmulatorWithOption -Option '--throttle', 'off', '--identity-header', $identityHeader
    $environmentName = 'MgpSignIn' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $null = Add-MgEnvironment -Name $environmentName -GraphEndpoint $emulator.BaseUrl -AzureADEndpoint $emulator.BaseUrl

    # Pacing is process-wide and would slow the many calls of this file; AfterAll turns it back on.
    $null = Set-MgRequestContext -Pacing $false

    function New-TestSecret {
        [System.Convert]::ToBase64String([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(30))
    }

    # Returns a self-signed certificate with its RSA private key, valid from -ValidFromDays to -ValidToDays from now.
    function New-TestCertificate {
        param(
            [string] $Subject = ('mgp-signin-' + [guid]::NewGuid().ToString('N').Substring(0, 12)),
            [int] $ValidFromDays = -1,
            [int] $ValidToDays = 30
        )

        $key = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new(
            "CN=$Subject", $key, [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $now = [System.DateTimeOffset]::UtcNow
        $request.CreateSelfSigned($now.AddDays($ValidFromDays), $now.AddDays($ValidToDays))
    }

    # Registers a client in the emulator's tenant and returns its id.
    function Register-TestClient {
        param(
            [string] $Secret,
            [System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate,
            [string[]] $Roles = @('Synchronization.ReadWrite.All')
        )

        $body = @{ clientId = [guid]::NewGuid().ToString(); roles = $Roles }
        if ($Secret) {
            $body.clientSecret = $Secret
        }
        if ($Certificate) {
            $body.certificate = $Certificate.ExportCertificatePem()
        }
        $answer = Invoke-RestMethod -Method Post -Uri "$($emulator.BaseUrl)/_emulator/clients" -Body (ConvertTo-Json -InputObject $body) -ContentType 'application/json' -NoProxy
        $answer.clientId
    }

    function New-TestCredential {
        param([string] $ClientId, [string] $Secret)

        [pscredential]::new($ClientId, (ConvertTo-SecureString -String $Secret -AsPlainText -Force))
    }

    function Invoke-TestProvisioning {
        New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -ErrorAction Stop
    }

    # Returns the requests the emulator logged after the first $Skip ones.
    function Get-TestRequestSince {
        param([int] $Skip)

        $all = Get-TestEmulatorRequest $emulator
        , @($all | Select-Object -Skip $Skip)
    }

    function Get-TestRequestCount {
        (Get-TestEmulatorRequest $emulator).Count
    }

    function Test-TokenRequest {
        param([object] $Request)

        $Request.path -like '*/oauth2/v2.0/token' -or $Request.path -like '/msi/token*'
    }

    function Clear-SignInVariable {
        foreach ($name in $signInVariables) {
            [System.Environment]::SetEnvironmentVariable($name, $null)
        }
    }

    # A client with a secret and a certificate, shared by the tests that need a working sign-in.
    $secret = New-TestSecret
    $certificate = New-TestCertificate
    $clientId = Register-TestClient -Secret $secret -Certificate $certificate
    $credential = New-TestCredential -ClientId $clientId -Secret $secret
    $privateKeyBase64 = [System.Convert]::ToBase64String([System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($certificate).ExportPkcs8PrivateKey())
}

AfterAll {
    Clear-SignInVariable
    $null = Set-MgRequestContext -Pacing $true
    $null = Disconnect-MgGraph -ErrorAction SilentlyContinue
    Stop-TestEmulator $emulator
}

Describe 'Connect-MgGraph parameters' {
    It 'has the parameter set <_>' -ForEach @(
        'AccessTokenParameterSet', 'AppSecretCredentialParameterSet', 'AppCertificateParameterSet', 'IdentityParameterSet', 'EnvironmentVariableParameterSet'
    ) {
        (Get-Command Connect-MgGraph).ParameterSets.Name | Should -Contain $_
    }

    It 'gives -<Parameter> the alias <Alias>' -ForEach @(
        @{ Parameter = 'ClientSecretCredential'; Alias = 'SecretCredential' }
        @{ Parameter = 'ClientSecretCredential'; Alias = 'Credential' }
        @{ Parameter = 'ClientId'; Alias = 'AppId' }
        @{ Parameter = 'ClientId'; Alias = 'ApplicationId' }
        @{ Parameter = 'TenantId'; Alias = 'Tenant' }
        @{ Parameter = 'CertificateSubjectName'; Alias = 'CertificateSubject' }
        @{ Parameter = 'CertificateSubjectName'; Alias = 'CertificateName' }
        @{ Parameter = 'Identity'; Alias = 'ManagedIdentity' }
        @{ Parameter = 'Identity'; Alias = 'MSI' }
        @{ Parameter = 'Environment'; Alias = 'NationalCloud' }
    ) {
        (Get-Command Connect-MgGraph).Parameters[$Parameter].Aliases | Should -Contain $Alias
    }

    It 'takes -SendCertificateChain as a Boolean' {
        (Get-Command Connect-MgGraph).Parameters['SendCertificateChain'].ParameterType | Should -Be ([bool])
    }

    It 'takes -ClientTimeout in seconds as a Double' {
        (Get-Command Connect-MgGraph).Parameters['ClientTimeout'].ParameterType | Should -Be ([double])
    }
}

Describe 'Connect-MgGraph with a client secret' {
    It 'signs in and provisions with a bearer token' {
        $before = Get-TestRequestCount

        Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $credential -NoWelcome
        $result = Invoke-TestProvisioning

        $result.Key | Should -Not -BeNullOrEmpty
        $requests = Get-TestRequestSince $before
        $requests.Count | Should -Be 2
        $requests[0].path | Should -Be "/$tenantId/oauth2/v2.0/token"
        $requests[0].bodyText | Should -Match 'grant_type=client_credentials'
        $requests[0].bodyText | Should -Match "client_id=$clientId"
        $requests[0].status | Should -Be 200
        $requests[1].path | Should -BeLike '*/provisionOnDemand'
        $requests[1].headers.authorization | Should -BeExactly 'Bearer ***'
        $requests[1].status | Should -Be 200
    }

    It 'fills the context from the sign-in' {
        Connect-MgGraph -Environment $environmentName -Tenant $tenantId -Credential $credential -NoWelcome

        $context = Get-MgContext
        $context.AuthType | Should -Be 'AppOnly'
        $context.TokenCredentialType | Should -Be 'ClientSecret'
        $context.ClientId | Should -Be $clientId
        $context.TenantId | Should -Be $tenantId
        @($context.Scopes) | Should -Be @('Synchronization.ReadWrite.All')
        $context.ContextScope | Should -Be 'Process'
        $context.Environment | Should -Be $environmentName
        $context.CertificateThumbprint | Should -BeNullOrEmpty
    }

    It 'names apponly access in the welcome text' {
        $text = Connect-MgGraph -Environment $environmentName -TenantId $tenantId -SecretCredential $credential 6>&1 | Out-String

        $text | Should -Match "Connected via apponly access using $clientId"
    }

    It 'reports AADSTS7000215 for a wrong secret' {
        $wrongSecret = New-TestSecret
        $wrong = New-TestCredential -ClientId $clientId -Secret $wrongSecret

        $thrown = { Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $wrong -NoWelcome } | Should -Throw -PassThru

        $thrown.Exception.Message | Should -Match 'AADSTS7000215'
        $thrown.Exception.Data['ErrorCode'] | Should -Be 'AADSTS7000215'
        $thrown.Exception.Data['TraceId'] | Should -Not -BeNullOrEmpty
        $thrown.Exception.Data['CorrelationId'] | Should -Not -BeNullOrEmpty
        $thrown.FullyQualifiedErrorId | Should -Be 'AADSTS7000215,Connect-MgGraph'
        $thrown.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $thrown.Exception.Message.Contains($wrongSecret) | Should -BeFalse
    }

    It 'keeps the previous connection when sign-in fails' {
        Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $credential -NoWelcome
        $wrong = New-TestCredential -ClientId $clientId -Secret (New-TestSecret)

        { Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $wrong -NoWelcome } | Should -Throw

        (Get-MgContext).TokenCredentialType | Should -Be 'ClientSecret'
        (Invoke-TestProvisioning).Key | Should -Not -BeNullOrEmpty
    }

    It 'reports AADSTS90002 for an unknown tenant' {
        $thrown = { Connect-MgGraph -Environment $environmentName -TenantId 'no-such-tenant.example' -ClientSecretCredential $credential -NoWelcome } | Should -Throw -PassThru

        $thrown.Exception.Data['ErrorCode'] | Should -Be 'AADSTS90002'
        $thrown.Exception.Message | Should -Match 'AADSTS90002'
    }

    It 'rejects a missing tenant before sending anything' {
        $before = Get-TestRequestCount

        $thrown = { Connect-MgGraph -Environment $environmentName -ClientSecretCredential $credential -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'TenantIdMissing,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match 'TenantId'
        Get-TestRequestCount | Should -Be $before
    }

    It 'warns that ContextScope CurrentUser stays in this process' {
        $warnings = $null

        Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $credential -ContextScope CurrentUser -NoWelcome -WarningVariable warnings -WarningAction SilentlyContinue

        @($warnings).Count | Should -Be 1
        [string] $warnings[0] | Should -Match 'process'
        (Get-MgContext).ContextScope | Should -Be 'Process'
    }

    It 'times out after -ClientTimeout seconds' {
        Add-TestEmulatorFault -Emulator $emulator -Fault @{ fault = 'delay'; delayMs = 4000; count = 1; pathRegex = '/oauth2/v2\.0/token$' }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $thrown = { Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $credential -ClientTimeout 0.5 -NoWelcome } | Should -Throw -PassThru
        $watch.Stop()

        $thrown.FullyQualifiedErrorId | Should -Be 'SignInTimedOut,Connect-MgGraph'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 3
    }

    It 'stops waiting for the token when the command is stopped' {
        Add-TestEmulatorFault -Emulator $emulator -Fault @{ fault = 'delay'; delayMs = 8000; count = 1; pathRegex = '/oauth2/v2\.0/token$' }
        $runspace = New-TestModuleRunspace
        $shell = [powershell]::Create()
        try {
            $shell.Runspace = $runspace
            $null = $shell.AddCommand('Connect-MgGraph').AddParameter('Environment', $environmentName).AddParameter('TenantId', $tenantId).AddParameter('ClientSecretCredential', $credential).AddParameter('NoWelcome')
            $handle = $shell.BeginInvoke()
            Start-Sleep -Milliseconds 700
            $handle.IsCompleted | Should -BeFalse -Because 'the token endpoint answers after 8 s'
            $watch = [System.Diagnostics.Stopwatch]::StartNew()

            $shell.Stop()
            $watch.Stop()

            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            $shell.Dispose()
            $runspace.Dispose()
        }
    }
}

Describe 'Connect-MgGraph with a certificate' {
    BeforeAll {
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
        $store.Open('ReadWrite')
        $storeCertificate = New-TestCertificate
        $storeClientId = Register-TestClient -Certificate $storeCertificate
        $expiredCertificate = New-TestCertificate -ValidFromDays -60 -ValidToDays -1
        $expiredClientId = Register-TestClient -Certificate $expiredCertificate
        $publicOnlyCertificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new((New-TestCertificate).RawData)
        $store.Add($storeCertificate)
        $store.Add($expiredCertificate)
        $store.Add($publicOnlyCertificate)
    }

    AfterAll {
        foreach ($added in $storeCertificate, $expiredCertificate, $publicOnlyCertificate) {
            $store.Remove($added)
        }
        $store.Dispose()
    }

    It 'signs in with -Certificate and provisions with a bearer token' {
        $before = Get-TestRequestCount

        Connect-MgGraph -ClientId $clientId -TenantId $tenantId -Certificate $certificate -Environment $environmentName -NoWelcome
        $result = Invoke-TestProvisioning

        $result.Key | Should -Not -BeNullOrEmpty
        $requests = Get-TestRequestSince $before
        $requests.Count | Should -Be 2
        $requests[0].bodyText | Should -Match 'client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer'
        $requests[0].bodyText | Should -Match 'client_assertion=\*\*\*'
        $requests[0].bodyText | Should -Not -Match 'client_secret'
        $requests[0].status | Should -Be 200
        $requests[1].headers.authorization | Should -BeExactly 'Bearer ***'
        $requests[1].status | Should -Be 200
    }

    It 'fills the context with the certificate' {
        Connect-MgGraph -AppId $clientId -TenantId $tenantId -Certificate $certificate -Environment $environmentName -NoWelcome

        $context = Get-MgContext
        $context.AuthType | Should -Be 'AppOnly'
        $context.TokenCredentialType | Should -Be 'ClientCertificate'
        $context.ClientId | Should -Be $clientId
        $context.CertificateThumbprint | Should -Be $certificate.Thumbprint
        $context.CertificateSubjectName | Should -Be $certificate.Subject
        $context.SendCertificateChain | Should -BeFalse
        @($context.Scopes) | Should -Be @('Synchronization.ReadWrite.All')
    }

    It 'finds the certificate by thumbprint in the My store' {
        Connect-MgGraph -ClientId $storeClientId -TenantId $tenantId -CertificateThumbprint $storeCertificate.Thumbprint -Environment $environmentName -NoWelcome

        (Get-MgContext).CertificateThumbprint | Should -Be $storeCertificate.Thumbprint
        (Invoke-TestProvisioning).Key | Should -Not -BeNullOrEmpty
    }

    It 'finds the certificate by subject name in the My store' {
        $bareName = $storeCertificate.Subject.Substring(3)

        Connect-MgGraph -ApplicationId $storeClientId -TenantId $tenantId -CertificateName $bareName -Environment $environmentName -NoWelcome

        (Get-MgContext).CertificateThumbprint | Should -Be $storeCertificate.Thumbprint
        (Get-MgContext).CertificateSubjectName | Should -Be $storeCertificate.Subject
    }

    It 'sends the chain with -SendCertificateChain' {
        Connect-MgGraph -ClientId $clientId -TenantId $tenantId -Certificate $certificate -SendCertificateChain $true -Environment $environmentName -NoWelcome

        (Get-MgContext).SendCertificateChain | Should -BeTrue
        (Invoke-TestProvisioning).Key | Should -Not -BeNullOrEmpty
    }

    It 'reports AADSTS700027 for a certificate the app does not have' {
        $unregistered = New-TestCertificate

        $thrown = { Connect-MgGraph -ClientId $clientId -TenantId $tenantId -Certificate $unregistered -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.Exception.Data['ErrorCode'] | Should -Be 'AADSTS700027'
        $thrown.Exception.Message | Should -Match 'AADSTS700027'
    }

    It 'rejects an expired -Certificate before sending anything' {
        $before = Get-TestRequestCount

        $thrown = { Connect-MgGraph -ClientId $expiredClientId -TenantId $tenantId -Certificate $expiredCertificate -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificateExpired,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match 'expired'
        $thrown.Exception.Message | Should -Match $expiredCertificate.Thumbprint
        Get-TestRequestCount | Should -Be $before
    }

    It 'rejects an expired certificate found by thumbprint' {
        $thrown = { Connect-MgGraph -ClientId $expiredClientId -TenantId $tenantId -CertificateThumbprint $expiredCertificate.Thumbprint -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificateExpired,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match $expiredCertificate.Thumbprint
    }

    It 'rejects a -Certificate without its private key' {
        $publicOnly = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($certificate.RawData)

        $thrown = { Connect-MgGraph -ClientId $clientId -TenantId $tenantId -Certificate $publicOnly -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificatePrivateKeyMissing,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match 'no private key'
        $thrown.Exception.Message | Should -Match $certificate.Thumbprint
    }

    It 'rejects a store certificate without its private key' {
        $thrown = { Connect-MgGraph -ClientId $clientId -TenantId $tenantId -CertificateThumbprint $publicOnlyCertificate.Thumbprint -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificatePrivateKeyMissing,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match $publicOnlyCertificate.Thumbprint
    }

    It 'names a thumbprint that is not in the store' {
        $missing = 'AB' * 20

        $thrown = { Connect-MgGraph -ClientId $clientId -TenantId $tenantId -CertificateThumbprint $missing -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificateNotFound,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match $missing
    }

    It 'names a subject that is not in the store' {
        $thrown = { Connect-MgGraph -ClientId $clientId -TenantId $tenantId -CertificateSubjectName 'CN=mgp-no-such-certificate' -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificateNotFound,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match 'mgp-no-such-certificate'
    }

    It 'asks for a certificate when none is given' {
        $thrown = { Connect-MgGraph -ClientId $clientId -TenantId $tenantId -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificateMissing,Connect-MgGraph'
    }
}

Describe 'Connect-MgGraph with a managed identity' {
    BeforeEach {
        Clear-SignInVariable
        $env:IDENTITY_ENDPOINT = "$($emulator.BaseUrl)/msi/token"
        $env:IDENTITY_HEADER = $identityHeader
    }

    AfterEach {
        Clear-SignInVariable
    }

    It 'signs in with the system-assigned identity and provisions' {
        $before = Get-TestRequestCount

        Connect-MgGraph -Identity -Environment $environmentName -NoWelcome
        $result = Invoke-TestProvisioning

        $result.Key | Should -Not -BeNullOrEmpty
        $requests = Get-TestRequestSince $before
        $requests.Count | Should -Be 2
        $requests[0].method | Should -Be 'GET'
        $requests[0].path | Should -Be '/msi/token'
        $requests[0].headers.'x-identity-header' | Should -BeExactly '***'
        $requests[0].status | Should -Be 200
        $requests[1].headers.authorization | Should -BeExactly 'Bearer ***'
        $requests[1].status | Should -Be 200
    }

    It 'fills the context for the system-assigned identity' {
        $text = Connect-MgGraph -ManagedIdentity -Environment $environmentName 6>&1 | Out-String

        $context = Get-MgContext
        $context.AuthType | Should -Be 'ManagedIdentity'
        $context.TokenCredentialType | Should -Be 'ManagedIdentity'
        $context.ClientId | Should -Be $systemIdentityClientId
        $context.ManagedIdentityId | Should -BeNullOrEmpty
        $context.TenantId | Should -Be $tenantId
        $text | Should -Match "Connected via managedidentity access using $systemIdentityClientId"
    }

    It 'signs in with a user-assigned identity' {
        $before = Get-TestRequestCount

        Connect-MgGraph -MSI -ClientId $userIdentityClientId -Environment $environmentName -NoWelcome

        $context = Get-MgContext
        $context.ClientId | Should -Be $userIdentityClientId
        $context.ManagedIdentityId | Should -Be $userIdentityClientId
        @($context.Scopes) | Should -Be @('Application.ReadWrite.OwnedBy')
        (Get-TestRequestSince $before)[0].query | Should -Match "client_id=$userIdentityClientId"
    }

    It 'names both variables when they are missing' {
        Clear-SignInVariable

        $thrown = { Connect-MgGraph -Identity -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'ManagedIdentityUnavailable,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match 'IDENTITY_ENDPOINT'
        $thrown.Exception.Message | Should -Match 'IDENTITY_HEADER'
    }

    It 'names IDENTITY_HEADER when only it is missing' {
        $env:IDENTITY_HEADER = $null

        $thrown = { Connect-MgGraph -Identity -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.Exception.Message | Should -Match 'Not set: IDENTITY_HEADER\.'
    }

    It 'rejects the instance metadata address' {
        $env:IDENTITY_ENDPOINT = 'http://169.254.169.254/metadata/identity/oauth2/token'

        $thrown = { Connect-MgGraph -Identity -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'InvalidIdentityEndpoint,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match 'instance metadata service'
    }

    It 'reports a wrong identity header without its value' {
        $wrongHeader = New-TestSecret
        $env:IDENTITY_HEADER = $wrongHeader

        $thrown = { Connect-MgGraph -Identity -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $thrown.Exception.Data['StatusCode'] | Should -Be 401
        $thrown.Exception.Message.Contains($wrongHeader) | Should -BeFalse
    }
}

Describe 'Connect-MgGraph with environment variables' {
    BeforeEach {
        Clear-SignInVariable
    }

    AfterEach {
        Clear-SignInVariable
    }

    It 'signs in with AZURE_CLIENT_SECRET and provisions' {
        $env:AZURE_CLIENT_ID = $clientId
        $env:AZURE_TENANT_ID = $tenantId
        $env:AZURE_CLIENT_SECRET = $secret
        $before = Get-TestRequestCount

        $text = Connect-MgGraph -EnvironmentVariable -Environment $environmentName 6>&1 | Out-String
        $result = Invoke-TestProvisioning

        $result.Key | Should -Not -BeNullOrEmpty
        (Get-TestRequestSince $before)[0].bodyText | Should -Match 'client_secret=\*\*\*'
        $context = Get-MgContext
        $context.AuthType | Should -Be 'EnvironmentVariable'
        $context.TokenCredentialType | Should -Be 'EnvironmentCredential'
        $context.ClientId | Should -Be $clientId
        $text | Should -Match "Connected via environmentvariable access using $clientId"
    }

    It 'signs in with a PEM file that holds the key' {
        $path = Join-Path $TestDrive 'client.pem'
        $pem = $certificate.ExportCertificatePem() + "`n" + [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($certificate).ExportPkcs8PrivateKeyPem()
        [System.IO.File]::WriteAllText($path, $pem)
        $env:AZURE_CLIENT_ID = $clientId
        $env:AZURE_TENANT_ID = $tenantId
        $env:AZURE_CLIENT_CERTIFICATE_PATH = $path

        Connect-MgGraph -EnvironmentVariable -Environment $environmentName -NoWelcome

        (Get-MgContext).CertificateThumbprint | Should -Be $certificate.Thumbprint
        (Invoke-TestProvisioning).Key | Should -Not -BeNullOrEmpty
    }

    It 'signs in with a PFX file and its password' {
        $password = New-TestSecret
        $path = Join-Path $TestDrive 'client.pfx'
        [System.IO.File]::WriteAllBytes($path, $certificate.Export('Pfx', $password))
        $env:AZURE_CLIENT_ID = $clientId
        $env:AZURE_TENANT_ID = $tenantId
        $env:AZURE_CLIENT_CERTIFICATE_PATH = $path
        $env:AZURE_CLIENT_CERTIFICATE_PASSWORD = $password

        Connect-MgGraph -EnvironmentVariable -Environment $environmentName -NoWelcome

        (Get-MgContext).TokenCredentialType | Should -Be 'EnvironmentCredential'
        (Get-MgContext).CertificateThumbprint | Should -Be $certificate.Thumbprint
        (Invoke-TestProvisioning).Key | Should -Not -BeNullOrEmpty
    }

    It 'names every missing variable' {
        $thrown = { Connect-MgGraph -EnvironmentVariable -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'EnvironmentVariableMissing,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match 'Not set: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH\.'
    }

    It 'names the one missing variable' {
        $env:AZURE_CLIENT_ID = $clientId
        $env:AZURE_CLIENT_SECRET = $secret

        $thrown = { Connect-MgGraph -EnvironmentVariable -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.Exception.Message | Should -Match 'Not set: AZURE_TENANT_ID\.'
        $thrown.Exception.Message.Contains($secret) | Should -BeFalse
    }

    It 'names a certificate file that does not exist' {
        $env:AZURE_CLIENT_ID = $clientId
        $env:AZURE_TENANT_ID = $tenantId
        $env:AZURE_CLIENT_CERTIFICATE_PATH = Join-Path $TestDrive 'missing.pem'

        $thrown = { Connect-MgGraph -EnvironmentVariable -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificateNotFound,Connect-MgGraph'
        $thrown.Exception.Message | Should -Match 'missing\.pem'
    }

    It 'reports a wrong PFX password without the password' {
        $path = Join-Path $TestDrive 'client-wrong.pfx'
        [System.IO.File]::WriteAllBytes($path, $certificate.Export('Pfx', (New-TestSecret)))
        $wrongPassword = New-TestSecret
        $env:AZURE_CLIENT_ID = $clientId
        $env:AZURE_TENANT_ID = $tenantId
        $env:AZURE_CLIENT_CERTIFICATE_PATH = $path
        $env:AZURE_CLIENT_CERTIFICATE_PASSWORD = $wrongPassword

        $thrown = { Connect-MgGraph -EnvironmentVariable -Environment $environmentName -NoWelcome } | Should -Throw -PassThru

        $thrown.FullyQualifiedErrorId | Should -Be 'CertificateFileUnreadable,Connect-MgGraph'
        $thrown.Exception.Message.Contains($wrongPassword) | Should -BeFalse
    }
}

Describe 'Token caching and renewal' {
    It 'requests one token for a connection and two calls' {
        Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $credential -NoWelcome
        $before = Get-TestRequestCount

        $null = Invoke-TestProvisioning
        $null = Invoke-TestProvisioning

        $requests = Get-TestRequestSince $before
        @($requests | Where-Object { Test-TokenRequest $_ }).Count | Should -Be 0
        $requests.Count | Should -Be 2
    }

    It 'renews a token that is within five minutes of expiry' {
        $shortLived = Start-TestEmulatorWithOption -Option '--throttle', 'off', '--token-lifetime', '60'
        try {
            $shortName = 'MgpShort' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $null = Add-MgEnvironment -Name $shortName -GraphEndpoint $shortLived.BaseUrl -AzureADEndpoint $shortLived.BaseUrl
            $shortSecret = New-TestSecret
            $body = @{ clientId = [guid]::NewGuid().ToString(); clientSecret = $shortSecret; roles = @('Synchronization.ReadWrite.All') }
            $null = Invoke-RestMethod -Method Post -Uri "$($shortLived.BaseUrl)/_emulator/clients" -Body (ConvertTo-Json $body) -ContentType 'application/json' -NoProxy

            Connect-MgGraph -Environment $shortName -TenantId $tenantId -ClientSecretCredential (New-TestCredential -ClientId $body.clientId -Secret $shortSecret) -NoWelcome
            $first = Invoke-TestProvisioning
            $second = Invoke-TestProvisioning

            $first.Key | Should -Not -BeNullOrEmpty
            $second.Key | Should -Not -BeNullOrEmpty
            $requests = Get-TestEmulatorRequest $shortLived
            $tokenRequests = @($requests | Where-Object { Test-TokenRequest $_ })
            $tokenRequests.Count | Should -Be 3 -Because 'a 60 s token is inside the 5 minute renewal window, so each call renews it'
            $tokenRequests.status | Should -Be @(200, 200, 200)
        }
        finally {
            $null = Disconnect-MgGraph -ErrorAction SilentlyContinue
            $null = Remove-MgEnvironment -Name $shortName -ErrorAction SilentlyContinue
            Stop-TestEmulator $shortLived
        }
    }

    It 'renews once after a 401 and sends the call again' {
        Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $credential -NoWelcome
        Add-TestEmulatorFault -Emulator $emulator -Fault @{ fault = 'error'; status = 401; code = 'InvalidAuthenticationToken'; count = 1; pathRegex = '/provisionOnDemand$' }
        $before = Get-TestRequestCount

        $result = Invoke-TestProvisioning

        $result.Key | Should -Not -BeNullOrEmpty
        $requests = Get-TestRequestSince $before
        $requests.Count | Should -Be 3
        $requests[0].path | Should -BeLike '*/provisionOnDemand'
        $requests[0].status | Should -Be 401
        Test-TokenRequest $requests[1] | Should -BeTrue
        $requests[1].status | Should -Be 200
        $requests[2].path | Should -BeLike '*/provisionOnDemand'
        $requests[2].status | Should -Be 200
    }

    It 'reports a second 401 without renewing again' {
        Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $credential -NoWelcome
        Add-TestEmulatorFault -Emulator $emulator -Fault @{ fault = 'error'; status = 401; code = 'InvalidAuthenticationToken'; count = 2; pathRegex = '/provisionOnDemand$' }
        $before = Get-TestRequestCount
        $failures = $null

        $null = New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -ErrorVariable failures -ErrorAction SilentlyContinue

        @($failures).Count | Should -Be 1
        $failures[0].Exception.Data['StatusCode'] | Should -Be 401
        $requests = Get-TestRequestSince $before
        @($requests | Where-Object { Test-TokenRequest $_ }).Count | Should -Be 1
        @($requests | Where-Object { $_.path -like '*/provisionOnDemand' }).Count | Should -Be 2
    }
}

Describe 'Secrets in output' {
    BeforeAll {
        $pemPath = Join-Path $TestDrive 'leak.pem'
        [System.IO.File]::WriteAllText($pemPath, $certificate.ExportCertificatePem() + "`n" + [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($certificate).ExportPkcs8PrivateKeyPem())
        $pfxPassword = New-TestSecret
        $pfxPath = Join-Path $TestDrive 'leak.pfx'
        [System.IO.File]::WriteAllBytes($pfxPath, $certificate.Export('Pfx', $pfxPassword))
        $wrongSecret = New-TestSecret

        # Each flow connects and provisions with -Debug and -Verbose; the last two fail on purpose.
        $flows = [ordered]@{
            'client secret'        = { Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential $credential -Debug -Verbose }
            'certificate'          = { Connect-MgGraph -ClientId $clientId -TenantId $tenantId -Certificate $certificate -SendCertificateChain $true -Environment $environmentName -Debug -Verbose }
            'managed identity'     = {
                $env:IDENTITY_ENDPOINT = "$($emulator.BaseUrl)/msi/token"
                $env:IDENTITY_HEADER = $identityHeader
                Connect-MgGraph -Identity -Environment $environmentName -Debug -Verbose
            }
            'environment secret'   = {
                $env:AZURE_CLIENT_ID = $clientId
                $env:AZURE_TENANT_ID = $tenantId
                $env:AZURE_CLIENT_SECRET = $secret
                Connect-MgGraph -EnvironmentVariable -Environment $environmentName -Debug -Verbose
            }
            'environment PEM'      = {
                $env:AZURE_CLIENT_ID = $clientId
                $env:AZURE_TENANT_ID = $tenantId
                $env:AZURE_CLIENT_CERTIFICATE_PATH = $pemPath
                Connect-MgGraph -EnvironmentVariable -Environment $environmentName -Debug -Verbose
            }
            'environment PFX'      = {
                $env:AZURE_CLIENT_ID = $clientId
                $env:AZURE_TENANT_ID = $tenantId
                $env:AZURE_CLIENT_CERTIFICATE_PATH = $pfxPath
                $env:AZURE_CLIENT_CERTIFICATE_PASSWORD = $pfxPassword
                Connect-MgGraph -EnvironmentVariable -Environment $environmentName -Debug -Verbose
            }
            'wrong secret'         = { Connect-MgGraph -Environment $environmentName -TenantId $tenantId -ClientSecretCredential (New-TestCredential -ClientId $clientId -Secret $wrongSecret) -Debug -Verbose }
            'wrong identity header' = {
                $env:IDENTITY_ENDPOINT = "$($emulator.BaseUrl)/msi/token"
                $env:IDENTITY_HEADER = $wrongSecret
                Connect-MgGraph -Identity -Environment $environmentName -Debug -Verbose
            }
        }

        $secrets = @($secret, $privateKeyBase64, $identityHeader, $pfxPassword, $wrongSecret)

        # Returns "<part> of secret <n>" for every 8-character part of a secret that appears in the text.
        function Find-SecretPart {
            param([string] $Text)

            for ($index = 0; $index -lt $secrets.Count; $index++) {
                $value = $secrets[$index]
                for ($start = 0; $start + 8 -le $value.Length; $start++) {
                    if ($Text.Contains($value.Substring($start, 8))) {
                        "'$($value.Substring($start, 8))' of secret $index"
                        break
                    }
                }
            }
        }
    }

    AfterEach {
        Clear-SignInVariable
    }

    It 'shows no secret, key or token for <_>' -ForEach @(
        'client secret', 'certificate', 'managed identity', 'environment secret', 'environment PEM', 'environment PFX', 'wrong secret', 'wrong identity header'
    ) {
        $flow = $flows[$_]
        $Error.Clear()

        $streams = & {
            try {
                & $flow
                New-MgBetaApplicationSynchronizationJobOnDemand -ApplicationId $appId -SynchronizationJobId $jobId -Parameters $userEntry -Debug -Verbose
            }
            catch {
                $_
            }
        } *>&1 | Out-String -Width 4096
        $errors = $Error | ForEach-Object { ($_ | Format-List * -Force | Out-String -Width 4096) + ($_.Exception | Format-List * -Force | Out-String -Width 4096) + ($_.Exception.Data | Format-Table -AutoSize | Out-String -Width 4096) }
        $context = Get-MgContext
        $contextText = ($context | Format-List * | Out-String -Width 4096) + ($context | ConvertTo-Json -Depth 5)
        $text = $streams + ($errors -join "`n") + $contextText

        $streams | Should -Match 'Requesting a token' -Because 'the flow must have run with -Verbose'
        @(Find-SecretPart -Text $text) | Should -BeNullOrEmpty
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{8,}' -Because 'no JWT (token or client assertion) may appear'
    }
}
