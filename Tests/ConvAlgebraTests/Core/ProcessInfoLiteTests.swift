@testable import ConvAlgebraCore
import Foundation
import Testing

/// The online processor count against the kernel's own list, `/sys/devices/system/cpu/online` (ranges like
/// `0-3,6`), which is what `sysconf(_SC_NPROCESSORS_ONLN)` reports on Linux.
@Suite struct ProcessInfoLiteTests {
    @Test func countsTheOnlineProcessors() throws {
        #expect(ProcessInfoLite.activeProcessorCount >= 1)
        guard let text = try? String(contentsOfFile: "/sys/devices/system/cpu/online", encoding: .utf8) else { return }
        var count = 0
        for part in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            count += bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1
        }
        #expect(ProcessInfoLite.activeProcessorCount == count, "online: \(text)")
    }
}
