import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

#if canImport(Glibc)
import Glibc
#endif

@Suite("greenlight's webhook receiver")
struct WebhookReceiverTests {
    /// A version 4 payload as Alertmanager's webhook integration posts it.
    static func payload(testID: String = "t-1", version: String = "4", receiver: String = "oncall") -> String {
        """
        {"version":"\(version)","groupKey":"{}:{alertname=\\"CheckoutDown\\"}","truncatedAlerts":0,"status":"firing",
         "receiver":"\(receiver)","groupLabels":{"alertname":"CheckoutDown"},
         "commonLabels":{"alertname":"CheckoutDown","greenlight_test_id":"\(testID)"},
         "commonAnnotations":{"runbook_url":"https://runbooks.example/checkout-down"},
         "externalURL":"http://am.example:9093",
         "alerts":[{"status":"firing","labels":{"alertname":"CheckoutDown","greenlight_test_id":"\(testID)"},
           "annotations":{"runbook_url":"https://runbooks.example/checkout-down"},
           "startsAt":"2026-01-01T10:00:00.123Z","endsAt":"0001-01-01T00:00:00Z",
           "generatorURL":"","fingerprint":"5c5176260fdcb664"}]}
        """
    }

    static func withReceiver(_ body: (WebhookReceiver) async throws -> Void) async throws {
        let receiver = try await WebhookReceiver.start(on: "127.0.0.1:0")
        do {
            try await body(receiver)
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    @Test("a notification is answered 200 and recorded with its arrival time")
    func records() async throws {
        try await Self.withReceiver { receiver in
            let before = ContinuousClock.now
            let answer = try await LoopbackHTTPRequest.send(
                port: receiver.port, method: "POST", path: "/page", body: Self.payload())
            #expect(answer.status == 200)
            let found = await receiver.notification(until: .now + .seconds(1)) {
                $0.notification.alert(labelled: "greenlight_test_id", "t-1") != nil
            }
            let received = try #require(found)
            #expect(received.arrived >= before && received.arrived <= .now)
            #expect(received.path == "/page")
            #expect(received.notification.receiver == "oncall")
            #expect(received.notification.groupLabels == ["alertname": "CheckoutDown"])
            #expect(
                received.notification.alerts.first?.annotations["runbook_url"]
                    == "https://runbooks.example/checkout-down")
            #expect(receiver.problems.isEmpty)
        }
    }

    @Test("a wait ends when the notification comes, or empty at its deadline")
    func waits() async throws {
        try await Self.withReceiver { receiver in
            let port = receiver.port
            let sender = Task {
                try await Task.sleep(for: .milliseconds(300))
                _ = try await LoopbackHTTPRequest.send(
                    port: port, method: "POST", path: "/", body: Self.payload(testID: "late"))
            }
            let (late, waited) = await Timing.measured {
                await receiver.notification(until: .now + .seconds(5)) {
                    $0.notification.alert(labelled: "greenlight_test_id", "late") != nil
                }
            }
            try await sender.value
            #expect(late != nil)
            #expect(waited >= 0.25 && waited < 2, "\(waited) s")

            let (none, gaveUp) = await Timing.measured {
                await receiver.notification(until: .now + .milliseconds(300)) {
                    $0.notification.alert(labelled: "greenlight_test_id", "never") != nil
                }
            }
            #expect(none == nil)
            #expect(gaveUp >= 0.25 && gaveUp < 1.5, "\(gaveUp) s")
        }
    }

    @Test("a cancelled wait ends at once")
    func cancelledWait() async throws {
        try await Self.withReceiver { receiver in
            let wait = Task {
                await receiver.notification(until: .now + .seconds(30)) { _ in false }
            }
            try await Task.sleep(for: .milliseconds(100))
            wait.cancel()
            let (found, seconds) = await Timing.measured { await wait.value }
            #expect(found == nil)
            #expect(seconds < 1)
        }
    }

    @Test(
        "a payload it cannot read is answered 400 and kept as a problem",
        arguments: [
            ("not json", "the body is not JSON"),
            ("{\"version\":\"4\"}", "'groupKey' is missing"),
            (payload(version: "3"), "version \"3\" is not supported: greenlight reads webhook payload version 4"),
            (
                payload().replacingOccurrences(
                    of: "\"alerts\":[{\"status\":\"firing\"", with: "\"alerts\":[{\"status\":\"burning\""),
                "'alerts[0].status' is \"burning\", not firing or resolved"
            ),
            (
                payload().replacingOccurrences(of: "\"fingerprint\":\"5c5176260fdcb664\"", with: "\"fingerprint\":7"),
                "'alerts[0].fingerprint' is not a string"
            ),
            ("", "the body is empty"),
        ])
    func refuses(body: String, problem: String) async throws {
        try await Self.withReceiver { receiver in
            let answer = try await LoopbackHTTPRequest.send(
                port: receiver.port, method: "POST", path: "/hook", body: body)
            #expect(answer.status == 400)
            #expect(answer.body.contains(problem), "\(answer.body)")
            #expect(receiver.problems == ["/hook: \(problem)"])
            #expect(receiver.notifications.isEmpty)
            // It goes on serving.
            let next = try await LoopbackHTTPRequest.send(
                port: receiver.port, method: "POST", path: "/", body: Self.payload())
            #expect(next.status == 200)
        }
    }

    @Test("anything but POST is answered 405")
    func onlyPost() async throws {
        try await Self.withReceiver { receiver in
            let answer = try await LoopbackHTTPRequest.send(port: receiver.port, path: "/")
            #expect(answer.status == 405)
            #expect(receiver.problems.isEmpty)
        }
    }

    @Test("an address in use or not host:port is refused in words")
    func cannotListen() async throws {
        let taken = SilentListener()
        defer { taken.close() }
        await #expect {
            try await WebhookReceiver.start(on: "127.0.0.1:\(taken.port)")
        } throws: { error in
            "\(error)" == "cannot listen on 127.0.0.1:\(taken.port) for Alertmanager's notifications: "
                + "the address is in use (another program listens there)"
        }
        #expect(throws: WebhookReceiverError.self) { try WebhookReceiver.endpoint("localhost") }
        let v6 = try WebhookReceiver.endpoint("[::1]:9097")
        #expect(v6.host == "::1" && v6.port == 9097)
    }

    @Test("it stops promptly although Alertmanager keeps its connection open")
    func stops() async throws {
        let receiver = try await WebhookReceiver.start(on: "127.0.0.1:0")
        // A kept-alive connection, idle after one request.
        let idle = try Self.keptAlive(port: receiver.port)
        defer { close(idle) }
        try await Task.sleep(for: .milliseconds(200))
        let (_, seconds) = await Timing.measured { await receiver.stop() }
        #expect(seconds < 2, "\(seconds) s")
        #expect(!Loopback.canConnect(receiver.port))
    }

    /// A connection that sent one HTTP/1.1 notification and stays open, as Alertmanager's client keeps it.
    static func keptAlive(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Loopback.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw CommandFailure("cannot connect to port \(port)") }
        let body = payload()
        let request =
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        _ = request.withCString { write(fd, $0, strlen($0)) }
        return fd
    }
}
