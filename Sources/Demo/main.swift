import ConvAlgebra
#if canImport(Glibc)
import Glibc
#endif

// `make demo`: the reference text's matrices and identities, each checked, an operator-analysis
// report (singular values, checkerboard overlap, least squares against the transpose), then a
// matrix-vs-direct timing table. Exits non-zero if any identity fails.
var tour = ReferenceTour()
do {
    try tour.run()
    print("\n== Operator analysis on LAPACK: a transposed convolution is a transpose, not an inverse ==\n")
    print(try AnalysisReport.demo())
    try FormsTiming.run()
} catch {
    print("error: \(error)")
    exit(1)
}
print(tour.failures == 0 ? "\nall identities hold" : "\n\(tour.failures) identities FAILED")
exit(tour.failures == 0 ? 0 : 1)
