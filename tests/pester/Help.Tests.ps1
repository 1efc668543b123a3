# Meta-tests of the help: every exported command has a synopsis, a description, an example and a description
# of each of its own parameters (common parameters excluded).

BeforeDiscovery {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop

    $excluded = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $commands = foreach ($name in (Import-PowerShellDataFile -Path (Get-TestModuleManifest)).FunctionsToExport) {
        $parameters = @((Get-Command -Name $name).Parameters.Keys | Where-Object { $_ -notin $excluded } | Sort-Object)
        @{ Name = $name; Parameters = $parameters }
    }
}

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    Import-Module -Name (Get-TestModuleManifest) -Force -ErrorAction Stop
}

Describe 'Help of <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help -Name $Name -Full
    }

    It 'has a synopsis' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without comment-based help, PowerShell makes the syntax line the synopsis.
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
    }

    It 'has a description' {
        ($help.Description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        $examples = @($help.Examples.Example)
        $examples.Count | Should -BeGreaterThan 0
        $examples[0].Code.Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes -<_>' -ForEach $Parameters {
        $parameterName = $_
        $parameterHelp = @($help.Parameters.Parameter | Where-Object { $_.Name -eq $parameterName })

        $parameterHelp.Count | Should -Be 1
        ($parameterHelp[0].Description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }
}
