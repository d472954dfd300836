# Export-AtlasSnapshot and New-AtlasQcReport: picture sizes, overlay pixels, orientation letters on
# an LAS-stored image, subjects, -WhatIf/-Force, errors, and the QC page opened in headless Chromium.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-AtlasModuleUnderTest
    $script:Dir = Join-Path $TestDrive 'render'
    New-Item -ItemType Directory -Path $script:Dir | Out-Null

    function New-Affine([double] $sx, [double] $sy, [double] $sz, [double] $ox, [double] $oy, [double] $oz) {
        $a = [double[,]]::new(4, 4)
        $a[0, 0] = $sx; $a[1, 1] = $sy; $a[2, 2] = $sz; $a[3, 3] = 1
        $a[0, 3] = $ox; $a[1, 3] = $oy; $a[2, 3] = $oz
        return , $a
    }

    # A 40 x 50 x 30 image of 1 mm voxels (value 100 + i + 2j + 3k) and a box mask
    # i 12..17, j 20..30, k 13..17, stored RAS (x = i - 20) or LAS (x = 19 - i: the same world image).
    function New-TestImages([string] $Folder, [switch] $Las) {
        New-Item -ItemType Directory -Force -Path $Folder | Out-Null
        $a = if ($Las) { New-Affine -1 1 1 19 -25 -15 } else { New-Affine 1 1 1 -20 -25 -15 }
        $g = [Atlas.Core.Volumes.Grid]::new(40, 50, 30, $null, $a)
        $t1Path = Join-Path $Folder 't1.nii.gz'
        $maskPath = Join-Path $Folder 't1_LesionSmooth.nii.gz'
        if ($Las) {
            # Stored LAS, voxel i is RAS i 39 - i: the ramp and the box mirrored along i.
            New-TestT1 -Path $t1Path -Grid $g -Ramp 139, -1, 2, 3
            New-TestMask -Path $maskPath -Grid $g -Box 22, 27, 20, 30, 13, 17
        } else {
            New-TestT1 -Path $t1Path -Grid $g
            New-TestMask -Path $maskPath -Grid $g -Box 12, 17, 20, 30, 13, 17
        }
        [pscustomobject]@{ T1 = $t1Path; Mask = $maskPath }
    }

    function Read-Png([string] $Path) { [Atlas.Core.Rendering.PngCodec]::Read($Path) }

    # Width and height straight from the PNG's IHDR chunk (bytes 16..23, big-endian): no decoder involved.
    function Get-PngSize([string] $Path) {
        $b = [IO.File]::ReadAllBytes($Path)
        $w = ([int]$b[16] -shl 24) -bor ([int]$b[17] -shl 16) -bor ([int]$b[18] -shl 8) -bor [int]$b[19]
        $h = ([int]$b[20] -shl 24) -bor ([int]$b[21] -shl 16) -bor ([int]$b[22] -shl 8) -bor [int]$b[23]
        [pscustomobject]@{ Width = $w; Height = $h }
    }

    function Test-Coloured([uint32] $p) {
        $r = ($p -shr 16) -band 255; $g = ($p -shr 8) -band 255; $b = $p -band 255
        return ($r -ne $g) -or ($g -ne $b)
    }

    # The 5x7 letters the renderer draws (BitmapFont), read back from white pixels at a glyph position.
    function Read-Letter($Image, [int] $X0, [int] $Y0, [int] $Scale) {
        $glyphs = @{
            'L' = @('#    ', '#    ', '#    ', '#    ', '#    ', '#    ', '#####')
            'R' = @('#### ', '#   #', '#   #', '#### ', '# #  ', '#  # ', '#   #')
            'A' = @(' ### ', '#   #', '#   #', '#####', '#   #', '#   #', '#   #')
            'P' = @('#### ', '#   #', '#   #', '#### ', '#    ', '#    ', '#    ')
        }
        foreach ($letter in $glyphs.Keys) {
            $ok = $true
            for ($y = 0; $y -lt 7 -and $ok; $y++) {
                for ($x = 0; $x -lt 5 -and $ok; $x++) {
                    $p = $Image.Pixels[($X0 + $x * $Scale + [int]($Scale / 2)) + $Image.Width * ($Y0 + $y * $Scale + [int]($Scale / 2))]
                    $white = ($p -band 0xFFFFFF) -eq 0xFFFFFF
                    if ($white -ne ($glyphs[$letter][$y][$x] -eq '#')) { $ok = $false }
                }
            }
            if ($ok) { return $letter }
        }
        return '?'
    }

    $script:Ras = New-TestImages (Join-Path $script:Dir 'ras')
    $script:Las = New-TestImages (Join-Path $script:Dir 'las') -Las
    $script:Chromium = '/usr/bin/chromium'
}

Describe 'Export-AtlasSnapshot' {
    It 'writes one pixel per millimetre on a 1 mm grid and describes the picture' {
        $out = Join-Path $script:Dir 'axial'
        $info = Export-AtlasSnapshot -Path $script:Ras.T1 -Plane Axial -Slice 15 -Destination $out
        $info | Should -BeOfType ([Atlas.Core.Rendering.SnapshotInfo])
        $info.Path | Should -Be (Join-Path $out 't1.png')
        $info.Slices | Should -Be 'z=0'        # voxel k = 15 is z = 15 - 15 mm
        $size = Get-PngSize $info.Path
        $size.Width | Should -Be 40
        $size.Height | Should -Be 50
        $info.WidthPx | Should -Be 40
    }

    It 'colours the pixels where the mask is and no other' {
        $info = Export-AtlasSnapshot -Path $script:Ras.T1 -Overlay $script:Ras.Mask -OverlayColor red -Opacity 0.5 -Plane Axial -Slice 15 -Destination (Join-Path $script:Dir 'overlay.png')
        $img = Read-Png $info.Path
        $count = 0
        for ($y = 0; $y -lt 50; $y++) {
            for ($x = 0; $x -lt 40; $x++) {
                # Column x shows voxel i = x, row y shows j = 49 - y (anterior at the top).
                $j = 49 - $y
                $expected = $x -ge 12 -and $x -le 17 -and $j -ge 20 -and $j -le 30
                $coloured = Test-Coloured $img.Pixels[$x + 40 * $y]
                if ($coloured -ne $expected) { throw "pixel ($x, $y): coloured=$coloured, mask=$expected" }
                if ($coloured) { $count++ }
            }
        }
        $count | Should -Be (6 * 11)
    }

    It 'draws an LAS-stored image exactly like its RAS copy, with L on the left and R on the right' {
        $a = Export-AtlasSnapshot -Path $script:Ras.T1 -Overlay $script:Ras.Mask -Plane Axial -Slice 15 -Destination (Join-Path $script:Dir 'ras.png')
        $b = Export-AtlasSnapshot -Path $script:Las.T1 -Overlay $script:Las.Mask -Plane Axial -Slice 15 -Destination (Join-Path $script:Dir 'las.png')
        (Import-AtlasVolume -Path $script:Las.T1 -HeaderOnly).Orientation | Should -Be 'LAS'
        $b.SourceOrientation | Should -Be 'LAS'
        $ia = Read-Png $a.Path; $ib = Read-Png $b.Path
        $ib.Width | Should -Be $ia.Width
        [Linq.Enumerable]::SequenceEqual[uint32]([uint32[]]$ia.Pixels, [uint32[]]$ib.Pixels) | Should -BeTrue
        # Letters: scale 1 on a 40 x 50 tile, 2 px from the edges, centred vertically.
        Read-Letter $ib 2 21 1 | Should -Be 'L'
        Read-Letter $ib (40 - 2 - 5) 21 1 | Should -Be 'R'
        $r = Export-AtlasSnapshot -Path $script:Las.T1 -Plane Axial -Slice 15 -Radiological -Destination (Join-Path $script:Dir 'las-radio.png')
        $ir = Read-Png $r.Path
        Read-Letter $ir 2 21 1 | Should -Be 'R'
        Read-Letter $ir (40 - 2 - 5) 21 1 | Should -Be 'L'
        $r.Convention | Should -Be 'Radiological'
    }

    It 'keeps square pixels on a 0.9 x 0.9 x 3 mm grid' {
        $a = New-Affine 0.9 0.9 3 0 0 0
        $g = [Atlas.Core.Volumes.Grid]::new(100, 100, 20, $null, $a)
        $v = [Atlas.Core.Volumes.AtlasVolume]::FromFloat32($g, [float[]]::new($g.VoxelCount), $null)
        $info = $v | Export-AtlasSnapshot -Plane Coronal -Destination (Join-Path $script:Dir 'aniso.png')
        # 90 mm wide / 0.9 = 100 px; 60 mm high / 0.9 = 66.7 -> 67 px.
        [math]::Round($info.PixelSizeMm, 9) | Should -Be 0.9
        (Get-PngSize $info.Path).Width | Should -Be 100
        (Get-PngSize $info.Path).Height | Should -Be 67
    }

    It 'makes a montage through the lesion and a heat map from a hashtable overlay' {
        $info = Export-AtlasSnapshot -Path $script:Ras.T1 -Overlay @{ Path = $script:Ras.Mask; Colormap = 'Heat'; Opacity = 1; Range = 0, 1 } -Plane Axial -Montage 4 -Destination (Join-Path $script:Dir 'montage.png')
        $info.SliceCount | Should -Be 4
        # k 13..17 = z -2..2: centres of four parts at -1.5, -0.5, 0.5, 1.5 -> the nearest slices (ties to the lower).
        $info.Slices | Should -Be 'z=-2 z=-1 z=0 z=1'
        (Get-PngSize $info.Path).Width | Should -Be (2 * 40 + 8)
        $img = Read-Png $info.Path
        # Mask value 1 is the top of the range: the heat colormap's white, drawn at opacity 1 (voxel i 14, j 25 of the first tile).
        ($img.Pixels[14 + 88 * (49 - 25)] -band 0xFFFFFF) | Should -Be 0xFFFFFF
    }

    It 'writes ScanId.png for subjects, skips an up-to-date picture, and honours -WhatIf and -Force' {
        $s = [Atlas.Core.Datasets.AtlasSubject]::new()
        $s.SubjectId = 'c0001s0001'; $s.ScanId = 'c0001s0001t01'; $s.T1Path = $script:Ras.T1
        $s.LesionMaskPaths = [string[]]@($script:Ras.Mask)
        $dest = Join-Path $script:Dir 'subjects'
        $null = [pscustomobject]$s | Export-AtlasSnapshot -Destination $dest -WhatIf
        Test-Path (Join-Path $dest 'c0001s0001t01.png') | Should -BeFalse
        $info = [pscustomobject]$s | Export-AtlasSnapshot -Destination $dest
        $info.Path | Should -Be (Join-Path $dest 'c0001s0001t01.png')
        $info.SubjectId | Should -Be 'c0001s0001'
        $info.OverlayCount | Should -Be 1
        # At the lesion centroid, voxel (14.5, 25, 15) = (-5.5, 0, 0) mm; x falls between two slices: the lower one.
        $info.Slices | Should -Be 'z=0 y=0 x=-6'
        (Read-Png $info.Path).CountColoured() | Should -BeGreaterThan 0
        # Up to date: not drawn again, but the record of the picture is still output.
        $before = (Get-Item $info.Path).LastWriteTimeUtc
        $again = $s | Export-AtlasSnapshot -Destination $dest
        (Get-Item $info.Path).LastWriteTimeUtc | Should -Be $before
        $again.Path | Should -Be $info.Path
        $again.Slices | Should -Be 'z=0 y=0 x=-6'
        $again.OverlayCount | Should -Be 1
        $forced = $s | Export-AtlasSnapshot -Destination $dest -Force
        $forced.Path | Should -Be $info.Path
    }

    It 'reports a missing file as a non-terminating error naming it and goes on' {
        $missing = Join-Path $script:Dir 'nope.nii.gz'
        $out = Export-AtlasSnapshot -LiteralPath $missing, $script:Ras.T1 -Destination (Join-Path $script:Dir 'errs') -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be $missing
    }

    It 'rejects a slice outside the image with the valid range' {
        { Export-AtlasSnapshot -Path $script:Ras.T1 -Plane Axial -Slice 30 -Destination (Join-Path $script:Dir 'bad') -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*outside 0..29*'
    }
}

Describe 'Tab completion' {
    It 'completes -Plane, -MaskKind and overlay colour names' {
        function Complete([string] $line) { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText }
        Complete 'Export-AtlasSnapshot -Plane ' | Sort-Object | Should -Be @('All', 'Axial', 'Coronal', 'Sagittal')
        Complete 'Export-AtlasSnapshot -MaskKind LesionS' | Should -Be @('LesionSmooth')
        Complete 'Export-AtlasSnapshot -OverlayColor cy' | Should -Be @('cyan')
        Complete 'New-AtlasQcReport -LesionSlice ' | Should -Be @('Centroid', 'LargestSection')
    }
}

Describe 'SkiaSharp native library in the module folder' {
    It 'ships libSkiaSharp under runtimes/RID/native for Linux, Windows and macOS' {
        $root = Split-Path -Parent (Get-Module Atlas.Psm).Path
        foreach ($f in 'runtimes/linux-x64/native/libSkiaSharp.so', 'runtimes/linux-arm64/native/libSkiaSharp.so',
            'runtimes/win-x64/native/libSkiaSharp.dll', 'runtimes/osx/native/libSkiaSharp.dylib') {
            Test-Path (Join-Path $root $f) | Should -BeTrue -Because "$f is needed on that platform"
        }
    }

    It 'draws a PNG in a fresh pwsh from a module folder with no copy beside the dll' {

        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'this checks the Linux native library lookup'; return }
        # The resolver (SkiaNativeLoader) must find runtimes/linux-x64/native/libSkiaSharp.so by itself.
        $root = Split-Path -Parent (Get-Module Atlas.Psm).Path
        $copy = Join-Path $TestDrive 'module-copy/Atlas.Psm'
        New-Item -ItemType Directory -Force -Path (Split-Path $copy) | Out-Null
        Copy-Item -Recurse $root $copy
        Remove-Item (Join-Path $copy 'libSkiaSharp.so') -ErrorAction SilentlyContinue
        $png = Join-Path $TestDrive 'fresh.png'
        $pwsh = (Get-Process -Id $PID).Path
        $script = "Import-Module '$copy/Atlas.Psm.psd1'; Export-AtlasSnapshot -Path '$($script:Ras.T1)' -Plane Axial -Destination '$png' | Out-Null"
        # Run as a dotnet tool, this process is dotnet itself: start the same pwsh.dll (independent of the current folder's tool manifest).
        $args2 = if ((Split-Path -Leaf $pwsh) -like 'dotnet*') { @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-Command', $script) } else { @('-NoProfile', '-NonInteractive', '-Command', $script) }
        $output = & $pwsh @args2 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        (Get-PngSize $png).Width | Should -Be 40
    }
}

Describe 'New-AtlasQcReport' {
    BeforeAll {
        $script:Subjects = foreach ($n in 1..3) {
            $s = [Atlas.Core.Datasets.AtlasSubject]::new()
            $s.SubjectId = "c000${n}s0001"; $s.ScanId = "c000${n}s0001t01"; $s.Cohort = 'Site1'
            $s.T1Path = $script:Ras.T1
            $s.LesionMaskPaths = [string[]]@($script:Ras.Mask)
            $s
        }
        $finding = [pscustomobject]@{ SubjectId = 'c0002s0001'; Severity = 'Error'; Check = 'MaskGrid'; Path = $script:Ras.Mask; Message = 'mask off the T1 grid' }
        $script:Report = $script:Subjects | New-AtlasQcReport -Destination (Join-Path $script:Dir 'qc') -Finding $finding -Title 'Test QC'
    }

    It 'writes one page with a row, a snapshot and the findings per subject' {
        $script:Report.Path | Should -Be (Join-Path $script:Dir 'qc/index.html')
        $script:Report.ScanCount | Should -Be 3
        $script:Report.SnapshotCount | Should -Be 3
        $script:Report.ErrorCount | Should -Be 1
        $html = Get-Content -Raw $script:Report.Path
        ([regex]::Matches($html, 'src="data:image/png;base64,')).Count | Should -Be 3
        $html | Should -Match 'mask off the T1 grid'
        # Box i 12..17 is x -8..-3: left; 6 x 11 x 5 voxels of 1 mm3 = 330 mm3.
        $html | Should -Match '>330<'
        $html | Should -Match '>Left<'
        $html | Should -Not -Match 'https?:'
    }

    It 'keeps an up-to-date page and still outputs its record, writes nothing with -WhatIf, rebuilds a stale one' {
        $dest = Join-Path $script:Dir 'qc-force/report.html'
        $null = $script:Subjects | New-AtlasQcReport -Destination $dest -NoChecks -WhatIf
        Test-Path $dest | Should -BeFalse
        $first = $script:Subjects | New-AtlasQcReport -Destination $dest -NoChecks
        $first.Path | Should -Be $dest
        $before = (Get-Item $dest).LastWriteTimeUtc
        $again = $script:Subjects | New-AtlasQcReport -Destination $dest -NoChecks -ErrorVariable errs
        $errs.Count | Should -Be 0
        (Get-Item $dest).LastWriteTimeUtc | Should -Be $before
        $again.Path | Should -Be $dest
        $again.ScanCount | Should -Be 3
        $again.SnapshotCount | Should -Be $first.SnapshotCount
        # Fewer subjects: another page, rebuilt without -Force.
        (@($script:Subjects)[0..1] | New-AtlasQcReport -Destination $dest -NoChecks).ScanCount | Should -Be 2
        ($script:Subjects | New-AtlasQcReport -Destination $dest -NoChecks -Force).ScanCount | Should -Be 3
    }

    It 'refuses a page it did not write before rendering any subject' {
        # A subject without a T1 warns while it is rendered; a refused run must not render (or warn) at all.
        $dest = Join-Path $script:Dir 'qc-early/index.html'
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $dest)
        Set-Content -LiteralPath $dest -Value '<html>my own page</html>'
        $broken = [Atlas.Core.Datasets.AtlasSubject]::new()
        $broken.SubjectId = 'c0009s0001'; $broken.ScanId = 'c0009s0001t01'; $broken.Cohort = 'Site9'
        $broken.T1Path = Join-Path $script:Dir 'missing-t1.nii.gz'
        $r = @($script:Subjects) + $broken | New-AtlasQcReport -Destination $dest -NoChecks -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Match '^OutputExists'
        $errs[0].TargetObject | Should -Be $dest
        $warns | Should -BeNullOrEmpty
        Get-Content -LiteralPath $dest | Should -Be '<html>my own page</html>'
    }

    It 'reports a non-subject input as an error and still writes the others' {
        $r = @($script:Subjects[0], 'not a subject') | New-AtlasQcReport -Destination (Join-Path $script:Dir 'qc-mixed') -NoChecks -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.ScanCount | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Match '^NotASubject'
    }

    It 'opens in headless Chromium and the screenshot is not blank' {

        if ($why = Get-PeerSkipReason chromium) { Set-ItResult -Skipped -Because $why; return }
        $shot = Join-Path $script:Dir 'qc-shot.png'
        $userData = Join-Path $TestDrive ('chromium-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $userData | Out-Null
        $url = [System.Uri]::new($script:Report.Path, [System.UriKind]::Absolute).AbsoluteUri
        $argv = @('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', "--user-data-dir=$userData", "--screenshot=$shot", '--window-size=1200,900',
            '--hide-scrollbars', $url)
        $p = Start-Process -FilePath '/usr/bin/chromium' -ArgumentList $argv -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'chr.out') -RedirectStandardError (Join-Path $TestDrive 'chr.err')
        if (-not $p.WaitForExit(90000)) { $p.Kill(); throw 'chromium did not finish in 90 s' }
        Test-Path $shot | Should -BeTrue -Because (Get-Content -Raw (Join-Path $TestDrive 'chr.err') -ErrorAction SilentlyContinue)
        Copy-Item $shot (Join-Path ([IO.Path]::GetTempPath()) 'atlas-qc-screenshot.png') -Force   # to look at after a run
        $img = Read-Png $shot
        $img.Width | Should -Be 1200
        # Not blank: many distinct colours (table, text, brain slices) and coloured (overlay) pixels.
        $distinct = [System.Collections.Generic.HashSet[uint32]]::new()
        foreach ($px in $img.Pixels) { [void]$distinct.Add($px) }
        $distinct.Count | Should -BeGreaterThan 100
        $img.CountColoured() | Should -BeGreaterThan 200
    }

    It 'sorts by a column in the browser (the page opened as #sort=N)' {

        if ($why = Get-PeerSkipReason chromium) { Set-ItResult -Skipped -Because $why; return }
        function Get-RowOrder([string] $Hash) {
            $userData = Join-Path $TestDrive ('chromium-' + [guid]::NewGuid().ToString('N'))
            New-Item -ItemType Directory -Path $userData | Out-Null
            $url = [System.Uri]::new($script:Report.Path, [System.UriKind]::Absolute).AbsoluteUri + $Hash
            $dom = Join-Path $TestDrive ('dom-' + [guid]::NewGuid().ToString('N') + '.html')
            $argv = @('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', "--user-data-dir=$userData", '--dump-dom', $url)
            $p = Start-Process -FilePath '/usr/bin/chromium' -ArgumentList $argv -PassThru -RedirectStandardOutput $dom -RedirectStandardError (Join-Path $TestDrive 'chr2.err')
            if (-not $p.WaitForExit(90000)) { $p.Kill(); throw 'chromium did not finish in 90 s' }
            $html = Get-Content -Raw $dom
            $body = $html.Substring($html.IndexOf('<tbody>'))
            @([regex]::Matches($body, '<tr><td data-sort="([^"]+)"') | ForEach-Object { $_.Groups[1].Value })
        }
        Get-RowOrder '' | Should -Be @('c0001s0001t01', 'c0002s0001t01', 'c0003s0001t01')
        Get-RowOrder '#sort=0-desc' | Should -Be @('c0003s0001t01', 'c0002s0001t01', 'c0001s0001t01')
        (Get-RowOrder '#sort=7-desc')[0] | Should -Be 'c0002s0001t01'   # the one with an error first
    }

    It 'runs the dataset checks itself and shows a broken mask on a sample dataset' {
        $root = Join-Path $TestDrive 'qc-sample'
        $null = New-AtlasSampleDataset -Path $root -SubjectCount 2 -Seed 3
        $subjects = @(Get-AtlasSubject -Path $root)
        $victim = $subjects[0]
        # Put the victim's primary mask on another grid: Test-AtlasDataset's MaskGrid error.
        $g = [Atlas.Core.Volumes.Grid]::Create(10, 10, 10, 1, 1, 1)
        $m = [byte[]]::new(1000); $m[555] = 1
        [Atlas.Core.Nifti.NiftiWriter]::Write([Atlas.Core.Volumes.AtlasVolume]::FromMask($g, $m, $null), $victim.LesionMaskPaths[0], $null)
        $report = $subjects | New-AtlasQcReport -Destination (Join-Path $TestDrive 'qc-sample-out')
        $report.ScanCount | Should -Be $subjects.Count
        $report.ErrorCount | Should -BeGreaterOrEqual 1
        $html = Get-Content -Raw $report.Path
        $html | Should -Match 'MaskGrid: The mask is not on the T1'
        # A truncated T1 (header readable, voxels cut): no snapshot; the row says why, the cmdlet
        # warns naming the file, and the subject counts as one with findings.
        $cut = $subjects[1].T1Path
        $bytes = [IO.File]::ReadAllBytes($cut)
        [IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length / 2))])
        $cutReport = $subjects[1] | New-AtlasQcReport -Destination (Join-Path $TestDrive 'qc-sample-cut') -NoChecks -WarningVariable warns -WarningAction SilentlyContinue
        $cutReport.SnapshotCount | Should -Be 0
        $cutReport.ScansWithFindings | Should -Be 1
        ($warns -join ' ') | Should -BeLike "*$cut*"
        [IO.File]::WriteAllBytes($cut, $bytes)
        # -NoChecks leaves the column empty.
        $quiet = $subjects | New-AtlasQcReport -Destination (Join-Path $TestDrive 'qc-sample-quiet') -NoChecks
        $quiet.ErrorCount | Should -Be 0
        # And the snapshots of every scan, named by ScanId.
        $snaps = @($subjects | Export-AtlasSnapshot -Destination (Join-Path $TestDrive 'qc-sample-snaps'))
        $snaps.Count | Should -Be $subjects.Count
        foreach ($s in $subjects) { Test-Path (Join-Path $TestDrive "qc-sample-snaps/$($s.ScanId).png") | Should -BeTrue }
    }
}
