import Foundation

/// A GitHub issue or pull request: `owner/repo` and its number (pull requests take issue comments too).
struct GitHubIssue: Sendable, Hashable {
    var owner: String
    var repo: String
    var number: Int

    var repository: String { "\(owner)/\(repo)" }

    init?(repository: String, number: Int) {
        let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ Self.isName($0) }), number > 0 else { return nil }
        owner = String(parts[0])
        repo = String(parts[1])
        self.number = number
    }

    /// The issue a release's ticket names: `https://github.com/o/r/issues/N`, `…/pull/N` (on github.com,
    /// or on `host` for GitHub Enterprise), or `o/r#N`; nil for anything else (a Jira key, another URL).
    init?(ticket: String, host: String? = nil) {
        let text = ticket.trimmingCharacters(in: .whitespaces)
        if let hash = text.firstIndex(of: "#"), !text.contains("://"),
            let number = Int(text[text.index(after: hash)...])
        {
            self.init(repository: String(text[..<hash]), number: number)
            return
        }
        guard let parts = URLComponents(string: text), ["https", "http"].contains(parts.scheme?.lowercased() ?? ""),
            let ticketHost = parts.host?.lowercased(),
            ["github.com", "www.github.com"].contains(ticketHost) || ticketHost == host?.lowercased()
        else { return nil }
        let path = parts.path.split(separator: "/")
        guard path.count >= 4, path[2] == "issues" || path[2] == "pull", let number = Int(path[3]) else {
            return nil
        }
        self.init(repository: "\(path[0])/\(path[1])", number: number)
    }

    private static func isName(_ part: Substring) -> Bool {
        !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
