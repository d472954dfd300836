@{
    RootModule           = 'Atlas.Psm.dll'
    # Stamped by build.ps1 from src/Directory.Build.props (the one place the version lives).
    ModuleVersion        = '0.0.0'
    GUID                 = '6b0f6c8e-3a1d-4c57-9b7e-2f4f3c5a9e11'
    Author               = 'Atlas.Psm contributors'
    CompanyName          = 'Atlas.Psm'
    Copyright            = '(c) Atlas.Psm contributors. MIT licence.'
    Description          = 'Stroke-lesion MRI datasets shaped like ATLAS (Anatomical Tracings of Lesions After Stroke): NIfTI and MRIcron VOI I/O, ATLAS layouts as subject objects, lesion smoothing, components, fill, reports, overlap maps, agreement metrics, BIDS conversion and QC pictures.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    # Loaded before the type data, which names a type of each (AtlasSubject and its property adapter).
    RequiredAssemblies   = @('Atlas.Core.dll', 'Atlas.Psm.dll')
    FormatsToProcess     = @('Atlas.Psm.format.ps1xml')
    TypesToProcess       = @('Atlas.Psm.types.ps1xml')
    CmdletsToExport      = @(
        'Import-AtlasVolume'
        'Export-AtlasVolume'
        'Get-AtlasSubject'
        'New-AtlasSampleDataset'
        'Test-AtlasDataset'
        'Invoke-LesionSmooth'
        'Get-LesionComponent'
        'Merge-AtlasLesion'
        'Invoke-LesionFill'
        'Invoke-AtlasRegistration'
        'Invoke-AtlasDeface'
        'ConvertTo-AtlasStandardSpace'
        'Invoke-LesionWhiteMatterCorrection'
        'Measure-Lesion'
        'New-LesionOverlapMap'
        'Merge-LesionOverlapMap'
        'Measure-LesionOverlap'
        'Measure-RaterReliability'
        'Convert-AtlasToBids'
        'Export-AtlasSnapshot'
        'New-AtlasQcReport'
        'Measure-AtlasDataset'
        'ConvertTo-AtlasCanonical'
        'Invoke-AtlasResample'
        'Import-AtlasTransform'
        'Export-AtlasTransform'
        'Invoke-AtlasBiasCorrection'
        'Invoke-AtlasIntensityNormalization'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('MRI', 'NIfTI', 'stroke', 'lesion', 'ATLAS', 'neuroimaging', 'BIDS')
            ProjectUri = ''
        }
    }
}
