import Foundation
import GreenlightCore
import GreenlightHTTP

/// What a rule's `runbook_url` points at, and whether it is there: a page that answers 2xx, or a file.
enum Runbook: Hashable, Sendable {
    /// An http or https URL, without its fragment.
    case url(String)
    /// A file path as written (relative ones inside the spec's folder), without its fragment.
    case file(String)
    /// A Go template, filled in only when the alert fires: `prefix` is the text before the first `{{`.
    case template(prefix: String)
    /// A URL of a scheme greenlight cannot follow.
    case unsupported(scheme: String)

    init(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if AlertRule.isTemplate(trimmed) {
            self = .template(prefix: String(trimmed[..<trimmed.range(of: "{{")!.lowerBound]))
            return
        }
        let withoutFragment = String(trimmed.prefix { $0 != "#" })
        if let scheme = Self.scheme(of: trimmed) {
            switch scheme {
            case "http", "https": self = .url(withoutFragment)
            case "file": self = .file(URL(string: withoutFragment)?.path ?? String(withoutFragment.dropFirst(7)))
            default: self = .unsupported(scheme: scheme)
            }
            return
        }
        self = .file(withoutFragment)
    }

    /// The scheme of `text` when it starts like a URL (`scheme://`).
    static func scheme(of text: String) -> String? {
        guard let range = text.range(of: "://") else { return nil }
        let scheme = text[..<range.lowerBound]
        guard let first = scheme.first, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return scheme.lowercased()
    }

    /// Whether `text` is an http(s) URL with a host.
    static func isWebURL(_ text: String) -> Bool {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty
        else { return false }
        return true
    }

    /// Why the page at `url` is not a runbook (it must answer 2xx, after at most five redirects), or
    /// nil when it is one.
    static func fetchProblem(_ url: String, session: HTTPSession, timeout: Duration) async -> String? {
        guard isWebURL(url) else { return "runbook \(url) is not a URL greenlight can request" }
        var current = url
        for _ in 0...5 {
            let request = HTTPRequestRecord(
                method: "GET", url: current,
                headers: [("User-Agent", "greenlight/\(GreenlightVersion.current)"), ("Accept", "*/*")], body: Data())
            let response: HTTPResponseRecord
            do {
                response = try await session.send(request, timeout: timeout)
            } catch {
                return "runbook \(url) could not be fetched: \(error)"
            }
            let via = current == url ? "" : " (redirected to \(current))"
            switch response.status {
            case 200..<300:
                return nil
            case 301, 302, 303, 307, 308:
                guard let location = response.header("Location"),
                    let next = URL(string: location, relativeTo: URL(string: current))?.absoluteString
                else { return "runbook \(url) answered \(response.status)\(via) without a Location to follow" }
                current = next
            default:
                return "runbook \(url) answered \(response.status)\(via); a runbook must answer 2xx"
            }
        }
        return "runbook \(url) redirects more than 5 times"
    }

    /// Why `path` (inside `directory` when relative) is not a runbook file, or nil when it is one.
    static func fileProblem(_ path: String, directory: String) -> String? {
        let resolved = SpecPath.resolve(path, in: directory)
        let looked = resolved == path ? "" : " (looked for \(resolved))"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            return "runbook file \(path) does not exist\(looked)"
        }
        if isDirectory.boolValue { return "runbook \(path) is a folder, not a file\(looked)" }
        guard FileManager.default.isReadableFile(atPath: resolved) else {
            return "runbook file \(path) cannot be read\(looked)"
        }
        return nil
    }
}
