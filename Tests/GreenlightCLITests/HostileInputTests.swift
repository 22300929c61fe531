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
}
