#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output of a long run as a reader wants it: on a terminal, one progress line on stderr, rewritten in place
/// (`[3/57] c2d-r1 dense  12 s`) and cleared before each result row; when stdout is piped, every row reaches the
/// pipe as soon as it is printed (C's stdio would otherwise hold a full buffer until the end).
struct ProgressLine {
    let total: Int
    /// Progress is drawn only when stderr is a terminal: a log file or a pipe gets the rows alone.
    let drawn: Bool
    private let start: Double

    init(total: Int, drawn: Bool = isatty(2) != 0) {
        self.total = total
        self.drawn = drawn
        self.start = Self.now()
    }

    /// `[index/total] what  elapsed` on stderr, replacing the previous line.
    func show(_ index: Int, _ what: String) {
        guard drawn else { return }
        let elapsed = Int(Self.now() - start)
        emit("\r\u{1B}[K[\(index)/\(total)] \(what)  \(elapsed) s")
    }

    /// A result row on stdout, after clearing the progress line, flushed at once.
    func row(_ text: String) {
        if drawn { emit("\r\u{1B}[K") }
        print(text)
        fflush(nil)
    }

    /// Clears the progress line at the end of the run.
    func finish() {
        if drawn { emit("\r\u{1B}[K") }
    }

    private func emit(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
