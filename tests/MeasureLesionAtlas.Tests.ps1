# Measure-Lesion against atlases in template space (issue 13): atlases and cortex masks on another grid of the
# masks' world (mricron-data's AAL on ch2's 181 x 217 x 181 grid, Harvard-Oxford and JHU on FSL's 182 x 218 x 182),
# masks in a scan's native space through -TransformPath, the sample's location column, and bad input.
#
# Expected values were computed once with Debian's python3 + nibabel 5.0 (the script, in short):
#   ch2 = nib.load('ch2.nii.gz'); w = apply_affine(ch2.affine, every voxel index)
#   ball = voxels with |w - centre| <= radius
#   label(atlas, p) = data[floor(inv(atlas.affine) @ p + 0.5 + 1e-6)] (0 outside the grid), counted over the ball
# giving:
#   ball (-25, 4, 2) r 5:      515 voxels; AAL 73 (Putamen_L) 420, 75 (Pallidum_L) 95; HO 0 everywhere
#   ball (-21, -13, 8) r 3:    123 voxels; JHU 19 122, 0 1; HO 0 everywhere
#   ball (-20, -60, -40) r 5:  515 voxels; AAL 103 (Cerebelum_8_L) 456, 0 59; HO 0 everywhere
# mricron-data's JHU file names its lateral labels mirrored against its own sform: value 19
# (Posterior_limb_of_internal_capsule_R in its .txt) has its centroid at x = -21.5 mm (nibabel). Atlas.Psm
# follows the sform, as everywhere, so the left internal capsule gets that file's "_R" name.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:T = '/usr/share/mricron/templates'
    $script:Why = Get-PeerSkipReason mricron-data -File aal.nii.gz, aal.nii.txt, ch2.nii.gz, HarvardOxford-cort-maxprob-thr0-1mm.nii.gz,
        JHU-WhiteMatter-labels-1mm.nii.gz, JHU-WhiteMatter-labels-1mm.nii.txt

    function script:Write-Image($Volume, [string] $Path) { [Atlas.Core.Nifti.NiftiWriter]::Write($Volume, $Path, $null) }

    function script:New-Ball([string] $Path, $Volume, [double[]] $Centre, [double] $Radius) {
        # A ball of voxels whose centres lie within -Radius mm of -Centre (world mm), on the grid of -Volume.
        $g = $Volume.Grid
        $c = $g.WorldToVoxel($Centre[0], $Centre[1], $Centre[2])
        $m = [byte[]]::new($g.VoxelCount)
        $r = [int][math]::Ceiling($Radius) + 1
        for ($k = [int]$c[2] - $r; $k -le [int]$c[2] + $r; $k++) { for ($j = [int]$c[1] - $r; $j -le [int]$c[1] + $r; $j++) { for ($i = [int]$c[0] - $r; $i -le [int]$c[0] + $r; $i++) {
                    $w = $g.VoxelToWorld($i, $j, $k)
                    $d = ($w[0] - $Centre[0]) * ($w[0] - $Centre[0]) + ($w[1] - $Centre[1]) * ($w[1] - $Centre[1]) + ($w[2] - $Centre[2]) * ($w[2] - $Centre[2])
                    if ($d -le $Radius * $Radius) { $m[$g.Index($i, $j, $k)] = 1 }
                } } }
        Write-Image ([Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $m, $Volume.Header)) $Path
        $Path
    }

    if (-not $script:Why) {
        $script:Aal = Join-Path $script:T 'aal.nii.gz'
        $script:AalNames = Join-Path $script:T 'aal.nii.txt'
        $script:Jhu = Join-Path $script:T 'JHU-WhiteMatter-labels-1mm.nii.gz'
        $script:JhuNames = Join-Path $script:T 'JHU-WhiteMatter-labels-1mm.nii.txt'
        $ch2 = Import-AtlasVolume -Path (Join-Path $script:T 'ch2.nii.gz')
        $script:Ch2Grid = $ch2.Grid
        # Cortex: any Harvard-Oxford cortical label (its own 182 grid, stored LAS). Infratentorial: AAL's cerebellum and vermis (91-116).
        $ho = Import-AtlasVolume -Path (Join-Path $script:T 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz')
        $script:Cortex = Join-Path $TestDrive 'ho-cortex.nii.gz'
        Write-Image ([Atlas.Core.Volumes.AtlasVolume]::FromMask($ho.Grid, $ho.ToMask(0), $ho.Header)) $script:Cortex
        $aal = Import-AtlasVolume -Path $script:Aal
        $script:Cerebellum = Join-Path $TestDrive 'aal-cerebellum.nii.gz'
        Write-Image ([Atlas.Core.Volumes.AtlasVolume]::FromMask($aal.Grid, $aal.ToLabelRangeMask(91, 116, 0), $aal.Header)) $script:Cerebellum
        $script:Putamen = New-Ball (Join-Path $TestDrive 'putamen.nii.gz') $ch2 @(-25, 4, 2) 5
        $script:Capsule = New-Ball (Join-Path $TestDrive 'capsule.nii.gz') $ch2 @(-21, -13, 8) 3
        $script:Cerebellar = New-Ball (Join-Path $TestDrive 'cerebellar.nii.gz') $ch2 @(-20, -60, -40) 5
    }
}

Describe 'Measure-Lesion: atlases on another grid of the same world' {
    It 'names the AAL regions of a putamen ball, and Harvard-Oxford cortex on its own grid leaves it Subcortical' {
        if ($script:Why) { Set-ItResult -Skipped -Because $script:Why; return }
        $r = Measure-Lesion -Path $script:Putamen -AtlasPath $script:Aal -LabelPath $script:AalNames -CortexMask $script:Cortex
        $r.VoxelCount | Should -Be 515
        $r.PrimaryRegion | Should -Be 'Putamen_L'
        $r.PrimaryRegionFraction | Should -Be (420 / 515)
        $r.Location | Should -Be 'Subcortical'
        $r.Hemisphere | Should -Be 'Left'
        $r.TransformPath | Should -BeNullOrEmpty
        $rows = @(Measure-Lesion -Path $script:Putamen -AtlasPath $script:Aal -LabelPath $script:AalNames -ExpandRegions)
        ($rows | ForEach-Object { '{0}:{1}' -f $_.Label, $_.VoxelCount }) | Should -Be @('73:420', '75:95')
    }

    It 'finds a ball in the internal capsule in JHU (182 grid) and Subcortical against Harvard-Oxford cortex' {
        if ($script:Why) { Set-ItResult -Skipped -Because $script:Why; return }
        $r = Measure-Lesion -Path $script:Capsule -AtlasPath $script:Jhu -LabelPath $script:JhuNames -CortexMask $script:Cortex
        $r.VoxelCount | Should -Be 123
        $r.PrimaryRegionLabel | Should -Be 19
        $r.PrimaryRegion | Should -BeLike '*internal_capsule*'
        $r.PrimaryRegionFraction | Should -Be (122 / 123)
        $r.Location | Should -Be 'Subcortical'
    }

    It 'calls a cerebellar ball Other with an AAL-derived cerebellum as -InfratentorialMask' {
        if ($script:Why) { Set-ItResult -Skipped -Because $script:Why; return }
        $r = Measure-Lesion -Path $script:Cerebellar -AtlasPath $script:Aal -LabelPath $script:AalNames -CortexMask $script:Cortex -InfratentorialMask $script:Cerebellum
        $r.PrimaryRegion | Should -Be 'Cerebelum_8_L'
        $r.GetRegions()[0].VoxelCount | Should -Be 456
        $r.Location | Should -Be 'Other'
    }
}

Describe 'Measure-Lesion -TransformPath: a mask in native space against a template-space atlas' {
    BeforeAll {
        if ($script:Why) { return }
        # Template (fixed) -> native (moving): 12 degrees about z, then a shift of (10, -6, 4) mm; written as
        # registration writes it (ITK text) and as FLIRT would (.mat, with the two grids).
        $a = [math]::PI * 12 / 180
        $m = [double[,]]::new(4, 4)
        $m[0, 0] = [math]::Cos($a); $m[0, 1] = - [math]::Sin($a); $m[1, 0] = [math]::Sin($a); $m[1, 1] = [math]::Cos($a); $m[2, 2] = 1; $m[3, 3] = 1
        $m[0, 3] = 10; $m[1, 3] = -6; $m[2, 3] = 4
        $script:Tx = [Atlas.Core.Spatial.AffineTransform]::new($m, $null)
        # The native grid: 1.25 x 1.25 x 1.5 mm (exact in float32 headers), stored LAS.
        $na = [double[,]]::new(4, 4)
        $na[0, 0] = -1.25; $na[1, 1] = 1.25; $na[2, 2] = 1.5; $na[3, 3] = 1; $na[0, 3] = 100; $na[1, 3] = -130; $na[2, 3] = -80
        $script:NativeGrid = [Atlas.Core.Volumes.Grid]::new(168, 190, 120, $null, $na)
        $script:ItkFile = Join-Path $TestDrive 'template-to-native.txt'
        $script:FslFile = Join-Path $TestDrive 'template-to-native.mat'
        [Atlas.Core.Spatial.TransformFiles]::Write($script:ItkFile, $script:Tx, 'Itk', $null, $null)
        [Atlas.Core.Spatial.TransformFiles]::Write($script:FslFile, $script:Tx, 'Fsl', $script:Ch2Grid, $script:NativeGrid)
        # The ball carried into native space: the native value at y is the template ball at T^-1(y).
        $script:NativeBall = Join-Path $TestDrive 'native-putamen.nii.gz'
        $null = Invoke-AtlasResample -Path $script:Putamen -Reference $script:NativeGrid -TransformPath $script:ItkFile -Inverse -Interpolation Nearest -OutputPath $script:NativeBall
    }

    It 'gives the template-space region, location, hemisphere and centroid of the moved ball' {
        if ($script:Why) { Set-ItResult -Skipped -Because $script:Why; return }
        $r = Measure-Lesion -Path $script:NativeBall -TransformPath $script:ItkFile -AtlasPath $script:Aal -LabelPath $script:AalNames -CortexMask $script:Cortex
        $r.PrimaryRegion | Should -Be 'Putamen_L'
        $r.Location | Should -Be 'Subcortical'
        $r.Hemisphere | Should -Be 'Left'
        $r.TransformPath | Should -Be $script:ItkFile
        # Two nearest-neighbour steps move the centroid by a fraction of a voxel.
        [math]::Abs($r.CentroidXMm + 25) | Should -BeLessThan 0.6
        [math]::Abs($r.CentroidYMm - 4) | Should -BeLessThan 0.6
        [math]::Abs($r.CentroidZMm - 2) | Should -BeLessThan 0.6
        $r.PrimaryRegionFraction | Should -BeGreaterThan 0.7
        # Without the transform the native ball's world lies elsewhere: T(-25, 4, 2) = (-15.29, -7.29, 6).
        $n = Measure-Lesion -Path $script:NativeBall
        [math]::Abs($n.CentroidXMm + 15.29) | Should -BeLessThan 0.6
    }

    It 'reads an FSL .mat with the template named by -TemplatePath, to the same record' {
        if ($script:Why) { Set-ItResult -Skipped -Because $script:Why; return }
        $itk = Measure-Lesion -Path $script:NativeBall -TransformPath $script:ItkFile -AtlasPath $script:Aal -CortexMask $script:Cortex
        $fsl = Measure-Lesion -Path $script:NativeBall -TransformPath $script:FslFile -TemplatePath (Join-Path $script:T 'ch2.nii.gz') -AtlasPath $script:Aal -CortexMask $script:Cortex
        $fsl.PrimaryRegionLabel | Should -Be $itk.PrimaryRegionLabel
        $fsl.PrimaryRegionFraction | Should -Be $itk.PrimaryRegionFraction
        [math]::Round($fsl.CentroidXMm, 6) | Should -Be ([math]::Round($itk.CentroidXMm, 6))
        $err = $null
        try { Measure-Lesion -Path $script:NativeBall -TransformPath $script:FslFile -AtlasPath $script:Aal -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'TransformNeedsImages*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match '-TemplatePath'
    }
}

Describe 'Measure-Lesion -TransformPath: the sample''s location column' {
    It 'agrees with Primary Stroke Location and the hemisphere on the standardization sample, through the truth transforms' {
        # The template is noise-free: its cortex voxels hold exactly 480 (New-AtlasSampleDataset's phantom), so the
        # template's cortex mask is that value. Scans fold their cortex their own way, so agreement is the phantom's, not by construction.
        $ds = New-AtlasSampleDataset -Destination (Join-Path $TestDrive 'std') -SubjectCount 4 -Standardization
        $t = Import-AtlasVolume -Path $ds.TemplatePath
        $cx = Join-Path $TestDrive 'template-cortex.nii.gz'
        Write-Image ([Atlas.Core.Volumes.AtlasVolume]::FromMask($t.Grid, $t.ToLabelMask(480, 0), $t.Header)) $cx
        $checked = 0
        foreach ($s in Get-AtlasSubject -Path $ds.Root) {
            $truth = Join-Path $s.Directory ($s.ScanId + '_truth_from-template_to-native_affine.txt')
            $r = $s | Measure-Lesion -TransformPath $truth -CortexMask $cx | Where-Object Rank -EQ 1
            $r.Location | Should -Be $s.PrimaryStrokeLocation -Because $s.ScanId
            $r.Hemisphere | Should -Be $s.Hemisphere -Because $s.ScanId
            $r.TransformPath | Should -Be $truth
            $checked++
        }
        $checked | Should -BeGreaterThan 3
    }
}

Describe 'Measure-Lesion -TransformPath: bad input' {
    BeforeAll {
        $script:Mask = Join-Path $TestDrive 'bad/mask.nii.gz'
        $null = New-TestMask -Path $script:Mask -Box 4, 6, 4, 6, 4, 6
        $script:Cx = Join-Path $TestDrive 'bad/cortex.nii.gz'
        $null = New-TestMask -Path $script:Cx -Box 5, 5, 5, 5, 5, 5
    }

    It 'names an unreadable transform file (InvalidData), with no stack trace' {
        $bad = Join-Path $TestDrive 'bad/notes.txt'
        Set-Content -LiteralPath $bad -Value 'this is not a transform'
        $err = $null
        try { Measure-Lesion -Path $script:Mask -TransformPath $bad -CortexMask $script:Cx -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $bad
        $err.FullyQualifiedErrorId | Should -BeLike 'BadTransform*'
        "$err" | Should -Match ([regex]::Escape($bad))
        "$err" | Should -Not -Match '\bat Atlas\.'
        # An image given as the transform is no transform either.
        $err = $null
        try { Measure-Lesion -Path $script:Mask -TransformPath $script:Cx -CortexMask $script:Cx -ErrorAction Stop } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $script:Cx
    }

    It 'names a missing transform file (ObjectNotFound)' {
        $missing = Join-Path $TestDrive 'bad/missing.txt'
        $err = $null
        try { Measure-Lesion -Path $script:Mask -TransformPath $missing -CortexMask $script:Cx -ErrorAction Stop } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be $missing
    }

    It 'refuses -TransformPath without -AtlasPath or -CortexMask (InvalidArgument)' {
        $tx = Join-Path $TestDrive 'bad/identity.txt'
        [Atlas.Core.Spatial.TransformFiles]::Write($tx, [Atlas.Core.Spatial.AffineTransform]::Identity, 'Itk', $null, $null)
        $err = $null
        try { Measure-Lesion -Path $script:Mask -TransformPath $tx -ErrorAction Stop } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match '-AtlasPath'
        # With one, the identity changes nothing.
        $r = Measure-Lesion -Path $script:Mask -TransformPath $tx -CortexMask $script:Cx
        $r.Location | Should -Be 'Cortical'
        $r.CentroidXMm | Should -Be 5
    }

    It 'never takes -TransformPath from a piped object''s property' {
        # ConvertTo-AtlasStandardSpace's outputs carry a TransformPath, but their masks are already in template space.
        $r = Get-Item -LiteralPath $script:Mask | Add-Member -NotePropertyName TransformPath -NotePropertyValue (Join-Path $TestDrive 'nope.txt') -PassThru |
            Measure-Lesion -CortexMask $script:Cx -ErrorAction Stop
        $r.TransformPath | Should -BeNullOrEmpty
        (Get-Command Measure-Lesion).Parameters['TransformPath'].Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Not -Contain $true
    }
}
