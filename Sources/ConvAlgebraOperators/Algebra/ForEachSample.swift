import ConvAlgebraCore

/// Runs `body(x_b, y_b)` for each of `batch` samples stored one after another, `x_b = x + b·n` and
/// `y_b = y + b·m`: the batch loop of the per-sample direct forms (↓k, ↑k, selections).
@inline(__always)
package func forEachSample<S>(_ batch: Int, _ x: UnsafePointer<S>, stride n: Int, _ y: UnsafeMutablePointer<S>, stride m: Int,
                              _ body: (_ xb: UnsafePointer<S>, _ yb: UnsafeMutablePointer<S>) -> Void) {
    for b in 0..<batch { body(x + b * n, y + b * m) }
}
