import Foundation
import GreenlightTestSupport
import Testing

/// One hostile input through the binary: its class, what to run, and what must come back.
struct BadInput: CustomTestStringConvertible, Sendable {
    enum Class: String, Sendable {
        case crash = "numbers and files the code cannot hold"
        case secret = "secrets"
        case injection = "request injection"
        case misleading = "wrong or misleading answers"
        case peer = "network peers that stall or lie"
    }

    /// What answers on PORT, when the case needs a peer.
    enum Peer: Sendable {
        case none, ok, silent
    }

    var kind: Class
    var name: String
    /// The command line; `DIR` is the case's folder (holding `files`), `PORT` the peer's port.
    var arguments: [String]
    var env: [String: String] = [:]
    /// Files written into DIR first: name and text (`PORT` and `DIR` filled in).
    var files: [(String, String)] = []
    var peer: Peer = .none
    var status: Int32
    /// Text the output must hold, and text it must not (a secret, a library's raw words).
    var says: [String]
    var neverSays: [String] = []

    var testDescription: String { "\(kind.rawValue): \(name)" }
}

/// A spec around one extra section, with a healthy environment on PORT.
private func spec(_ extra: String = "", service: String = "shop") -> String {
    """
    version: 1
    service: { name: \(service), version: 1.0.0, owner: shop-team }
    risk: { likelihood: 2, impact: 2 }
    environments:
      staging: { url: "http://127.0.0.1:PORT" }
    \(extra)
    """
}

/// A result of `load --out`, a slice of a two-way split, with `replace` applied to its JSON text.
private let resultFile = "result.json"

private let secret = "s3cret-" + String(UUID().uuidString.prefix(8))

let badInputs: [BadInput] = [
    // Numbers and files the code cannot hold: refused at validation with the place, never a trap.
    BadInput(
        kind: .crash, name: "a peak of 1e300", arguments: ["load", "DIR/s.yaml"],
        files: [("s.yaml", spec("traffic: { expected_peak_rps: 1e300 }"))], status: 2,
        says: ["s.yaml:6:31: traffic.expected_peak_rps:"]),
    BadInput(
        kind: .crash, name: "a peak from the environment too big for any counter",
        arguments: ["validate", "DIR/s.yaml"],
        env: ["PEAK": "99999999999999999999999"],
        files: [("s.yaml", spec("traffic: { expected_peak_rps: \"${PEAK}\" }"))], status: 2,
        says: ["s.yaml:6:31: traffic.expected_peak_rps:"], neverSays: ["99999999999999999999999"]),
    BadInput(
        kind: .crash, name: "an environment URL with port 70000", arguments: ["smoke", "DIR/s.yaml"],
        files: [("s.yaml", spec().replacingOccurrences(of: "PORT", with: "70000"))], status: 2,
        says: ["s.yaml:5:19: environments.staging.url: has port 70000; a port is from 1 to 65535"]),
    BadInput(
        kind: .crash, name: "a dependency address with port 99999", arguments: ["deps", "DIR/s.yaml"],
        files: [("s.yaml", spec("dependencies:\n  - { name: db, kind: tcp, address: \"127.0.0.1:99999\" }"))],
        status: 2, says: ["s.yaml:7:37: dependencies[0].address:"]),
    BadInput(
        kind: .crash, name: "a peak times a multiplier beyond what the engine runs",
        arguments: ["load", "DIR/s.yaml", "--duration", "1s"],
        files: [
            (
                "s.yaml",
                spec(
                    """
                    traffic: { expected_peak_rps: 1000000000000 }
                    smoke: { scenarios: [{ name: home, steps: [{ request: { path: / } }] }] }
                    load: { multiplier: 1000000000000, duration: 5m, mix: [{ weight: 1, scenario: home }] }
                    """)
            )
        ], status: 2,
        says: [
            "s.yaml:8:21: load.multiplier: traffic.expected_peak_rps × load.multiplier",
            "asks for 1e+24 requests per second; the load engine runs at most 10000000",
        ]),
    BadInput(
        kind: .crash, name: "a metrics endpoint URL with port 70000", arguments: ["validate", "DIR/s.yaml"],
        files: [
            (
                "s.yaml",
                spec("observability: { metrics: { endpoint: 'http://127.0.0.1:70000/metrics' } }")
            )
        ], status: 2, says: ["observability.metrics.endpoint: has port 70000; a port is from 1 to 65535"]),
    BadInput(
        kind: .crash, name: "a runbook URL with port 70000", arguments: ["validate", "DIR/s.yaml"],
        files: [("s.yaml", spec("rollback: { runbook: 'https://wiki.example:70000/rollback' }"))], status: 2,
        says: ["has port 70000; a port is from 1 to 65535"]),
    BadInput(
        kind: .crash, name: "a result file with a count near 2^62", arguments: ["load", "merge", "DIR/result.json"],
        files: [(resultFile, "SENT:4611686018427387904")], status: 2,
        says: ["result.json", "more than a load test can count"]),
    BadInput(
        kind: .crash, name: "a result file with a profile of 1e300 seconds",
        arguments: ["load", "merge", "DIR/result.json"],
        files: [(resultFile, "SECONDS:1e300")], status: 2, says: ["result.json", "profile"]),
    BadInput(
        kind: .crash, name: "a result file nested deeper than any JSON parser should follow",
        arguments: ["load", "merge", "DIR/a.json"], files: [("a.json", String(repeating: "[", count: 100_000))],
        status: 2, says: ["a.json"]),

    // Secrets.
    BadInput(
        kind: .secret, name: "a secret that looks like a placeholder is data", arguments: ["validate", "DIR/s.yaml"],
        env: ["TOKEN": "{{\(secret)}}"],
        files: [
            (
                "s.yaml",
                spec(
                    """
                    smoke:
                      scenarios:
                        - name: home
                          steps:
                            - request: { path: /, headers: { Authorization: "Bearer ${TOKEN}" } }
                    """)
            )
        ], status: 0, says: ["valid"], neverSays: [secret]),
    BadInput(
        kind: .secret, name: "a token with a trailing CR (read from a CRLF file)", arguments: ["smoke", "DIR/s.yaml"],
        env: ["TOKEN": secret + "\r"],
        files: [
            (
                "s.yaml",
                spec(
                    """
                    smoke:
                      scenarios:
                        - name: home
                          steps:
                            - request: { path: /, headers: { Authorization: "Bearer ${TOKEN}" } }
                    """)
            )
        ], peer: .ok, status: 2,
        says: ["s.yaml:10:57: smoke.scenarios[0].steps[0].request.headers.Authorization: holds a line break"],
        neverSays: [secret]),
    BadInput(
        kind: .secret, name: "a dependency header whose token ends in CR", arguments: ["deps", "DIR/s.yaml"],
        env: ["TOKEN": secret + "\r"],
        files: [
            (
                "s.yaml",
                spec(
                    """
                    dependencies:
                      - { name: api, kind: http, url: "http://127.0.0.1:PORT/", headers: { Authorization: "Bearer ${TOKEN}" } }
                    """)
            )
        ], peer: .ok, status: 2, says: ["dependencies[0].headers.Authorization: holds a line break"],
        neverSays: [secret]),
    BadInput(
        kind: .secret, name: "a descriptor endpoint header whose token ends in CR",
        arguments: ["parity", "DIR/s.yaml"],
        env: ["TOKEN": secret + "\r"],
        files: [
            (
                "s.yaml",
                """
                version: 1
                service: { name: shop, version: 1.0.0, owner: shop-team }
                risk: { likelihood: 2, impact: 2 }
                environments:
                  staging: { url: "http://127.0.0.1:PORT", descriptor: { url: "http://127.0.0.1:PORT/d", headers: { Authorization: "Bearer ${TOKEN}" } } }
                  production: { url: "http://127.0.0.1:PORT", descriptor: { url: "http://127.0.0.1:PORT/d" } }
                parity: { compare: [staging, production] }
                """
            )
        ], peer: .ok, status: 2, says: ["environments.staging.descriptor.headers.Authorization: holds a line break"],
        neverSays: [secret]),

    // Request injection: every request greenlight builds is checked against RFC 9110.
    BadInput(
        kind: .injection, name: "a header value with CR LF on the command line",
        arguments: ["load", "--url", "http://127.0.0.1:PORT/", "-H", "X-A: a\r\nInjected: yes", "--duration", "1s"],
        peer: .ok, status: 2, says: ["--header"]),
    BadInput(
        kind: .injection, name: "a header name with a space",
        arguments: ["load", "--url", "http://127.0.0.1:PORT/", "-H", "Bad Name: x", "--duration", "1s"], peer: .ok,
        status: 2, says: ["--header"]),
    BadInput(
        kind: .injection, name: "a method that carries a request line",
        arguments: [
            "load", "--url", "http://127.0.0.1:PORT/", "--method", "GET /evil HTTP/1.1\r\nX:", "--duration", "1s",
        ],
        peer: .ok, status: 2, says: ["--method"]),
    BadInput(
        kind: .injection, name: "a spec header whose value from the environment holds CR LF",
        arguments: ["load", "DIR/s.yaml", "--duration", "1s"], env: ["H": "a\r\nInjected: yes"],
        files: [
            (
                "s.yaml",
                spec(
                    """
                    traffic: { expected_peak_rps: 5 }
                    smoke:
                      scenarios:
                        - name: home
                          steps:
                            - request: { path: /, headers: { X-A: "${H}" } }
                    load: { multiplier: 3, duration: 5m, mix: [{ weight: 1, scenario: home }] }
                    """)
            )
        ], peer: .ok, status: 2, says: ["request.headers.X-A: holds a line break"], neverSays: ["Injected: yes"]),

    // Wrong or misleading answers.
    BadInput(
        kind: .misleading, name: "port 0 on --url is bad input, not a refused connection",
        arguments: ["load", "--url", "http://127.0.0.1:0/", "--duration", "1s"], status: 2, says: ["port"],
        neverSays: ["refused"]),
    BadInput(
        kind: .misleading, name: "port 70000 on --url", arguments: ["load", "--url", "http://127.0.0.1:70000/"],
        status: 2, says: ["port"], neverSays: ["refused"]),
    BadInput(
        kind: .misleading, name: "a 20-digit port on --url overflows, and is out of range",
        arguments: ["load", "--url", "http://127.0.0.1:99999999999999999999/", "--duration", "1s"], status: 2,
        says: ["has port 99999999999999999999; a port is from 1 to 65535"], neverSays: ["refused"]),
    BadInput(
        kind: .misleading, name: "a 20-digit port in an environment URL", arguments: ["smoke", "DIR/s.yaml"],
        files: [("s.yaml", spec().replacingOccurrences(of: "PORT", with: "99999999999999999999"))], status: 2,
        says: ["environments.staging.url: has port 99999999999999999999"], neverSays: ["refused"]),
    BadInput(
        kind: .misleading, name: "escape sequences in init --service reach the terminal inert",
        arguments: ["init", "--service", "a\u{1B}[31mb", "-o", "-"], status: 2, says: ["--service"],
        neverSays: ["\u{1B}"]),
    BadInput(
        kind: .misleading, name: "escape sequences in a result file's target reach the terminal inert",
        arguments: ["load", "merge", "DIR/result.json", "DIR/other.json"],
        files: [(resultFile, "TARGET:http://evil\\u001b[31m.example/"), ("other.json", "")], status: 2,
        says: ["only slices of one test merge"], neverSays: ["\u{1B}"]),
    BadInput(
        kind: .misleading, name: "--rate inf names the real bounds",
        arguments: ["load", "--url", "http://127.0.0.1:PORT/", "--rate", "inf"], status: 2,
        says: ["--rate must be above 0 and at most 10000000"]),
    BadInput(
        kind: .misleading, name: "--rate 1e400 names the real bounds",
        arguments: ["load", "--url", "http://127.0.0.1:PORT/", "--rate", "1e400"], status: 2,
        says: ["at most 10000000"]),
    BadInput(
        kind: .misleading, name: "a rate that plans less than one request",
        arguments: ["load", "--url", "http://127.0.0.1:PORT/", "--rate", "0.0000001", "--duration", "2s"], status: 2,
        says: ["fewer than one"]),
    BadInput(
        kind: .misleading, name: "a service name that is not ASCII", arguments: ["validate", "DIR/s.yaml"],
        files: [("s.yaml", spec(service: "café"))], status: 2, says: ["s.yaml:2:18: service.name:", "ASCII"]),
    BadInput(
        kind: .misleading, name: "nesting in block style past libyaml's limit", arguments: ["validate", "DIR/s.yaml"],
        files: [
            ("s.yaml", "version: 1\nx:\n" + (1...1_100).map { String(repeating: " ", count: $0) + "k:\n" }.joined())
        ],
        status: 2, says: ["nesting is deeper than 128 levels"], neverSays: ["yaml_set_max_nest_level"]),
    BadInput(
        kind: .misleading, name: "escape sequences in a spec reach the terminal inert",
        arguments: ["validate", "DIR/s.yaml"], files: [("s.yaml", spec(service: #""bad\e]0;owned\a""#))],
        status: 2, says: ["service.name"], neverSays: ["\u{1B}", "\u{07}"]),
    BadInput(
        kind: .misleading, name: "--report-dir under a file",
        arguments: ["check", "DIR/s.yaml", "--report-dir", "DIR/s.yaml/r"],
        files: [("s.yaml", spec())], status: 2, says: ["is a file, not a folder"], neverSays: ["NSCocoaErrorDomain"]),
    // Every option that names a file or folder to write is checked before any work starts, and said plainly.
    BadInput(
        kind: .misleading, name: "load --out under a file, refused before the run",
        arguments: ["load", "--url", "http://127.0.0.1:PORT/", "--duration", "30s", "--out", "DIR/s.yaml/x.json"],
        files: [("s.yaml", spec())], peer: .ok, status: 2, says: ["--out: DIR/s.yaml is a file, not a folder"],
        neverSays: ["requests "]),
    BadInput(
        kind: .misleading, name: "load --out ''", arguments: ["load", "--url", "http://127.0.0.1:PORT/", "--out", ""],
        peer: .ok, status: 2, says: ["--out: the path is empty"]),
    BadInput(
        kind: .misleading, name: "load --out a folder",
        arguments: ["load", "--url", "http://127.0.0.1:PORT/", "--out", "DIR"],
        peer: .ok, status: 2, says: ["--out: DIR is a folder; name a file"]),
    BadInput(
        kind: .misleading, name: "load merge --out under a file",
        arguments: ["load", "merge", "DIR/result.json", "--out", "DIR/s.yaml/m.json"],
        files: [(resultFile, ""), ("s.yaml", spec())], status: 2, says: ["--out: DIR/s.yaml is a file, not a folder"]),
    BadInput(
        kind: .misleading, name: "key new --dir under a file", arguments: ["key", "new", "k", "--dir", "DIR/s.yaml/k"],
        files: [("s.yaml", spec())], status: 2, says: ["--dir: DIR/s.yaml is a file, not a folder"]),
    BadInput(
        kind: .misleading, name: "ledger init --ledger under a file",
        arguments: ["ledger", "init", "--ledger", "DIR/s.yaml/l.sqlite"], env: ["GREENLIGHT_KEYS": "DIR/keys"],
        files: [("s.yaml", spec())], status: 2, says: ["--ledger: DIR/s.yaml is a file, not a folder"]),
    BadInput(
        kind: .misleading, name: "demo --ledger under a file, refused before the demo",
        arguments: ["demo", "--ledger", "DIR/s.yaml/x.sqlite"], files: [("s.yaml", spec())], status: 2,
        says: ["--ledger: DIR/s.yaml is a file, not a folder"]),
    BadInput(
        kind: .misleading, name: "check --report-dir whose report.json is a folder",
        arguments: ["check", "DIR/s.yaml", "--report-dir", "DIR/rd"],
        files: [("s.yaml", spec()), ("rd/report.json/keep", "")], status: 2,
        says: ["--report-dir: DIR/rd/report.json is a folder; name a file"]),
    BadInput(
        kind: .misleading, name: "init -o where no file can be made",
        arguments: ["init", "--service", "shop", "-o", "/proc/greenlight-x.yaml"], status: 2,
        says: ["/proc"], neverSays: ["doesn’t exist", "doesn't exist"]),
    BadInput(
        kind: .misleading, name: "a result file whose started_at is not a date",
        arguments: ["load", "merge", "DIR/result.json"],
        files: [(resultFile, "STARTED:yesterday")], status: 2, says: ["started_at: 'yesterday' is not a date"],
        neverSays: ["a number does not fit"]),
    BadInput(
        kind: .misleading, name: "a result file holding an array", arguments: ["load", "merge", "DIR/a.json"],
        files: [("a.json", "[1, 2, 3]")], status: 2, says: ["the file must hold one JSON object"],
        neverSays: ["Dictionary<String, Any>"]),
    BadInput(
        kind: .misleading, name: "a result file with a negative count",
        arguments: ["load", "merge", "DIR/result.json"],
        files: [(resultFile, "SENT:-5")], status: 2, says: ["result.json"], neverSays: ["not JSON"]),
    BadInput(
        kind: .misleading, name: "slices of different tests of one URL",
        arguments: ["load", "merge", "DIR/result.json", "DIR/other.json"],
        files: [(resultFile, ""), ("other.json", "RATE:2000")], status: 2, says: ["ran different tests"]),
    BadInput(
        kind: .crash, name: "judge: a sample value too large for a double",
        arguments: ["judge", "--control", "DIR/c.txt", "--experiment", "DIR/e.txt"],
        files: [("c.txt", "1\n1e999\n"), ("e.txt", "2\n")], status: 2,
        says: ["DIR/c.txt:2: '1e999' is not a finite number"]),
    BadInput(
        kind: .crash, name: "judge: a folder given as a sample",
        arguments: ["judge", "--control", "DIR/d", "--experiment", "DIR/e.txt"],
        files: [("d/keep", ""), ("e.txt", "2\n")], status: 2, says: ["DIR/d: cannot be read as a file"]),
    BadInput(
        kind: .injection, name: "judge: a sample line with a terminal escape",
        arguments: ["judge", "--control", "DIR/c.txt", "--experiment", "DIR/e.txt"],
        files: [("c.txt", "1\n\u{1B}]0;owned\u{07}\n"), ("e.txt", "2\n")], status: 2,
        says: ["DIR/c.txt:2:", "is not a number"], neverSays: ["\u{1B}]0;"]),
    BadInput(
        kind: .misleading, name: "judge: an empty sample is Nodata, not a failure",
        arguments: ["judge", "--control", "DIR/c.txt", "--experiment", "DIR/e.txt"],
        files: [("c.txt", "# nothing yet\n"), ("e.txt", "2\n3\n")], status: 0, says: ["Nodata"]),

    // Network peers that stall or lie.
    BadInput(
        kind: .peer, name: "a silent target: greenlight closed it after its timeout",
        arguments: ["load", "--url", "http://127.0.0.1:PORT/", "--rate", "5", "--duration", "1s", "--timeout", "1s"],
        peer: .silent, status: 1, says: ["timeout 5", "no response within 1 s"],
        neverSays: ["the server closed a connection before answering"]),
]

@Suite("Bad input, class by class", .serialized)
struct BadInputTableTests {
    /// A result file for `load merge` cases: a real one from a short run against `port`, then edited.
    static func resultText(port: Int, folder: TemporaryFolder) throws -> String {
        let out = folder.appending("fresh.json").path
        let r = try CLI.run([
            "load", "--url", "http://127.0.0.1:\(port)/", "--rate", "20", "--duration", "1s", "--shard", "1/2",
            "--out", out, "-q",
        ])
        #expect(r.status == 0, "\(r.all)")
        return try String(contentsOfFile: out, encoding: .utf8)
    }

    /// `SENT:…`, `SECONDS:…`, `RATE:…` and `TARGET:…` edit one value of a real result; other text is the file itself.
    static func edited(_ edit: String, from result: String) -> String {
        func replacing(_ pattern: String, _ value: String) -> String {
            guard let range = result.range(of: pattern, options: .regularExpression) else {
                Issue.record("no \(pattern) in a result file")
                return result
            }
            let key = result[range].prefix { $0 != ":" }
            return result.replacingCharacters(in: range, with: "\(key):\(value)")
        }
        if edit.isEmpty { return result }
        if edit.hasPrefix("SENT:") { return replacing(#""sent":[0-9]+"#, String(edit.dropFirst(5))) }
        if edit.hasPrefix("SECONDS:") { return replacing(#""seconds":[0-9.e+]+"#, String(edit.dropFirst(8))) }
        if edit.hasPrefix("STARTED:") {
            return replacing(#""started_at":"[^"]*""#, "\"" + edit.dropFirst(8) + "\"")
        }
        if edit.hasPrefix("RATE:") { return replacing(#""rate":[0-9.e+]+"#, String(edit.dropFirst(5))) }
        if edit.hasPrefix("TARGET:") {
            return replacing(#""target":"[^"]*""#, "\"" + String(edit.dropFirst(7)) + "\"")
        }
        return edit
    }

    @Test("each bad input ends with its exit code and a message that says what is wrong", arguments: badInputs)
    func badInput(_ c: BadInput) async throws {
        let folder = try TemporaryFolder("gl-bad")
        defer { folder.remove() }
        let peer: LoopbackHTTPServer? =
            switch c.peer {
            case .none: nil
            case .ok: try await LoopbackHTTPServer(.ok)
            case .silent: try await LoopbackHTTPServer(.silent)
            }
        let port = peer?.port ?? 1
        let helper = c.files.contains { $0.0.hasSuffix(".json") } ? try await LoopbackHTTPServer(.ok) : nil
        let result = try helper.map { try Self.resultText(port: $0.port, folder: folder) } ?? ""
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "DIR", with: folder.path).replacingOccurrences(of: "PORT", with: "\(port)")
        }
        for (name, text) in c.files {
            let body = name.hasSuffix(".json") && !text.hasPrefix("[") ? Self.edited(text, from: result) : fill(text)
            try folder.write(body, to: name)
        }
        let r = try CLI.run(c.arguments.map(fill), env: c.env, timeout: 30)
        await peer?.shutdown()
        await helper?.shutdown()
        #expect(r.status == c.status, "exit \(r.status): \(r.all)")
        for text in c.says.map(fill) {
            #expect(r.all.contains(text), "no '\(text)' in: \(r.all)")
        }
        for text in c.neverSays {
            #expect(!r.all.contains(text), "'\(text)' in: \(r.all)")
        }
        // Never a crash: no trap, no backtrace, no library's internal names.
        #expect(![132, 133, 134, 139].contains(r.status))
        for text in ["Fatal error", "Backtrace", "NSCocoaErrorDomain", "Swift.DecodingError"] {
            #expect(!r.all.contains(text), "'\(text)' in: \(r.all)")
        }
    }

    @Test("the table has cases of every class")
    func coverage() {
        let classes = Set(badInputs.map(\.kind.rawValue))
        #expect(classes.count == 5)
        #expect(badInputs.count >= 25)
    }
}
