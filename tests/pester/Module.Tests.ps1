# Tests of the module as a whole: the manifest's exports, the built folder's files, and the warning when
# Microsoft's Graph modules with the same command names are loaded.

BeforeAll {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force

    $manifestPath = Get-TestModuleManifest
    $moduleFolder = Get-TestModuleFolder
    $manifest = Import-PowerShellDataFile -Path $manifestPath
    $sourceFolder = [System.IO.Path]::Combine((Get-TestRepositoryRoot), 'powershell', 'MgProvisioning')

    # Names of the functions that the files in Public/ define, read from their syntax trees.
    $publicFunctions = foreach ($file in Get-ChildItem -Path ([System.IO.Path]::Combine($sourceFolder, 'Public')) -Filter '*.ps1') {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref] $null, [ref] $null)
        $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false).Name
    }
    $publicFileNames = @(Get-ChildItem -Path ([System.IO.Path]::Combine($sourceFolder, 'Public')) -Filter '*.ps1').BaseName

    # Names of the provisionOnDemand commands that build.ps1 writes from the one template.
    $templateData = Import-PowerShellDataFile -Path ([System.IO.Path]::Combine($sourceFolder, 'Templates', 'SynchronizationJobOnDemand.psd1'))
    $templateFunctions = @($templateData.Commands.Command)

    Import-Module -Name $manifestPath -Force -ErrorAction Stop
    $module = Get-Module -Name 'MgProvisioning'
}

Describe 'MgProvisioning module' {
    Context 'When reading the manifest' {
        It 'passes Test-ModuleManifest' {
            { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
        }

        It 'lists <Key> without wildcards' -ForEach @(
            @{ Key = 'FunctionsToExport'; Reason = 'a wildcard makes command discovery load the module' }
            @{ Key = 'CmdletsToExport'; Reason = 'the module has no compiled cmdlets' }
            @{ Key = 'VariablesToExport'; Reason = 'the module exports no variables' }
            @{ Key = 'AliasesToExport'; Reason = 'the module exports no aliases' }
        ) {
            $manifest.ContainsKey($Key) | Should -BeTrue -Because 'an absent key means every item'
            foreach ($entry in @($manifest[$Key])) {
                [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($entry) | Should -BeFalse -Because "$Key lists '$entry'"
            }
        }

        It 'exports exactly the functions in Public/ and the template' {
            @($manifest.FunctionsToExport | Sort-Object) | Should -Be @(@($publicFunctions) + $templateFunctions | Sort-Object)
        }

        It 'defines every template command in the built module' {
            foreach ($name in $templateFunctions) {
                $module.ExportedFunctions.ContainsKey($name) | Should -BeTrue -Because "the template lists $name"
            }
        }

        It 'has one file per public function, named after it' {
            @($publicFileNames | Sort-Object) | Should -Be @($publicFunctions | Sort-Object)
        }

        It 'exports the listed functions after import' {
            @($module.ExportedFunctions.Keys | Sort-Object) | Should -Be @($manifest.FunctionsToExport | Sort-Object)
        }

        It 'keeps private functions private' {
            $privateFunctions = foreach ($file in Get-ChildItem -Path ([System.IO.Path]::Combine($sourceFolder, 'Private')) -Filter '*.ps1') {
                $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref] $null, [ref] $null)
                $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false).Name
            }

            foreach ($name in $privateFunctions) {
                $module.ExportedFunctions.Keys | Should -Not -Contain $name
            }
        }
    }

    Context 'When looking at the built module folder' {
        It 'holds the interop assembly' {
            [System.IO.File]::Exists([System.IO.Path]::Combine($moduleFolder, 'MgProvisioning.Interop.dll')) | Should -BeTrue
        }

        It 'holds the native library for this platform' {
            $fileName = if ($IsWindows) { 'mg_provisioning.dll' } elseif ($IsMacOS) { 'libmg_provisioning.dylib' } else { 'libmg_provisioning.so' }
            $path = [System.IO.Path]::Combine($moduleFolder, 'runtimes', (Get-TestRuntimeIdentifier), 'native', $fileName)

            [System.IO.File]::Exists($path) | Should -BeTrue -Because "the loader looks for $path"
        }
    }

    Context 'When Microsoft''s Graph modules are loaded first' {
        It 'writes one warning naming the commands that now resolve to MgProvisioning' {
            $script = @'
New-Module -Name 'Microsoft.Graph.Authentication' -ScriptBlock { function Connect-MgGraph { } } | Import-Module
New-Module -Name 'Microsoft.Graph.Beta.Applications' -ScriptBlock { function New-MgBetaApplicationSynchronizationJobOnDemand { } } | Import-Module
Import-Module -Name $env:MGPROVISIONING_CHILD_MANIFEST -Force
'@
            $child = Invoke-TestChildSession -Script $script

            $warnings = @($child.Summary.Records | Where-Object { $_.Kind -eq 'Warning' })
            $warnings.Count | Should -Be 1 -Because "standard error: $($child.StandardError)"
            $warnings[0].Text | Should -Match 'Microsoft\.Graph\.Authentication'
            $warnings[0].Text | Should -Match 'Microsoft\.Graph\.Beta\.Applications'
            $warnings[0].Text | Should -Match 'Connect-MgGraph'
            $warnings[0].Text | Should -Match 'New-MgBetaApplicationSynchronizationJobOnDemand'
            $warnings[0].Text | Should -Match 'MgProvisioning\\' -Because 'the warning shows the module-qualified name'
        }

        It 'writes no warning without them' {
            $child = Invoke-TestChildSession -Script 'Import-Module -Name $env:MGPROVISIONING_CHILD_MANIFEST -Force'

            @($child.Summary.Records | Where-Object { $_.Kind -eq 'Warning' }).Count | Should -Be 0
            $child.Summary.Terminating | Should -BeNullOrEmpty
        }
    }
}
