# Root module. build.ps1 writes out/MgProvisioning/MgProvisioning.psm1 from this file, replacing the region below
# with the text of every Private/*.ps1 and Public/*.ps1 file and with the provisionOnDemand commands written from
# Templates/, so that an import parses one file. Import the built module in out/MgProvisioning: only that folder
# holds the interop assembly, the native library and the commands made from the template.
#region Function files
foreach ($folder in 'Private', 'Public') {
    foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, $folder), '*.ps1')) {
        . $file
    }
}
#endregion Function files

# Get-Module alone keeps the import fast when none of these modules is loaded, which is the usual case.
if (Get-Module -Name Microsoft.Graph.Authentication, Microsoft.Graph.Beta.Applications, Microsoft.Graph.Applications) {
    Write-CommandConflictWarning
}
