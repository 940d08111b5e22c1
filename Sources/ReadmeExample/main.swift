// The library example of README.md, verbatim: `make test` builds and runs it, so it cannot rot.
import ConvAlgebra

// A strided convolution ↓2(q * x) on 8 samples, 'same' mode, as one operator.
let q: [Double] = [1, 2, 3]
let strided = try Convolution(kernel: q, inputLength: 8, mode: .same, stride: 2)
print(try strided.symbolic())             // rows of q2 q1 q0, two columns apart

// Its transpose is a transposed convolution, literally: the same matrix, transposed.
let transposed = strided.transposed       // a TransposedConvolution<Double>
let isTranspose = try transposed.dense() == strided.dense().transposed()
print("transposed convolution = transpose of the strided one:", isTranspose)

// Apply it to a batch of 32 samples with one GEMM (dense form); the direct form agrees.
let x = try Tensor<Double>(shape: [32, 8], scalars: (0..<256).map { Double($0 % 7) })
let viaGEMM = try strided.apply(x, form: .dense)
let direct = try strided.apply(x, form: .direct)
let agree = zip(viaGEMM.scalars, direct.scalars).allSatisfy { abs($0 - $1) < 1e-12 }
print("GEMM and direct forms agree on a batch of shape \(x.shape):", agree)
guard isTranspose && agree else { fatalError("the README example's claims do not hold") }
