@testable import ConvAlgebraKernels
import Testing

/// Streaming copies are copies: every element arrives, at every alignment of the destination and every length
/// around the 16- and 64-byte blocks, and nothing past the end is touched; the row writer's buffered output
/// equals its in-place output.
@Suite struct StreamingStoreTests {
    @Test(arguments: [0, 1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 1000], [0, 1, 2, 3])
    func copyMovesEveryElement(count: Int, offset: Int) {
        let source: [Float] = (0..<(count + 3)).map { Float($0) * 1.5 - 7 }
        var destination = [Float](repeating: .nan, count: count + offset + 4)
        source.withUnsafeBufferPointer { s in
            destination.withUnsafeMutableBufferPointer { d in
                StreamingStore.copy(s.baseAddress! + 1, to: d.baseAddress! + offset, count: count)
            }
        }
        StreamingStore.fence()
        #expect(Array(destination[offset..<(offset + count)]) == Array(source[1..<(count + 1)]))
        #expect(destination[..<offset].allSatisfy(\.isNaN) && destination[(offset + count)...].allSatisfy(\.isNaN))
    }

    @Test func doublesAreCopiedToo() {
        let source: [Double] = (0..<37).map { Double($0).squareRoot() }
        var destination = [Double](repeating: 0, count: 37)
        source.withUnsafeBufferPointer { s in
            destination.withUnsafeMutableBufferPointer { StreamingStore.copy(s.baseAddress!, to: $0.baseAddress!, count: 37) }
        }
        #expect(destination == source)
    }

    /// Rows of 5 written through a buffer of 12 (so flushes fall between rows) equal the rows written in place.
    @Test func bufferedRowsEqualRowsWrittenInPlace() {
        func write(buffered: Bool) -> [Int] {
            var out = [Int](repeating: -1, count: 40)
            var scratch = [Int](repeating: 0, count: 12)
            out.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { b in
                    var w = RowWriter(o.baseAddress!, buffer: buffered ? b : nil)
                    for row in 0..<8 {
                        let p = w.next(5)
                        for j in 0..<5 { p[j] = row * 100 + j }
                    }
                    w.flush()
                }
            }
            return out
        }
        let expected = (0..<8).flatMap { row in (0..<5).map { row * 100 + $0 } }
        #expect(write(buffered: false) == expected)
        #expect(write(buffered: true) == expected)
    }

    @Test func smallOutputsAreNotStreamed() {
        #expect(RowWriter<Float>.bufferCapacity(rowLength: 100, totalBytes: StreamingStore.threshold - 1) == 0)
        let c = RowWriter<Float>.bufferCapacity(rowLength: 100_000, totalBytes: StreamingStore.threshold)
        #expect(c >= 100_000)
        #expect(RowWriter<Double>.bufferCapacity(rowLength: 3, totalBytes: 1 << 30) >= 3)
    }
}
