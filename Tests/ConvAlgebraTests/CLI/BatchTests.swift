import ConvAlgebra
import Foundation
import Testing

/// The hidden `batch` command (the differential fuzzer's many-commands-per-process runner): one outcome line
/// per command line, `ok` or exactly the `error: …` line the command prints when it runs alone, and the same
/// output files.
@Suite struct BatchTests {
    static let lines: [[String]] = [
        ["apply", "downsample", "--factor", "2", "--input", "x.npy", "--output", "y1.npy"],
        ["apply", "downsample", "--factor", "2", "--phase", "2", "--input", "x.npy", "--output", "y2.npy"],
        ["apply", "frobnicate", "--input", "x.npy", "--output", "y3.npy"],
        ["apply", "convolve", "--weight", "w.npy", "--mode", "valid", "--dilation", "9", "--input", "x.npy", "--output", "y4.npy"],
        ["apply", "convolve", "--weight", "w.npy", "--mode", "same", "--form", "sparse", "--input", "x.npy", "--output", "y5.npy"],
        ["apply", "upsample-zeros", "--factor", "nan", "--input", "x.npy", "--output", "y6.npy"],
        ["batch"],
    ]

    @Test func eachLineGivesTheOutcomeOfItsOwnProcess() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 8], seed: 1, as: Float.self), "x.npy")
        try cli.write(try CLIRunner.random([3], seed: 2, as: Float.self), "w.npy")
        guard let exe = CLIRunner.executable else { Issue.record("the convalgebra executable was not found"); return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["batch"]
        p.currentDirectoryURL = URL(fileURLWithPath: cli.directory)
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(Self.lines.map { $0.joined(separator: "\t") + "\n" }.joined().utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let outcomes = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        try #require(outcomes.count == Self.lines.count, "\(outcomes)")
        #expect(outcomes.filter { $0 == "ok" }.count == 2, "\(outcomes)")
        for (line, outcome) in zip(Self.lines.dropLast(), outcomes) {
            let alone = try cli.run(line.map { $0.hasPrefix("y") ? "alone-" + $0 : $0 })
            if outcome == "ok" {
                #expect(alone.status == 0, "\(line): ok in the batch, status \(alone.status) alone")
                let output = line[line.firstIndex(of: "--output")! + 1]
                #expect(try cli.read(output) == cli.read("alone-" + output), "\(line): the outputs differ")
            } else {
                #expect(alone.status != 0 && alone.stderr == outcome + "\n", "\(line): '\(outcome)' in the batch, '\(alone.stderr)' alone")
            }
        }
        #expect(outcomes.last == "error: batch cannot run batch")
    }
}
