import ConvAlgebraCore
import ConvAlgebraKernels

// Two edge cases where the forms, or this library and PyTorch, used to disagree (issue 13).

extension Selection {
    /// `y` with `−∞` in every output that selects nothing (`σ(r) = −1`): what max pooling's direct form,
    /// and PyTorch, give for a window with no input element (dilation ≥ 2 with padding: `x = [[[1.5]]]`,
    /// kernel 2, padding 1, dilation 2 pools `max ∅ = −∞`) and for a window whose elements are all `−∞`.
    ///
    /// Max pooling at `x` is the affine map `J(x)·x + c`, `c[r] = −∞` where window `r` selects nothing and 0
    /// elsewhere: such a window's value is a constant, so its Jacobian row is zero (its gradient is 0) and the
    /// constant is added back here. The dense and sparse forms used to give `J(x)·x` alone, 0 where PyTorch
    /// and the direct form give `−∞`.
    /// - Parameter y: one sample, `J(x)·x`.
    package func minusInfinityWhereUnselected(_ y: Tensor<Scalar>) -> Tensor<Scalar> {
        guard sources.contains(-1) else { return y }
        var y = y
        for (r, c) in sources.enumerated() where c < 0 { y.scalars[r] = -.infinity }
        return y
    }
}

extension PoolingGeometry {
    /// PyTorch's `avg_pool3d` refuses an input smaller than the kernel along any axis, padding or not
    /// (`pool3d_shape_check(..., check_input_size=true)`: "input image (T: 1 H: 1 W: 1) smaller than kernel
    /// size (kT: 2 kH: 1 kW: 1)"), while `avg_pool1d/2d` and every max pool accept it when the padded input
    /// holds a window. Average pooling follows it, so that a 3-D case PyTorch rejects is not given a reading
    /// of this library's own.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a 3-D geometry with `n < k` along an axis.
    package func checkAvgPool3dInputCoversKernel() throws {
        guard rank == 3, zip(inputSize, kernelSize).contains(where: { $0 < $1 }) else { return }
        throw ConvAlgebraError.invalidArgument(
            "3-D average pooling needs an input at least as large as the kernel along every axis, as PyTorch's avg_pool3d: "
            + "input (T: \(inputSize[0]) H: \(inputSize[1]) W: \(inputSize[2])) is smaller than the kernel size "
            + "(kT: \(kernelSize[0]) kH: \(kernelSize[1]) kW: \(kernelSize[2]))")
    }
}
