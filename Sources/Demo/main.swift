import ConvAlgebra
#if canImport(Glibc)
import Glibc
#endif

// `make demo`: the reference text's matrices and identities, each checked, then a matrix-vs-direct
// timing table. Exits non-zero if any identity fails.
var tour = ReferenceTour()
do {
    try tour.run()
    try FormsTiming.run()
} catch {
    print("error: \(error)")
    exit(1)
}
print(tour.failures == 0 ? "\nall identities hold" : "\n\(tour.failures) identities FAILED")
exit(tour.failures == 0 ? 0 : 1)
