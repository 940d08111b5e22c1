import ConvAlgebra

/// An output tensor filled with NaN (XNNPACK's tester habit): a kernel that leaves an element
/// unwritten leaves a NaN there, and every closeness check fails on NaN.
public func nanFilled<S: BLASScalar>(_ shape: Shape) -> Tensor<S> {
    Tensor(shape: shape, repeating: .nan)
}

/// `count` NaNs, for the raw output buffer of an `applyUnchecked` call.
public func nanFilled<S: BLASScalar>(count: Int) -> [S] {
    Array(repeating: .nan, count: count)
}
