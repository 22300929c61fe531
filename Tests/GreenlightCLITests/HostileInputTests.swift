import Foundation
import GreenlightTestSupport
import Testing

// What the binary does with input and surroundings that are not what it expects (issue 9).

@Suite("Output that cannot be written")
struct UnwritableOutputTests {
    @Test(
        "a full or closed stdout is reported on stderr with exit 1, never a crash",
        arguments: [
            (["schema"], "> /dev/full", "No space left on device"),
            (["validate", CLI.example], "> /dev/full", "No space left on device"),
            // A closed stdout: the reason depends on what took descriptor 1 meanwhile.
            (["risk", "--show-policy"], ">&-", ""),
            (["demo", "--print-spec"], "> /dev/full", "No space left on device"),
        ])
    func unwritable(arguments: [String], redirect: String, reason: String) throws {
        let command = ([CLI.binary.path] + arguments).map { "'\($0)'" }.joined(separator: " ") + " " + redirect
        let r = try CLI.runProgram("/bin/sh", ["-c", command])
        #expect(r.status == 1, "\(r.all)")
        #expect(r.stderr.contains("greenlight: cannot write to standard output: \(reason)"), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"), "\(r.stderr)")
    }
}

@Suite("Control characters in a spec")
struct SpecControlCharacterTests {
    @Test("validate prints a spec's escape sequences inert, in its verdict line and in diagnostics")
    func inert() throws {
        let folder = try TemporaryFolder("gl-esc")
        defer { folder.remove() }
        let valid = try folder.write(
            "version: 1\nservice: { name: svc, version: \"1.0\\u001b[2J\", owner: team }\nrisk: { likelihood: 1, impact: 1 }\n",
            to: "valid.yaml")
        let ok = try CLI.run(["validate", valid.path])
        #expect(ok.status == 0, "\(ok.all)")
        #expect(ok.stdout.contains("valid: svc 1.0\u{FFFD}[2J"), "\(ok.stdout)")
        let invalid = try folder.write(
            "version: 1\nservice: { name: \"a\\u001b[31mred\\u0007\", version: 1.0.0, owner: team }\n",
            to: "invalid.yaml")
        let bad = try CLI.run(["validate", invalid.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("got 'a\u{FFFD}[31mred\u{FFFD}'"), "\(bad.stderr)")
        for r in [ok, bad] {
            #expect(!r.all.unicodeScalars.contains("\u{1B}"))
            #expect(!r.all.unicodeScalars.contains("\u{07}"))
        }
    }
}

@Suite("Paths that cannot be written")
struct UnwritablePathTests {
    @Test(
        "a report folder or an init file that cannot be written is refused plainly, before anything runs",
        arguments: [
            (["check", CLI.example, "--report-dir", "FILE/out"], "--report-dir: FILE is a file, not a folder"),
            (["check", CLI.example, "--report-dir", ""], "--report-dir: the path is empty; name a folder"),
            (["demo", "--report-dir", "FILE"], "--report-dir: FILE is a file, not a folder"),
            (["init", "--output", "DIR"], "cannot write DIR: DIR is a folder; name a file"),
            (
                ["init", "--output", "FILE/release.yaml"],
                "cannot write FILE/release.yaml: FILE is a file, not a folder"
            ),
        ])
    func refused(arguments: [String], message: String) throws {
        let folder = try TemporaryFolder("gl-paths")
        defer { folder.remove() }
        let file = try folder.write("x", to: "file").path
        let dir = folder.path
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "FILE", with: file).replacingOccurrences(of: "DIR", with: dir)
        }
        let r = try CLI.run(arguments.map(fill))
        #expect(r.status == 2, "\(r.all)")
        #expect(r.stderr.contains(fill(message)), "\(r.stderr)")
        #expect(!r.all.contains("NSCocoaErrorDomain"))
    }
}

@Suite("Help text")
struct HelpWrappingTests {
    @Test(
        "overviews are paragraphs the parser wraps to the terminal, not lines hard-wrapped in the source",
        arguments: [
            (
                ["check", "--help"],
                "Validates the spec, collects the evidence of the checklist, applies waivers, assesses the risk"
            ),
            (
                ["--help"],
                "A release is described in one file, release.yaml. greenlight validates it, runs the readiness checks"
            ),
            (
                ["load", "--help"],
                "With a spec, runs its load section against an environment (default staging): the rate is"
            ),
        ])
    func paragraphs(arguments: [String], start: String) throws {
        let wide = try CLI.run(arguments, env: ["COLUMNS": "300"])
        #expect(wide.status == 0)
        let line = try #require(wide.stdout.split(separator: "\n").first { $0.hasPrefix(start.prefix(20)) })
        #expect(line.hasPrefix(start), "\(line)")
        let narrow = try CLI.run(arguments, env: ["COLUMNS": "80"])
        #expect(narrow.stdout.split(separator: "\n").filter { !$0.hasPrefix("USAGE") }.allSatisfy { $0.count <= 80 })
    }

    /// Every command path, found by walking the SUBCOMMANDS sections from the root.
    static func commandPaths() throws -> [[String]] {
        var found: [[String]] = []
        var queue: [[String]] = [[]]
        while let path = queue.popLast() {
            found.append(path)
            let help = try CLI.run(path + ["--help"], env: ["COLUMNS": "300"])
            let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("SUBCOMMANDS:") }) else { continue }
            for line in lines[(start + 1)...] {
                if line.isEmpty || !line.hasPrefix("  ") { break }
                guard let name = line.split(separator: " ").first, name.first?.isLetter == true else { continue }
                queue.append(path + [String(name)])
            }
        }
        return found
    }

    @Test("at 80 columns no example or usage line of any command's help is broken: each fits as written")
    func examplesFit() throws {
        let paths = try Self.commandPaths()
        #expect(paths.count > 30, "\(paths)")
        for path in paths {
            let wide = try CLI.run(path + ["--help"], env: ["COLUMNS": "300"])
            let narrow = try CLI.run(path + ["--help"], env: ["COLUMNS": "80"])
            #expect(wide.status == 0 && narrow.status == 0)
            // The overview and discussion: everything before USAGE. An indented line there is written as is
            // (an example, a list): the parser would break it mid-line if it did not fit in 79 columns (it
            // wraps a line of 80 too).
            let overview = wide.stdout.components(separatedBy: "\nUSAGE:").first ?? ""
            for line in overview.split(separator: "\n") where line.hasPrefix(" ") {
                #expect(
                    line.count < 80, "greenlight \(path.joined(separator: " ")) --help: \(line.count) columns: \(line)"
                )
            }
            // And what the narrow help shows of it is that line, whole.
            let narrowLines = Set(narrow.stdout.split(separator: "\n").map(String.init))
            for line in overview.split(separator: "\n") where line.hasPrefix(" ") && line.count < 80 {
                #expect(
                    narrowLines.contains(String(line)),
                    "greenlight \(path.joined(separator: " ")) --help at 80 columns breaks: \(line)")
            }
        }
    }
}
