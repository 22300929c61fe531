import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

/// `greenlight judge` as a user runs it: the binary built with these tests.
extension JudgeTests {
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await GreenlightBinary.run(arguments)
    }

    @Test("judge --json on two files: the fields, and exit 1 for a High under increase, 0 under decrease")
    func commandJSON() async throws {
        let folder = try TemporaryFolder("greenlight-judge")
        defer { folder.remove() }
        let control = folder.appending("control.txt")
        let experiment = folder.appending("experiment.json")
        try "# latency in ms\n10\n11\n12\n\n13\n14\n15\n16\n17\n18\n19\n".write(
            to: control, atomically: true, encoding: .utf8)
        try "[30, 31, 32, 33, 34, 35, 36, 37, 38, 39.5]".write(to: experiment, atomically: true, encoding: .utf8)
        let files = ["judge", "--control", control.path, "--experiment", experiment.path]
        let increase = try await run(files + ["--direction", "increase", "--json"])
        #expect(increase.status == 1, "\(increase.output)")
        let object = try JSONValue(parsing: Data(increase.output.utf8))
        #expect(object["classification"] == .string("High"))
        #expect(object["u"] == .int(100))
        #expect(object["n_control"] == .int(10) && object["n_experiment"] == .int(10))
        #expect(object["direction"] == .string("increase") && object["confidence"] == .double(0.98))
        // numpy.median(numpy.subtract.outer(experiment, control)) is 20.
        #expect(object["hodges_lehmann"] == .double(20))
        for key in ["p_value", "ci_low", "ci_high", "effect"] {
            switch object[key] {
            case .double(let value): #expect(value > 0, "\(key)")
            case .int(let value): #expect(value > 0, "\(key)")
            default: Issue.record("\(key) is \(String(describing: object[key]))")
            }
        }
        let decrease = try await run(files + ["--direction", "decrease"])
        #expect(decrease.status == 0, "\(decrease.output)")
        #expect(decrease.output.contains("High: the experiment is higher"))
        #expect(decrease.output.contains("direction decrease"))
    }

    @Test(
        "bad input exits 2 and names the file and line or the JSON problem",
        arguments: [
            ("10\n11\nabc\n", "control.txt:3: 'abc' is not a number"),
            ("1\nnan\n", "control.txt:2: 'nan' is not a finite number"),
            ("[1, \"2\"]", "control.txt: element 1 of the JSON array is a string"),
            ("{\"a\": 1}", "control.txt: the JSON document is an object"),
            ("[1, 2", "control.txt: invalid JSON"),
        ])
    func commandBadInput(content: String, message: String) async throws {
        let folder = try TemporaryFolder("greenlight-judge")
        defer { folder.remove() }
        let control = folder.appending("control.txt")
        let experiment = folder.appending("experiment.txt")
        try content.write(to: control, atomically: true, encoding: .utf8)
        try "1\n2\n3\n".write(to: experiment, atomically: true, encoding: .utf8)
        let result = try await run(["judge", "--control", control.path, "--experiment", experiment.path])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains(message), "\(result.output)")
    }

    @Test("a missing file, both on stdin, a bad confidence or tolerance: exit 2 with the reason")
    func commandUsage() async throws {
        let missing = try await run(["judge", "--control", "/nonexistent/c.txt", "--experiment", "/nonexistent/e.txt"])
        #expect(missing.status == 2 && missing.output.contains("/nonexistent/c.txt: no such file"), "\(missing.output)")
        for (arguments, message) in [
            (["--control", "-", "--experiment", "-"], "cannot both read standard input"),
            (["--control", "a", "--experiment", "b", "--confidence", "1.5"], "--confidence must be"),
            (["--control", "a", "--experiment", "b", "--tolerance=-1"], "--tolerance must be"),
            (["--control", "a", "--experiment", "b", "--direction", "up"], "--direction must be"),
        ] {
            let result = try await run(["judge"] + arguments)
            #expect(result.status == 2 && result.output.contains(message), "\(result.output)")
        }
    }
}
