# Tests of Set-MgRequestContext and Get-MgRequestContext through the real module. What the settings do to calls
# is tested in Transport.Tests.ps1. The settings are process-wide, so every test restores the defaults.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    function Restore-DefaultRequestContext {
        $null = Set-MgRequestContext -MaxRetry 3 -RetryDelay 3 -RetriesTimeLimit 0 -ClientTimeout 300 -Pacing $true -PacingLimit 5 -PacingWindow 10
    }
}

AfterAll {
    Restore-DefaultRequestContext
}

Describe 'Get-MgRequestContext' {
    It 'returns the defaults in a new process' {
        $child = Invoke-TestChildSession -Script @'
$context = Get-MgRequestContext
"$($context.ClientTimeout)|$($context.RetryDelay)|$($context.MaxRetry)|$($context.RetriesTimeLimit)|$($context.Pacing)|$($context.PacingLimit)|$($context.PacingWindow)"
'@

        $child.Summary.Records[0].Text | Should -Be '00:05:00|3|3|00:00:00|True|5|00:00:10'
    }

    It 'returns an MgProvisioning.RequestContext' {
        $context = Get-MgRequestContext

        $context | Should -BeOfType 'MgProvisioning.RequestContext'
        $context.ClientTimeout | Should -BeOfType [timespan]
        $context.RetriesTimeLimit | Should -BeOfType [timespan]
        $context.PacingWindow | Should -BeOfType [timespan]
    }
}

Describe 'Set-MgRequestContext' {
    AfterEach {
        Restore-DefaultRequestContext
    }

    It 'changes the given settings and keeps the others' {
        $result = Set-MgRequestContext -MaxRetry 5 -ClientTimeout 60

        $result.MaxRetry | Should -Be 5
        $result.ClientTimeout | Should -Be ([timespan]::FromSeconds(60))
        $result.RetryDelay | Should -Be 3
        $result.PacingLimit | Should -Be 5
        $current = Get-MgRequestContext
        $current.MaxRetry | Should -Be 5
        $current.ClientTimeout.TotalSeconds | Should -Be 60
    }

    It 'sets every setting' {
        $result = Set-MgRequestContext -MaxRetry 0 -RetryDelay 180 -RetriesTimeLimit 86400 -ClientTimeout 1 -Pacing $false -PacingLimit 1000 -PacingWindow 3600

        $result.MaxRetry | Should -Be 0
        $result.RetryDelay | Should -Be 180
        $result.RetriesTimeLimit.TotalSeconds | Should -Be 86400
        $result.ClientTimeout.TotalSeconds | Should -Be 1
        $result.Pacing | Should -BeFalse
        $result.PacingLimit | Should -Be 1000
        $result.PacingWindow.TotalSeconds | Should -Be 3600
    }

    It 'rejects <Name> <Value> naming the value and the range' -ForEach @(
        @{ Name = 'MaxRetry'; Value = -1; Bound = '0' }
        @{ Name = 'MaxRetry'; Value = 11; Bound = '10' }
        @{ Name = 'RetryDelay'; Value = -1; Bound = '0' }
        @{ Name = 'RetryDelay'; Value = 181; Bound = '180' }
        @{ Name = 'RetriesTimeLimit'; Value = -5; Bound = '0' }
        @{ Name = 'RetriesTimeLimit'; Value = 86401; Bound = '86400' }
        @{ Name = 'ClientTimeout'; Value = 0; Bound = '1' }
        @{ Name = 'ClientTimeout'; Value = 86401; Bound = '86400' }
        @{ Name = 'PacingLimit'; Value = 0; Bound = '1' }
        @{ Name = 'PacingLimit'; Value = 1001; Bound = '1000' }
        @{ Name = 'PacingWindow'; Value = 0; Bound = '1' }
        @{ Name = 'PacingWindow'; Value = 3601; Bound = '3600' }
    ) {
        $before = Get-MgRequestContext
        $arguments = @{ $Name = $Value }

        $failure = { Set-MgRequestContext @arguments } | Should -Throw -PassThru

        $failure.Exception.Message | Should -BeLike "*'$Name'*"
        $failure.Exception.Message | Should -BeLike "*$Value*"
        $failure.Exception.Message | Should -BeLike "*$Bound*"
        $failure.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        Get-MgRequestContext | Should -Be $before -Because 'a rejected value changes nothing'
    }

    It 'rejects a value that is not a number' {
        { Set-MgRequestContext -MaxRetry 'many' } | Should -Throw -ExpectedMessage "*MaxRetry*many*"
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-MgRequestContext

        $result = Set-MgRequestContext -MaxRetry 7 -WhatIf

        $result | Should -BeNullOrEmpty
        (Get-MgRequestContext).MaxRetry | Should -Be 3
        Get-MgRequestContext | Should -Be $before
    }

    It 'returns the current settings without parameters' {
        $before = Get-MgRequestContext

        Set-MgRequestContext | Should -Be $before
    }

    It 'shares the settings with every runspace of the process' {
        $runspace = New-TestModuleRunspace
        $powershell = [powershell]::Create()
        $powershell.Runspace = $runspace
        try {
            $null = $powershell.AddScript('$null = Set-MgRequestContext -MaxRetry 9 -PacingLimit 2; (Get-MgRequestContext).RetryDelay')
            $output = $powershell.Invoke()

            $output[0] | Should -Be 3
            (Get-MgRequestContext).MaxRetry | Should -Be 9
            (Get-MgRequestContext).PacingLimit | Should -Be 2
        }
        finally {
            $powershell.Dispose()
            $runspace.Dispose()
        }
    }

    It 'has help for every parameter' {
        $help = Get-Help Set-MgRequestContext -Full

        $help.Synopsis | Should -Not -BeNullOrEmpty
        foreach ($name in 'MaxRetry', 'RetryDelay', 'RetriesTimeLimit', 'ClientTimeout', 'Pacing', 'PacingLimit', 'PacingWindow') {
            $parameter = $help.parameters.parameter | Where-Object name -eq $name
            ($parameter.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
        @($help.examples.example).Count | Should -BeGreaterThan 1
    }
}
