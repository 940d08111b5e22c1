// The umbrella module: `import ConvAlgebra` brings the public API of every layer, so users see one library.
@_exported import ConvAlgebraCore
@_exported import ConvAlgebraBackends
@_exported import ConvAlgebraKernels
@_exported import ConvAlgebraMatrices
@_exported import ConvAlgebraOperators
@_exported import ConvAlgebraPlanning
@_exported import ConvAlgebraAnalysis
@_exported import ConvAlgebraIO
