import ConvAlgebra
import Testing

/// `Double`'s BLAS and LAPACK forwarders (`cblas_d*`, `LAPACKE_d*`) against plain loops and known
/// factorisations, and its NPY descriptor.
@Suite struct DoubleBLASScalarTests {
    @Test func forwardersMatchPlainLoops() throws {
        try BLASScalarConformance.check(Double.self)
    }

    @Test func npyDescriptorIsLittleEndianFloat64() {
        #expect(Double.npyDescriptor == "<f8")
    }
}
