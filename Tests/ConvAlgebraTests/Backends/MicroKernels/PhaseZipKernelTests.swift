import CMicroKernels
@testable import ConvAlgebra
import Testing

/// The phase-row zip `ca_zip2` and its transpose `ca_unzip` called directly on every path this CPU has: every
/// row length around the vector widths (whole vectors, tails, empty) and strides 1 … 5, against the definition
/// `phases[r][a] = x[a·s + r]`; zipping the two phases of `s = 2` back gives the row.
@Suite struct PhaseZipKernelTests {
    @Test(arguments: MachineProfile.KernelISA.supported)
    func unzipSplitsARowIntoItsPhases(isa: MachineProfile.KernelISA) {
        for s in 1...5 {
            for n in [0, 1, 2, 3, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 47, 56, 58, 63, 64, 65, 100] {
                let x = (0..<n).map { Float($0) + 0.5 }
                let width = (n + s - 1) / s + 1, sentinel: Float = -7
                var phases = [Float](repeating: sentinel, count: s * width)
                phases.withUnsafeMutableBufferPointer { p in
                    let to: [UnsafeMutablePointer<Float>?] = (0..<s).map { p.baseAddress! + $0 * width }
                    ca_unzip(Int32(isa.code), n, s, x, to)
                }
                for r in 0..<s {
                    for a in 0..<width {
                        let i = a * s + r
                        #expect(phases[r * width + a] == (i < n ? x[i] : sentinel), "isa \(isa), s \(s), n \(n), phase \(r), lane \(a)")
                    }
                }
                guard s == 2 else { continue }
                var y = [Float](repeating: sentinel, count: n + 1)
                let half = n / 2  // whole pairs; an odd row's last sample is the even phase's alone
                ca_zip2(Int32(isa.code), half, phases, Array(phases[width...]), &y)
                #expect(Array(y[..<(2 * half)]) == Array(x[..<(2 * half)]), "isa \(isa), n \(n): zip2 ∘ unzip")
                #expect(y[2 * half] == sentinel)
            }
        }
    }
}
