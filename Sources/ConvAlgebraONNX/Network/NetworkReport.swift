import Foundation
import ConvAlgebraIO

/// The text table and the JSON document of a ``NetworkAnalysis`` (what `convalgebra model analyze` prints and
/// writes with `--json`).
public enum NetworkReport {
    /// One row per linear layer, then the non-linear steps, then the bound.
    public static func text(_ a: NetworkAnalysis, model: String) -> String {
        let smallest = a.layers.contains { $0.smallestSingularValue != nil }
        var header = ["layer", "op", "input → output", "nnz", "σ₁", "‖W‖ reshaped", "σ₁/‖W‖", "circular FFT σ₁"]
        if smallest { header += ["σ_min", "cond"] }
        header.append("overlap")
        var rows = [header]
        for l in a.layers {
            var row = [l.layer.name, l.layer.op, shape(l.layer.inputShape) + " → " + shape(l.layer.outputShape),
                       l.nnz.map(String.init) ?? "-", num(l.spectralNorm) + (l.converged ? "" : " (not converged)"),
                       l.reshapedWeightNorm.map(num) ?? "-", l.ratio.map { String(format: "%.3f", $0) } ?? "-",
                       l.circularNorm.map(num) ?? "-"]
            if smallest { row += [l.smallestSingularValue.map(num) ?? "-", l.conditionNumber.map(num) ?? "-"] }
            row.append(l.overlap.map(overlapText) ?? "-")
            rows.append(row)
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = ["model \(model): input \(shape(a.network.inputShape)), \(a.layers.count) linear layers; σ₁ exact: dense SVD "
                     + "(gesdd) up to \(NetworkAnalysis.denseLimit) entries, else block Lanczos with a certified relative bound ≤ \(a.tolerance)"]
        for r in rows {
            lines.append(zip(r, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
        for n in a.network.notes where n.kind != .constant {
            lines.append("\(n.kind == .skipped ? "skipped" : "note"): \(n.name) (\(n.op)): \(n.detail)")
        }
        let bound = a.lipschitzBound
        lines.append(bound.isNaN ? "Lipschitz bound: unknown (skipped ops have no constant)"
                     : "Lipschitz bound (product of the layers' σ₁ and the activations' constants, residual sums added): \(num(bound))")
        return lines.joined(separator: "\n")
    }

    /// The `--json` document: `{"layers": [...], "lipschitz_bound": ...}` and the details (shapes without the batch);
    /// `matrixFiles` (one per layer, from ``Network/exportMatrices(to:budget:)``) adds each layer's `"matrix_file"`.
    public static func json(_ a: NetworkAnalysis, model: String, matrixFiles: [String]? = nil) -> String {
        let layers = a.layers.enumerated().map { k, l -> String in
            var f: [(String, String)] = [
                ("name", JSONText.string(l.layer.name)), ("op", JSONText.string(l.layer.op)),
                ("nodes", JSONText.array(l.layer.nodes.map(JSONText.string))),
                ("input_shape", ints(l.layer.inputShape)), ("output_shape", ints(l.layer.outputShape)),
                ("nnz", l.nnz.map(String.init) ?? "null"),
                ("spectral_norm", JSONText.number(l.spectralNorm)), ("spectral_norm_upper_bound", JSONText.number(l.upperBound)),
                ("method", JSONText.string(l.method)),
                ("iterations", l.iterations.map(String.init) ?? "null"), ("products", l.products.map(String.init) ?? "null"),
                ("operator_seconds", l.operatorSeconds.map(JSONText.number) ?? "null"),
                ("converged", l.converged ? "true" : "false"),
                ("reshaped_weight_norm", l.reshapedWeightNorm.map(JSONText.number) ?? "null"),
                ("ratio", l.ratio.map(JSONText.number) ?? "null"),
                ("smallest_singular_value", l.smallestSingularValue.map(JSONText.number) ?? "null"),
                ("condition_number", l.conditionNumber.map(JSONText.number) ?? "null"),
                ("circular_fft_norm", l.circularNorm.map(JSONText.number) ?? "null"),
            ]
            if let o = l.overlap {
                let counts = o.phaseCounts.flatMap { $0 }
                f.append(("overlap", "{" + JSONText.members([
                    ("min", String(counts.min() ?? 0)), ("max", String(counts.max() ?? 0)), ("even", o.isEven ? "true" : "false"),
                    ("phases", JSONText.array(o.phaseCounts.map { ints($0) })),
                ]).joined(separator: ", ") + "}"))
            } else {
                f.append(("overlap", "null"))
            }
            f.append(("spectral_norm_seconds", JSONText.number(l.spectralNormSeconds)))
            f.append(("spectral_norm_cpu_seconds", JSONText.number(l.spectralNormCPUSeconds)))
            f.append(("seconds", JSONText.number(l.seconds)))
            if let files = matrixFiles, k < files.count { f.append(("matrix_file", JSONText.string(files[k]))) }
            return "    {" + JSONText.members(f).joined(separator: ", ") + "}"
        }
        let notes = a.network.notes.filter { $0.kind != .constant }.map { n in
            "    {" + JSONText.members([
                ("name", JSONText.string(n.name)), ("op", JSONText.string(n.op)), ("kind", JSONText.string(n.kind.rawValue)),
                ("lipschitz", n.lipschitz.map(JSONText.number) ?? "null"), ("detail", JSONText.string(n.detail)),
            ]).joined(separator: ", ") + "}"
        }
        let bound = a.lipschitzBound
        let top: [(String, String)] = [
            ("model", JSONText.string(model)), ("input_shape", ints(a.network.inputShape)),
            ("tolerance", JSONText.number(a.tolerance)),
            ("layers", "[\n" + layers.joined(separator: ",\n") + "\n  ]"),
            ("notes", "[\n" + notes.joined(separator: ",\n") + "\n  ]"),
            ("lipschitz_bound", JSONText.number(bound)), ("lipschitz_bound_complete", bound.isNaN ? "false" : "true"),
        ]
        return "{\n" + JSONText.members(top).map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
    }

    static func shape(_ s: [Int]) -> String { "(" + s.map(String.init).joined(separator: ", ") + ")" }
    static func ints(_ s: [Int]) -> String { JSONText.array(s.map(String.init)) }
    static func num(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "inf" }
    static func overlapText(_ o: OverlapPattern) -> String {
        let c = o.phaseCounts.flatMap { $0 }
        return "\(c.min() ?? 0)–\(c.max() ?? 0)" + (o.isEven ? " even" : " UNEVEN")
    }
}

import ConvAlgebraAnalysis
