import Crypto
import Foundation
import GreenlightJSON
import GreenlightLedger
import GreenlightTestSupport
import Testing

@testable import GreenlightWebhooks

/// What each target sends, delivered to a real receiver from a real ledger.
@Suite struct WebhookPayloadTests {
    static let secretKey = Data((0..<32).map { UInt8($0 * 7 % 256) })
    static var secret: String { "whsec_" + secretKey.base64EncodedString() }

    @Test func jsonDeliveryIsSignedAsStandardWebhooksSay() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let receiver = try await RecordingReceiver()
            defer { Task { await receiver.shutdown() } }
            let target = try WebhookTarget.json(name: "audit", url: receiver.url + "/hooks", secret: Self.secret)
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast().startingFromFirstRecord)
            let request = try await running(dispatcher) {
                try await ledger.releaseRecord(ticket: "https://github.com/acme/checkout/issues/12")
                try await ledger.gate(open: true)
                #expect(await eventually { receiver.count == 1 })
                return receiver.requests.current.first
            }
            let received = try #require(request)
            #expect(received.method == "POST")
            #expect(received.path == "/hooks")
            #expect(received.header("Content-Type") == "application/json")
            let id = try #require(received.header("webhook-id"))
            let timestamp = try #require(received.header("webhook-timestamp").flatMap { Int($0) })
            #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 60)

            // HMAC-SHA256 over "id.timestamp.body" with the base64-decoded secret, computed here.
            var content = Data("\(id).\(timestamp).".utf8)
            content.append(received.body)
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: Self.secretKey))
            #expect(received.header("webhook-signature") == "v1," + Data(mac).base64EncodedString())

            let body = try JSONValue(parsing: received.body)
            #expect(body["id"] == .string(id))
            #expect(body["type"] == .string("gate.decided"))
            #expect(body["release"] == .string(WebhookLedger.release))
            #expect(body["ticket"] == .string("https://github.com/acme/checkout/issues/12"))
            #expect(body["sequence"] == .int(2))
            #expect(body["record_hash"].flatMap { if case .string(let h) = $0 { h.count } else { nil } } == 64)
            #expect(body["data"]?["open"] == .bool(true))
            #expect(body["data"]?["report_digest"] == .string(WebhookLedger.digest))
            #expect(body["summary"] == .string("checkout@2.14.0: gate OPEN (engineering ✓ alice, sre ✓ bob)"))
        }
    }

    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// The same signature checked with Python's hmac module, as a receiver written in Python would.
    @Test(.enabled(if: python != nil, "needs python3"))
    func pythonVerifiesTheSignature() throws {
        try withTemporaryFolder { folder in
            let python = try #require(Self.python)
            let id = "7-0123456789abcdef"
            let timestamp = 1_764_551_000
            let body = Data(#"{"type":"gate.decided","data":{"open":true,"note":"ünïcode"}}"#.utf8)
            let key = try #require(WebhookSignature.key(secret: Self.secret))
            let signature = WebhookSignature.sign(id: id, timestamp: timestamp, body: body, key: key)
            try body.write(to: folder.appending("body"))
            let script = """
                import base64, hashlib, hmac, sys
                secret, msg_id, ts, sig, path = sys.argv[1:]
                key = base64.b64decode(secret.split("_", 1)[1])
                body = open(path, "rb").read()
                mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
                expected = "v1," + base64.b64encode(mac).decode()
                sys.exit(0 if hmac.compare_digest(expected, sig) else 1)
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [
                "-c", script, Self.secret, id, String(timestamp), signature, folder.appending("body").path,
            ]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
    }

    /// The test vector of the Standard Webhooks libraries.
    @Test func signatureMatchesTheSpecificationsTestVector() throws {
        let key = try #require(WebhookSignature.key(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Data(#"{"test": 2432232314}"#.utf8),
            key: key)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func verifyAcceptsTheSignatureAndRefusesTamperingOrAnOldTimestamp() throws {
        let key = try #require(WebhookSignature.key(secret: Self.secret))
        let body = Data("{}".utf8)
        let now = Date()
        let timestamp = Int(now.timeIntervalSince1970)
        let header = "v1,bogus " + WebhookSignature.sign(id: "1-a", timestamp: timestamp, body: body, key: key)
        #expect(WebhookSignature.verify(id: "1-a", timestamp: timestamp, body: body, header: header, key: key))
        #expect(!WebhookSignature.verify(id: "1-b", timestamp: timestamp, body: body, header: header, key: key))
        #expect(
            !WebhookSignature.verify(id: "1-a", timestamp: timestamp, body: Data("{ }".utf8), header: header, key: key))
        #expect(
            !WebhookSignature.verify(
                id: "1-a", timestamp: timestamp, body: body, header: header, key: key, now: now + 3600))
        // A raw secret (no whsec_ prefix) is used as its bytes.
        let raw = try #require(WebhookSignature.key(secret: "plain-secret"))
        #expect(raw == SymmetricKey(data: Data("plain-secret".utf8)))
        #expect(WebhookSignature.key(secret: "whsec_!!!") == nil)
    }

    @Test func slackMessageHasTextAndBlocks() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let receiver = try await RecordingReceiver()
            defer { Task { await receiver.shutdown() } }
            let hook = receiver.url + "/services/T000/B000/XXXXSECRET"
            let target = try WebhookTarget.slack(name: "chat", url: hook, events: [.gateDecided, .rolloutRollback])
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast().startingFromFirstRecord)
            let bodies = try await running(dispatcher) {
                try await ledger.releaseRecord(ticket: nil)
                try await ledger.report()
                try await ledger.gate(open: true)
                try await ledger.rollout("step", from: .int(0), to: .double(0.5))
                try await ledger.rollout("rollback", from: .int(25), to: .int(0), reason: "p99 <High> & errors")
                #expect(await eventually { receiver.count == 2 })
                return try receiver.requests.current.map { try JSONValue(parsing: $0.body) }
            }
            #expect(bodies.count == 2)
            #expect(bodies.first?["text"] == .string("checkout@2.14.0: gate OPEN (engineering ✓ alice, sre ✓ bob)"))
            let section = bodies.first?["blocks"].flatMap { if case .array(let b) = $0 { b.first } else { nil } }
            #expect(section?["type"] == .string("section"))
            #expect(section?["text"]?["type"] == .string("mrkdwn"))
            #expect(
                section?["text"]?["text"]
                    == .string("*checkout@2.14.0*: gate OPEN (engineering ✓ alice, sre ✓ bob)"))
            #expect(
                bodies.last?["text"]
                    == .string("checkout@2.14.0: canary ROLLED BACK from 25 % to 0 %: p99 <High> & errors"))
            let rollbackSection = bodies.last?["blocks"].flatMap { if case .array(let b) = $0 { b.first } else { nil } }
            #expect(
                rollbackSection?["text"]?["text"]
                    == .string("*checkout@2.14.0*: canary ROLLED BACK from 25 % to 0 %: p99 &lt;High&gt; &amp; errors"))
        }
    }

    @Test(arguments: [
        ("https://github.com/acme/checkout/issues/12", "/repos/acme/checkout/issues/12/comments"),
        ("https://github.com/acme/checkout/pull/34/files", "/repos/acme/checkout/issues/34/comments"),
        ("acme/checkout#56", "/repos/acme/checkout/issues/56/comments"),
    ])
    func githubCommentGoesToTheTicketsIssue(ticket: String, path: String) async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let receiver = try await RecordingReceiver { _ in .init(status: 201, body: #"{"id":1}"#) }
            defer { Task { await receiver.shutdown() } }
            let token = "ghp_0123456789abcdefSECRET"
            let target = try WebhookTarget.github(
                name: "tickets", token: token, api: receiver.url + "/", events: [.gateDecided])
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast().startingFromFirstRecord)
            let request = try await running(dispatcher) {
                try await ledger.releaseRecord(ticket: ticket)
                try await ledger.report()
                try await ledger.gate(open: false, missing: ["no approval by sre of report sha256:abab"])
                #expect(await eventually { dispatcher.deliveries().first?.status == .delivered })
                return receiver.requests.current.first
            }
            let received = try #require(request)
            #expect(received.method == "POST")
            #expect(received.path == path)
            #expect(received.header("Authorization") == "Bearer \(token)")
            #expect(received.header("Accept") == "application/vnd.github+json")
            #expect(received.header("X-GitHub-Api-Version") == "2022-11-28")
            let body = try JSONValue(parsing: received.body)
            guard case .string(let markdown)? = body["body"] else {
                Issue.record("no body member in \(body.serialized())")
                return
            }
            #expect(
                markdown.hasPrefix(
                    "**greenlight** · `checkout@2.14.0` · gate CLOSED (no approval by sre of report sha256:abab)"))
            #expect(markdown.contains("- ✗ no approval by sre of report sha256:abab"))
            #expect(markdown.contains("- asked by: ci deploy #812"))
            #expect(markdown.contains("- ticket: \(ticket)"))
        }
    }

    @Test func githubTargetWithoutAnIssueSkips() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let target = try WebhookTarget.github(name: "tickets", token: "ghp_x1234567", api: "http://127.0.0.1:1")
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast().startingFromFirstRecord)
            try await running(dispatcher) {
                try await ledger.releaseRecord(ticket: "PAY-1234")
                try await ledger.gate(open: true)
                #expect(await eventually { dispatcher.deliveries().first?.status == .skipped })
            }
            #expect(dispatcher.deliveries().first?.error?.contains("'PAY-1234'") == true)
            #expect(dispatcher.failureCount == 0)
        }
    }

    @Test func targetsDecodeFromConfiguration() throws {
        let json = """
            [{"name": "audit", "type": "json", "url": "https://hooks.example.com/in", "secret": "whsec_c2VjcmV0",
              "events": ["gate.decided", "rollout.rollback"]},
             {"name": "chat", "type": "slack", "url": "https://hooks.slack.com/services/T/B/X"},
             {"name": "gh", "type": "github", "token": "t0ken123", "repository": "acme/releases", "issue": 7}]
            """
        let targets = try JSONDecoder().decode([WebhookTarget].self, from: Data(json.utf8))
        #expect(targets.map(\.kind) == [.json, .slack, .github])
        #expect(targets[0].events == [.gateDecided, .rolloutRollback])
        #expect(targets[0].wants(.gateDecided) && !targets[0].wants(.reportRecorded))
        #expect(targets[1].events == nil && targets[1].wants(.signoffRecorded))
        #expect(targets[2].api == "https://api.github.com")
        #expect(targets[1].description == "chat (slack, hooks.slack.com)")

        let unknown =
            #"[{"name": "x", "type": "json", "url": "https://a.example", "secret": "s3cret", "events": ["gate"]}]"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode([WebhookTarget].self, from: Data(unknown.utf8)) }
        #expect(throws: WebhookConfigurationError.self) {
            try WebhookTarget(name: "nosecret", kind: .json, url: "https://a.example")
        }
        #expect(throws: WebhookConfigurationError.self) {
            try WebhookTarget.github(name: "half", token: "t0ken123", repository: "acme/releases")
        }
    }

    @Test(arguments: [
        ("https://github.com/o/r/issues/9", "o/r", 9),
        ("https://github.com/o/r/pull/10#issuecomment-1", "o/r", 10),
        ("o/r#11", "o/r", 11),
        ("https://ghe.example.com/o/r/issues/12", "o/r", 12),
    ])
    func ticketsNameIssues(ticket: String, repository: String, number: Int) {
        let issue = GitHubIssue(ticket: ticket, host: "ghe.example.com")
        #expect(issue?.repository == repository)
        #expect(issue?.number == number)
    }

    @Test(arguments: ["PAY-123", "https://jira.example.com/browse/PAY-123", "https://github.com/o/r", "#12", ""])
    func otherTicketsNameNoIssue(ticket: String) {
        #expect(GitHubIssue(ticket: ticket) == nil)
    }
}

extension WebhookDispatcher.Configuration {
    var startingFromFirstRecord: Self {
        var copy = self
        copy.fromStart = true
        return copy
    }
}
