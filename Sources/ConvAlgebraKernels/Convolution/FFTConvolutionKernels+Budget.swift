import ConvAlgebraCore

extension FFTConvolutionKernels {
    /// The bytes overlap-add allocates for a transform length `L` on `n` input samples with a dilated kernel
    /// of `span` taps: the kernel's spectrum and the two plan buffers, then per worker a block, its spectrum
    /// and the accumulated output (`n + span − 1 + L`), counted in `Double`s (the larger scalar) and in
    /// floating point, so that no size can overflow.
    package static func workspaceBytes(L: Int, span: Int, inputLength n: Int) -> Double {
        let spectrum = 2 * (Double(L) / 2 + 1), l = Double(L)
        let perWorker = l + spectrum + (Double(n) + Double(span) - 1 + l)
        let workers = Double(MachineProfile.current.threads)
        return 8 * (2 * spectrum + l + workers * perWorker)
    }

    /// Whether overlap-add's workspace fits the default memory budget; when it does not, the convolution
    /// runs on the row stencil, which needs no workspace (`bench convolve --weight-shape 100000000` used to
    /// abort in the allocator, the budget checked only for the input and the output).
    package static func workspaceFits(L: Int, span: Int, inputLength n: Int) -> Bool {
        workspaceBytes(L: L, span: span, inputLength: n) <= Double(MemoryBudget.default.bytes)
    }
}

extension FFTConvolutionKernels {
    /// Whether any of the `n` values at `x` is `NaN` or `±∞` (`v · 0` is `NaN` exactly for those).
    package static func holdsNonFinite<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> Bool {
        var acc: T = 0
        for i in 0..<n { acc += x[i] * 0 }
        return acc.isNaN
    }

    /// One sample of `g` term by term, `y[i] = Σ_t w[t] · x[i + o + t·e]` over the taps inside the input: what
    /// overlap-add gives for finite samples, and the IEEE answer for a sample holding a `NaN` or `±∞`, which a
    /// transform would spread over its whole block (one `+∞` made 8192 outputs `NaN` instead of 300 `+∞`).
    package static func termByTermSample<T: KernelScalar>(_ g: ConvolutionGeometry, _ w: UnsafePointer<T>,
                                                          _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
        let (n, m, K, o, e) = (g.inputSize[0], g.outputSize[0], g.kernelSize[0], g.offset[0], g.tapStep[0])
        for i in 0..<m {
            var acc: T = 0
            for t in 0..<K {
                let c = i + o + t * e
                if c >= 0 && c < n { acc += w[t] * x[c] }
            }
            y[i] = acc
        }
    }
}
