import ConvAlgebra
import Testing

/// `Float`'s BLAS and LAPACK forwarders (`cblas_s*`, `LAPACKE_s*`) against plain loops and known
/// factorisations, and its NPY descriptor.
@Suite struct FloatBLASScalarTests {
    @Test func forwardersMatchPlainLoops() throws {
        try BLASScalarConformance.check(Float.self)
    }

    @Test func npyDescriptorIsLittleEndianFloat32() {
        #expect(Float.npyDescriptor == "<f4")
    }
}
