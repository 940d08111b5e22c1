@testable import ConvAlgebraIO
import ConvAlgebraCore
import Foundation
import Testing
import _TestSupport

/// Whole files into memory: the bytes as stored, the size checked against the budget before reading, and
/// directories and missing files refused.
@Suite struct WholeFileTests {
    @Test func readsTheBytesWithinTheBudget() throws {
        let d = try AtomicFileTests.directory(), path = d + "/f.bin"
        let bytes = (0..<3000).map { UInt8($0 % 256) }
        try bytes.withUnsafeBytes { try AtomicFile.write([$0], to: path) }
        #expect(try WholeFile.read(path: path, budget: .unlimited) == bytes)
        expectThrows(.exceedsMemoryBudget) { try WholeFile.read(path: path, budget: MemoryBudget(bytes: 2999)) }
        expectThrows(.io) { try WholeFile.read(path: d, budget: .unlimited) }
        expectThrows(.io) { try WholeFile.read(path: d + "/missing", budget: .unlimited) }
    }

    @Test func aDeviceIsReadOnlyUpToTheBudget() {
        // /dev/zero never ends: the read stops one byte past the budget.
        expectThrows(.exceedsMemoryBudget) { try WholeFile.read(path: "/dev/zero", budget: MemoryBudget(bytes: 1 << 16)) }
    }
}
