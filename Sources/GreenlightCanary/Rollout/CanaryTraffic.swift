import Foundation
import GreenlightCore
import GreenlightHTTP

/// What sets the canary's share of the traffic: greenlight's router through its admin API, or a
/// command that drives a mesh or a load balancer (`router: command`). The rollout controller only
/// ever calls this, so its judge and policy work the same in front of either.
public protocol CanaryTraffic: Sendable {
    /// Sets the canary's weight, 0 to 100 percent (to hundredths); throws when it could not be set everywhere.
    func setWeight(_ percent: Double) async throws
    /// Where the weight goes, for messages: `router http://127.0.0.1:8081` or `command kubectl …`.
    var description: String { get }
}

public struct CanaryTrafficError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The built-in router's admin API: `POST /weight {"weight": N}` to every router (several can run
/// behind a load balancer; they must all take it).
public struct RouterAdminTraffic: CanaryTraffic {
    public let admins: [String]
    let token: String?
    let session: HTTPSession
    let timeout: Duration

    public init(admins: [String], token: String?, session: HTTPSession, timeout: Duration = .seconds(5)) {
        self.admins = admins.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.token = token
        self.session = session
        self.timeout = timeout
    }

    public var description: String { "router \(admins.joined(separator: ", "))" }

    public func setWeight(_ percent: Double) async throws {
        let body = Data("{\"weight\": \(Format.number(percent))}".utf8)
        // All at once: a rollback must not wait for one slow router before telling the next.
        let failures = await withTaskGroup(of: String?.self) { group in
            for admin in admins {
                group.addTask {
                    do {
                        let response = try await send("POST", admin + "/weight", body: body)
                        return response.status == 200 ? nil : "\(admin): HTTP \(response.status) \(response.bodyText)"
                    } catch {
                        return "\(admin): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if !failures.isEmpty {
            throw CanaryTrafficError(
                "weight \(Format.number(percent)) % not set on \(failures.joined(separator: "; "))")
        }
    }

    func send(_ method: String, _ url: String, body: Data = Data()) async throws -> HTTPResponseRecord {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let token, !token.isEmpty { headers.append(("Authorization", "Bearer \(token)")) }
        return try await session.send(
            HTTPRequestRecord(method: method, url: url, headers: headers, body: body), timeout: timeout)
    }
}

/// `router: command`: the spec's command with `{{percent}}` replaced, run by `/bin/sh` in the spec's
/// folder with a timeout; a non-zero exit or a timeout is a failure.
public struct CommandTraffic: CanaryTraffic {
    public let command: String
    let directory: String
    let timeout: Duration

    public init(command: String, directory: String, timeout: Duration = .seconds(60)) {
        self.command = command
        self.directory = directory
        self.timeout = timeout
    }

    public var description: String { "command \(command)" }

    public func setWeight(_ percent: Double) async throws {
        let line = command.replacingOccurrences(of: "{{percent}}", with: Format.number(percent))
        let outcome = await ShellCommand(line, directory: directory, timeout: timeout).run()
        if let launchError = outcome.launchError {
            throw CanaryTrafficError("cannot run the router command: \(launchError)")
        }
        if outcome.timedOut {
            throw CanaryTrafficError("the router command did not finish within \(timeout): \(line)")
        }
        guard outcome.exitCode == 0 else {
            let output = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
            throw CanaryTrafficError(
                "the router command exited \(outcome.exitCode.map(String.init) ?? "by a signal")"
                    + (output.isEmpty ? "" : ": \(output.suffix(300))"))
        }
    }
}
