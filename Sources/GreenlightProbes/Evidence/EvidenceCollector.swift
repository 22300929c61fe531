import Foundation
import GreenlightCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Collects the evidence behind custom checklist items: files that must exist, URLs that must
/// answer 2xx, commands that must exit 0 in time. Items are checked concurrently, a few at a time.
public struct EvidenceCollector: Sendable {
    public var directory: String
    public var concurrency: Int

    public init(directory: String, concurrency: Int = 8) {
        self.directory = directory
        self.concurrency = max(1, concurrency)
    }

    /// One result per item, keyed by item id.
    public func collect(_ items: [CustomItem]) async -> [String: CheckResult] {
        var results: [String: CheckResult] = [:]
        await withTaskGroup(of: (String, CheckResult).self) { group in
            var pending = items[...]
            func startNext() {
                guard let item = pending.popFirst() else { return }
                group.addTask { (item.id, await self.check(item)) }
            }
            for _ in 0..<concurrency { startNext() }
            while let (id, result) = await group.next() {
                results[id] = result
                startNext()
            }
        }
        return results
    }

    public func check(_ item: CustomItem) async -> CheckResult {
        let start = ContinuousClock.now
        var result: CheckResult
        switch item.evidence.kind {
        case .file(let path): result = checkFile(path)
        case .url(let url): result = await checkURL(url, timeout: item.evidence.timeout)
        case .command(let command): result = await checkCommand(command, timeout: item.evidence.timeout)
        }
        result.id = "checklist.\(item.id)"
        result.title = item.title
        result.durationSeconds = ShellCommand.seconds(ContinuousClock.now - start)
        return result
    }

    func make(_ status: CheckStatus, _ summary: String, details: [String] = [], evidence: [CheckResult.EvidenceRecord])
        -> CheckResult
    {
        CheckResult(
            id: "", title: "", category: .checklist, status: status, summary: summary, details: details,
            evidence: evidence)
    }

    func checkFile(_ path: String) -> CheckResult {
        let resolved = SpecPath.resolve(path, in: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            return make(
                .fail, "file \(path) does not exist (looked for \(resolved))",
                evidence: [.init(kind: "file", reference: path)])
        }
        if isDirectory.boolValue {
            return make(.pass, "folder \(path) exists", evidence: [.init(kind: "file", reference: path)])
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            return make(
                .fail, "file \(path) exists but cannot be read", evidence: [.init(kind: "file", reference: path)])
        }
        if data.isEmpty {
            return make(
                .fail, "file \(path) is empty",
                evidence: [.init(kind: "file", reference: path, sha256: Hashing.sha256Hex(data))])
        }
        return make(
            .pass, "file \(path) exists (\(data.count) bytes)",
            evidence: [.init(kind: "file", reference: path, sha256: Hashing.sha256Hex(data))])
    }

    func checkURL(_ url: String, timeout: SpecDuration) async -> CheckResult {
        let shown = url
        let evidence = [CheckResult.EvidenceRecord(kind: "url", reference: shown)]
        guard let target = URL(string: url) else { return make(.fail, "\(shown) is not a URL", evidence: evidence) }
        var request = URLRequest(
            url: target, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: timeout.seconds)
        request.httpMethod = "GET"
        request.setValue("greenlight/\(GreenlightVersion.current)", forHTTPHeaderField: "User-Agent")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout.seconds
        configuration.timeoutIntervalForResource = timeout.seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (_, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                return make(.fail, "\(shown) did not answer over HTTP", evidence: evidence)
            }
            if (200..<300).contains(http.statusCode) {
                return make(.pass, "\(shown) answered \(http.statusCode)", evidence: evidence)
            }
            return make(.fail, "\(shown) answered \(http.statusCode); evidence needs a 2xx answer", evidence: evidence)
        } catch let error as URLError {
            let reason: String
            switch error.code {
            case .timedOut: reason = "did not answer within \(timeout)"
            case .cannotConnectToHost: reason = "refused the connection"
            case .cannotFindHost, .dnsLookupFailed: reason = "names a host that does not resolve"
            default: reason = "could not be fetched (\(error.code.rawValue): \(error.localizedDescription))"
            }
            return make(.fail, "\(shown) \(reason)", evidence: evidence)
        } catch {
            return make(.fail, "\(shown) could not be fetched: \(error.localizedDescription)", evidence: evidence)
        }
    }

    func checkCommand(_ command: String, timeout: SpecDuration) async -> CheckResult {
        let shown = command
        let evidence = [CheckResult.EvidenceRecord(kind: "command", reference: shown)]
        let outcome = await ShellCommand(
            command, directory: directory, timeout: .milliseconds(Int64(timeout.seconds * 1000))
        ).run()
        let output = outcome.output.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).map(String.init)
        let details = output.isEmpty || output == [""] ? [] : ["output (last lines):"] + output.map { "  " + $0 }
        if let launchError = outcome.launchError {
            return make(.error, "\(shown) could not start: \(launchError)", evidence: evidence)
        }
        if outcome.timedOut {
            return make(
                .fail, "\(shown) did not finish within \(timeout); stopped", details: details, evidence: evidence)
        }
        guard let code = outcome.exitCode else {
            return make(.fail, "\(shown) was killed", details: details, evidence: evidence)
        }
        if code == 0 {
            return make(
                .pass, "\(shown) exited 0 in \(Format.duration(outcome.seconds))",
                details: details, evidence: evidence)
        }
        return make(.fail, "\(shown) exited \(code)", details: details, evidence: evidence)
    }
}
