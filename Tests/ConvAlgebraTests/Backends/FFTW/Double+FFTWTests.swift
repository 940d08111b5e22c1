import ConvAlgebra
import Testing

/// FFTW's real transforms in `Double` (`fftw_plan_dft_r2c_1d` / `c2r`) against the DFT's definition
/// (``FFTWConformance``): round trip `n·x`, a flat spectrum for an impulse, one bin for a cosine.
@Suite struct DoubleFFTWTests {
    @Test(arguments: [1, 2, 7, 16, 45, 128])
    func roundTripIsNTimesTheInput(n: Int) { FFTWConformance<Double>.roundTripIsNTimesTheInput(n: n) }

    @Test func impulseHasAFlatSpectrum() { FFTWConformance<Double>.impulseHasAFlatSpectrum() }

    @Test func cosineHasOneBin() { FFTWConformance<Double>.cosineHasOneBin() }
}
