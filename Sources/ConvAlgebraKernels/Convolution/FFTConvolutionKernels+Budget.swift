import ConvAlgebraCore

extension FFTConvolutionKernels {
    /// The bytes overlap-add allocates for a transform length `L` on `n` input samples with a dilated kernel
    /// of `span` taps: the kernel's spectrum and the two plan buffers, then per worker a block, its spectrum
    /// and the accumulated output (`n + span − 1 + L`), counted in `Double`s (the larger scalar) and in
    /// floating point, so that no size can overflow.
    package static func workspaceBytes(L: Int, span: Int, inputLength n: Int) -> Double {
        let spectrum = 2 * (Double(L) / 2 + 1), l = Double(L)
        let perWorker = l + spectrum + (Double(n) + Double(span) - 1 + l)
        let workers = Double(ProcessInfoLite.activeProcessorCount)
        return 8 * (2 * spectrum + l + workers * perWorker)
    }

    /// Whether overlap-add's workspace fits the default memory budget; when it does not, the convolution
    /// runs on the row stencil, which needs no workspace (`bench convolve --weight-shape 100000000` used to
    /// abort in the allocator, the budget checked only for the input and the output).
    package static func workspaceFits(L: Int, span: Int, inputLength n: Int) -> Bool {
        workspaceBytes(L: L, span: span, inputLength: n) <= Double(MemoryBudget.default.bytes)
    }
}
