// Generated from Guides/Pooling.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Guides_Pooling {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Guides/Pooling.md:17", block1),
    ]

    /// Guides/Pooling.md, the block at line 17.
    static func block1() throws {
        let A = try AveragePooling<Double>(inputShape: [1, 6], kernelSize: [2], stride: [2])
        print(try A.symbolic())
        // 0.5  0.5    0    0    0    0
        //   0    0  0.5  0.5    0    0
        //   0    0    0    0  0.5  0.5
        let U = try Upsampling.nearest(inputShape: [1, 3], scale: [2], as: Double.self)   // NearestUpsampling: (1 1) * (↑2 x)
        let R = try Upsampling.nearest(inputShape: [1, 3], size: [5], as: Double.self)    // NearestResize: x[⌊j·3/5⌋]
        let B = try Upsampling.bilinear(inputShape: [2, 4, 4], scale: [2], as: Double.self) // checks 2 spatial dims, as PyTorch
        let M = try MaxPooling<Double>(inputShape: [1, 6], kernelSize: [2])
        let x = try Tensor<Double>(shape: [1, 1, 6], scalars: [3, 1, 4, 1, 5, 9])
        let J = try M.jacobian(at: x)     // a Selection: J·x == M(x); Jᵀ routes gradients (max-unpooling)
        print(try J.symbolic())           // picks x0, x2, x5
        _ = A
        _ = U
        _ = R
        _ = B
        _ = M
        _ = x
        _ = J
    }
}
