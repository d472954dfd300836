// Runs ITK 5.2's N4BiasFieldCorrectionImageFilter the way ANTs' N4BiasFieldCorrection does
// (shrink the image and mask, run the filter, rebuild the field on the full grid), so Atlas.Core's
// N4 can be compared with it on the same inputs. Written for Atlas.Psm's bench.
//
// usage: atlas_itk_n4 <input> <mask|-> <corrected out> <log field out>
//                     <shrink> <iterations e.g. 50x50x50x50> <threshold> <control points> <bins> <fwhm> <wiener>
// Without a mask ("-") ITK's Otsu threshold of the image is the mask, as N4 users commonly do.
// Prints the seconds taken by the filter and the field reconstruction (reading/writing excluded).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "itkBSplineControlPointImageFilter.h"
#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"
#include "itkN4BiasFieldCorrectionImageFilter.h"
#include "itkOtsuThresholdImageFilter.h"
#include "itkShrinkImageFilter.h"
#include "itkImageRegionIterator.h"

using Image = itk::Image<float, 3>;
using Mask = itk::Image<unsigned char, 3>;

int main(int argc, char ** argv)
{
  if (argc != 12)
  {
    std::cerr << "usage: atlas_itk_n4 input mask|- corrected logfield shrink iterations threshold controlpoints bins fwhm wiener\n";
    return 2;
  }
  auto image = itk::ReadImage<Image>(argv[1]);
  Mask::Pointer mask;
  if (std::string(argv[2]) != "-")
  {
    mask = itk::ReadImage<Mask>(argv[2]);
  }
  unsigned int shrink = std::atoi(argv[5]);
  std::vector<unsigned int> iterations;
  {
    std::stringstream ss(argv[6]);
    std::string item;
    while (std::getline(ss, item, 'x')) iterations.push_back(std::atoi(item.c_str()));
  }
  double threshold = std::atof(argv[7]);
  unsigned int controlPoints = std::atoi(argv[8]);
  unsigned int bins = std::atoi(argv[9]);
  double fwhm = std::atof(argv[10]);
  double wiener = std::atof(argv[11]);

  auto start = std::chrono::steady_clock::now();
  if (!mask)
  {
    auto otsu = itk::OtsuThresholdImageFilter<Image, Mask>::New();
    otsu->SetInput(image);
    otsu->SetInsideValue(0);
    otsu->SetOutsideValue(1);
    otsu->Update();
    mask = otsu->GetOutput();
  }
  auto shrinkImage = itk::ShrinkImageFilter<Image, Image>::New();
  shrinkImage->SetInput(image);
  shrinkImage->SetShrinkFactors(shrink);
  auto shrinkMask = itk::ShrinkImageFilter<Mask, Mask>::New();
  shrinkMask->SetInput(mask);
  shrinkMask->SetShrinkFactors(shrink);
  shrinkImage->Update();
  shrinkMask->Update();

  using N4 = itk::N4BiasFieldCorrectionImageFilter<Image, Mask, Image>;
  auto n4 = N4::New();
  n4->SetInput(shrinkImage->GetOutput());
  n4->SetMaskImage(shrinkMask->GetOutput());
  N4::VariableSizeArrayType maxIter(iterations.size());
  for (size_t i = 0; i < iterations.size(); i++) maxIter[i] = iterations[i];
  n4->SetMaximumNumberOfIterations(maxIter);
  n4->SetNumberOfFittingLevels(static_cast<unsigned int>(iterations.size()));
  n4->SetConvergenceThreshold(threshold);
  N4::ArrayType cps;
  cps.Fill(controlPoints);
  n4->SetNumberOfControlPoints(cps);
  n4->SetNumberOfHistogramBins(bins);
  n4->SetBiasFieldFullWidthAtHalfMaximum(fwhm);
  n4->SetWienerFilterNoise(wiener);
  n4->Update();

  // The log field on the full grid from the final control lattice (as ANTs' N4BiasFieldCorrection does).
  using Lattice = N4::BiasFieldControlPointLatticeType;
  using ScalarImage = N4::ScalarImageType;
  auto rebuild = itk::BSplineControlPointImageFilter<Lattice, ScalarImage>::New();
  rebuild->SetInput(n4->GetLogBiasFieldControlPointLattice());
  rebuild->SetSplineOrder(n4->GetSplineOrder());
  rebuild->SetSize(image->GetLargestPossibleRegion().GetSize());
  rebuild->SetOrigin(image->GetOrigin());
  rebuild->SetSpacing(image->GetSpacing());
  rebuild->SetDirection(image->GetDirection());
  rebuild->Update();

  auto logField = Image::New();
  logField->CopyInformation(image);
  logField->SetRegions(image->GetLargestPossibleRegion());
  logField->Allocate();
  auto corrected = Image::New();
  corrected->CopyInformation(image);
  corrected->SetRegions(image->GetLargestPossibleRegion());
  corrected->Allocate();
  itk::ImageRegionConstIterator<ScalarImage> src(rebuild->GetOutput(), rebuild->GetOutput()->GetLargestPossibleRegion());
  itk::ImageRegionConstIterator<Image> in(image, image->GetLargestPossibleRegion());
  itk::ImageRegionIterator<Image> lf(logField, logField->GetLargestPossibleRegion());
  itk::ImageRegionIterator<Image> out(corrected, corrected->GetLargestPossibleRegion());
  for (; !src.IsAtEnd(); ++src, ++in, ++lf, ++out)
  {
    float v = src.Get()[0];
    lf.Set(v);
    out.Set(in.Get() / std::exp(v));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  itk::WriteImage(corrected, argv[3]);
  itk::WriteImage(logField, argv[4]);
  std::cout << "seconds " << seconds << "\n";
  std::cout << "iterations " << n4->GetElapsedIterations() << " convergence " << n4->GetCurrentConvergenceMeasurement() << "\n";
  return 0;
}
