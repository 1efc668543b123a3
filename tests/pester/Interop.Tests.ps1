# Meta-tests of the boundary between PowerShell and the native library: the C header and the P/Invoke
# declarations list the same functions, and importing the module loads no utility modules.

BeforeDiscovery {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    $headerFunctions = Get-TestHeaderFunction
    $importedFunctions = @(Get-TestDllImportEntryPoint | Sort-Object -Unique)
}

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    $headerFunctions = Get-TestHeaderFunction
    $dllImports = @(Get-TestDllImportEntryPoint)
    $importedFunctions = @($dllImports | Sort-Object -Unique)
}

Describe 'Native interop declarations' {
    It 'finds functions in the C header' {
        $headerFunctions.Count | Should -BeGreaterThan 0
    }

    It 'finds DllImport declarations in Interop/*.cs' {
        $dllImports.Count | Should -BeGreaterThan 0
    }

    It 'declares each imported function once' {
        $dllImports.Count | Should -Be $importedFunctions.Count -Because "declared: $($dllImports -join ', ')"
    }

    It 'imports <_>, which the header declares' -ForEach $headerFunctions {
        $importedFunctions | Should -Contain $_
    }

    It 'finds <_> in the header, which a DllImport names' -ForEach $importedFunctions {
        $headerFunctions | Should -Contain $_
    }
}

Describe 'Module import' {
    Context 'When importing into a fresh pwsh' {
        BeforeAll {
            $utilityModules = @('Microsoft.PowerShell.Utility', 'Microsoft.PowerShell.Management')
            $pwsh = Get-TestPwshPath
            $manifest = Get-TestModuleManifest

            $baseline = @(& $pwsh -NoProfile -NonInteractive -Command '(Get-Module).Name')
            $afterImport = @(& $pwsh -NoProfile -NonInteractive -Command "Import-Module -Name '$($manifest.Replace("'", "''"))' -ErrorAction Stop; '@@MODULES@@'; (Get-Module).Name")
        }

        It 'starts without the utility modules' {
            foreach ($name in $utilityModules) {
                $baseline | Should -Not -Contain $name -Because 'the check below means nothing when pwsh loads them at start'
            }
        }

        It 'loads MgProvisioning' {
            $afterImport | Should -Contain '@@MODULES@@' -Because "the import should succeed: $($afterImport -join ' ')"
            $afterImport | Should -Contain 'MgProvisioning'
        }

        It 'does not load <_>' -ForEach @('Microsoft.PowerShell.Utility', 'Microsoft.PowerShell.Management') {
            $afterImport | Should -Not -Contain $_
        }
    }
}
