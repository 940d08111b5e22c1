import ConvAlgebra
let c = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 4, mode: .same)
print(try c.symbolic())
print(try c.transposed.symbolic())
let d = try Downsample<Double>(factor: 2, inputLength: 4)
print(try d.symbolic()); print(try d.transposed.symbolic())
let t = try TransposedConvolution<Double>(kernel: [1, 2, 3], stride: 2, inputLength: 2, mode: .same)
print(try t.symbolic())
let derived = try c.transposed.then(d).transposed
print(try derived.symbolic())
let u = try Upsample<Double>(factor: 2, inputLength: 2)
print(try u.then(c).symbolic())
let nn = try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 2, inputLength: 3)
print(try nn.symbolic())
print(KernelFusion.fused([1, 1], symbolicKernelLength: 3))
let x = try Tensor<Double>(shape: [3, 4], scalars: (0..<12).map(Double.init))
for f in Form.allCases { print(try c.apply(x, form: f).scalars) }
let s = try Convolution<Double>(kernel: [1, 2, 3, 4], inputLength: 9, mode: .same, stride: 2, dilation: 2)
let y = try Tensor<Double>(shape: [2, s.codomain.count], scalars: (0..<(2*s.codomain.count)).map { Double($0 * $0 % 7) })
for f in Form.allCases { print(try s.transposed.apply(y, form: f).scalars) }
