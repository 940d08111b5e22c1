import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import ConvAlgebraPlanning
import ConvAlgebraIO

/// The printed table and the JSON document of a benchmark run (the `convalgebra bench` contract):
/// `{"threads": T, "cases": [{"id", "op", "form", "input_shape", "dtype", "seconds": {"min", "median", "max"},
/// "materialise_seconds", "flops", "gflops", …}]}`, plus the fields `suite`, `repeats`, `stored_entries`,
/// `materialise_entries_per_second` and `note` (the direct kernel, or auto's choice and reason), and at the top
/// `peak_gflops` when the run measured the machine's FP32 peak and `provenance` (``BenchmarkProvenance``: version,
/// commit, OpenBLAS, machine) when given.
public enum BenchmarkReport {
    /// A fixed-width table, one line per result.
    public static func table(_ results: [BenchmarkResult]) -> String {
        var lines = [pad("id", 12) + pad("form", 7) + pad("input", 18) + lpad("median ms", 11) + lpad("min ms", 10)
                     + lpad("GFLOP/s", 9) + lpad("mat. ms", 9) + "  note"]
        for r in results {
            let shape = r.inputShape.map(String.init).joined(separator: ",")
            lines.append(pad(r.id ?? r.op, 12) + pad(r.form.rawValue, 7) + pad(shape, 18)
                         + lpad(fixed(r.median * 1e3, 3), 11) + lpad(fixed(r.min * 1e3, 3), 10)
                         + lpad(fixed(r.gflops, 2), 9)
                         + lpad(r.materialiseSeconds.map { fixed($0 * 1e3, 2) } ?? "-", 9)
                         + "  " + (r.note ?? "")
                         + (r.forwardConvolutionSeconds.map { "  (the conv it transposes: \(fixed($0 * 1e3, 3)) ms)" } ?? "")
                         + (r.cpuMin.map { "  (CPU min \(fixed($0 * 1e3, 3)) ms)" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON document; `peak_gflops` (the measured FP32 peak, ``MachinePeak``) and `provenance` when given.
    public static func json(_ results: [BenchmarkResult], threads: Int, peakGFLOPs: Double? = nil,
                            provenance: BenchmarkProvenance? = nil) -> String {
        let cases = results.map { r -> String in
            let fields: [(String, String)] = [
                ("id", r.id.map(quote) ?? "null"),
                ("suite", quote(r.suite)),
                ("op", quote(r.op)),
                ("form", quote(r.form.rawValue)),
                ("input_shape", JSONText.array(r.inputShape.map(String.init))),
                ("dtype", quote(r.dtype)),
                ("seconds", "{\"min\": \(number(r.min)), \"median\": \(number(r.median)), \"max\": \(number(r.max))}"),
                ("repeats", String(r.repeats)),
                ("materialise_seconds", r.materialiseSeconds.map(number) ?? "null"),
                ("stored_entries", r.storedEntries.map(String.init) ?? "null"),
                ("materialise_entries_per_second", {
                    guard let t = r.materialiseSeconds, let e = r.storedEntries, t > 0 else { return "null" }
                    return number(Double(e) / t)
                }()),
                ("flops", number(r.flops)),
                ("gflops", number(r.gflops)),
                ("note", r.note.map(quote) ?? "null"),
                ("forward_conv_seconds", r.forwardConvolutionSeconds.map(number) ?? "null"),
                ("cpu_min_seconds", r.cpuMin.map(number) ?? "null"),
            ]
            return "    {" + JSONText.members(fields).joined(separator: ", ") + "}"
        }
        let peak = peakGFLOPs.map { "\"peak_gflops\": \(number($0)), " } ?? ""
        let origin = provenance.map { "\"provenance\": \($0.json), " } ?? ""
        return "{\"threads\": \(threads), " + peak + origin + "\"cases\": [\n" + cases.joined(separator: ",\n") + "\n]}\n"
    }

    private static func quote(_ s: String) -> String { JSONText.string(s) }
    private static func number(_ x: Double) -> String { JSONText.number(x) }

    package static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "-" }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let v = (x * p).rounded() / p
        var s = "\(v)"
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
        }
        if s.contains("e") { return "\(x)" }
        return s
    }

    package static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    package static func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s }
}
