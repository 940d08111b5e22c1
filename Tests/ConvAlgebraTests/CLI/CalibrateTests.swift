import ConvAlgebra
import Foundation
import Testing

/// `convalgebra calibrate` and the planner's options: `--plan measure` writes the wisdom file the next run reads,
/// `--plan wisdom-only` measures nothing, and bad modes, suites and cases are one `error:` line. (The full
/// calibration measures the machine for seconds: it is run by `make calibrate`, not here.)
@Suite struct CalibrateTests {
    @Test func measureWritesWisdomThatTheNextRunUses() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([16, 64], seed: 1, as: Float.self), "x.npy")
        try cli.write(try CLIRunner.random([5], seed: 2, as: Float.self), "w.npy")
        let args = ["apply", "convolve", "--input", "x.npy", "--weight", "w.npy", "--mode", "same", "--form", "auto",
                    "--output", "y.npy", "--wisdom", "wisdom.json"]
        let measured = try cli.run(args + ["--plan", "measure"])
        #expect(measured.status == 0 && measured.stderr.isEmpty, "\(measured.stderr)")
        let data = try #require(FileManager.default.contents(atPath: cli.path("wisdom.json")))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let machines = try #require(doc["machines"] as? [[String: Any]])
        let plans = try #require(machines.first?["plans"] as? [[String: Any]])
        #expect(doc["format"] as? String == "convalgebra-wisdom" && plans.count == 1 && plans[0]["batch"] as? Int == 16)
        let y = try #require(FileManager.default.contents(atPath: cli.path("y.npy")))
        // The next run reads it (wisdom-only would otherwise run direct) and computes the same numbers.
        try FileManager.default.removeItem(atPath: cli.path("y.npy"))
        let reused = try cli.run(args + ["--plan", "wisdom-only"])
        #expect(reused.status == 0 && reused.stderr.isEmpty, "\(reused.stderr)")
        #expect(FileManager.default.contents(atPath: cli.path("y.npy")) == y)
    }

    @Test func aCorruptWisdomFileIsOneWarningNotAFailure() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([4, 32], seed: 1, as: Float.self), "x.npy")
        try cli.write(try CLIRunner.random([3], seed: 2, as: Float.self), "w.npy")
        try Data("{ not wisdom".utf8).write(to: URL(fileURLWithPath: cli.path("bad.json")))
        let r = try cli.run(["apply", "convolve", "--input", "x.npy", "--weight", "w.npy", "--form", "auto",
                             "--plan", "wisdom-only", "--wisdom", "bad.json", "--output", "y.npy"])
        #expect(r.status == 0 && FileManager.default.fileExists(atPath: cli.path("y.npy")))
        #expect(r.stderrLines.count == 1 && r.stderr.hasPrefix("warning: ignoring the wisdom file"), "\(r.stderr)")
    }

    @Test(arguments: [
        (["apply", "convolve", "--input", "x.npy", "--output", "y.npy", "--plan", "exhaustive"], "unknown --plan 'exhaustive'"),
        (["bench", "convolve", "--input-shape", "2,8", "--plan", "fast"], "unknown --plan 'fast'"),
        (["calibrate", "--suite", "v2"], "unknown suite 'v2'"),
        (["calibrate", "--cases", "nothing"], "no case has the id or suite 'nothing'"),
        (["calibrate", "--wisdom", "", "--rates-only"], "no wisdom file"),
    ])
    func badArgumentsAreOneErrorLine(arguments: [String], fragment: String) throws {
        try CLIRunner().expectFailure(arguments, containing: fragment)
    }
}
