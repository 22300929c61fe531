import Testing

@testable import GreenlightCore
@testable import GreenlightReports

@Suite struct MarkdownRendererTests {
    /// The `|` that end cells, leaving out those escaped with a backslash.
    func cellSeparators(_ line: Substring) -> Int {
        var count = 0
        var escaped = false
        for c in line {
            if c == "|", !escaped { count += 1 }
            escaped = c == "\\" && !escaped
        }
        return count
    }

    func checksTable(_ markdown: String) -> [Substring] {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "| Status | Check | Summary |") else { return [] }
        return Array(lines[start...].prefix { $0.hasPrefix("|") })
    }

    @Test func titleCarriesTheVerdictAndReasons() {
        let markdown = MarkdownRenderer.render(ReportFixtures.report())
        #expect(markdown.hasPrefix("# ⛔ NO-GO: checkout 2.14.0\n"))
        #expect(markdown.contains("- Load testing: not run, which means NO-GO (the spec has no load section"))
        #expect(MarkdownRenderer.render(ReportFixtures.goReport).hasPrefix("# ✅ GO: checkout 2.14.0\n"))
    }

    @Test func checksTableHasARowPerCheckWithThreeCells() {
        let report = ReportFixtures.hostileReport
        let table = checksTable(MarkdownRenderer.render(report))
        #expect(table.count == 2 + report.checks.count)
        for row in table { #expect(cellSeparators(row) == 4, "\(row)") }
    }

    @Test func hostileTextCannotOpenHTMLOrBreakCells() {
        let markdown = MarkdownRenderer.render(ReportFixtures.hostileReport)
        #expect(!markdown.contains("<script>"))
        #expect(markdown.contains("&lt;script&gt;"))
        #expect(!markdown.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        // The newline inside a summary becomes a line break within its cell.
        #expect(checksTable(markdown).contains { $0.contains("red<br>next line") })
    }

    @Test func failingChecksGetACollapsedBlockEach() {
        let report = ReportFixtures.report()
        let markdown = MarkdownRenderer.render(report)
        let blocks = markdown.components(separatedBy: "<details>").count - 1
        #expect(blocks == report.checks.filter { $0.status.blocks }.count)
        let summary = "<summary>❌ <b>Rollback plan</b> (<code>checklist.rollback-plan</code>): fail</summary>"
        #expect(markdown.contains(summary))
        #expect(!markdown.contains("<code>checklist.environment-parity</code>): pass"))
    }

    @Test func riskSectionAndDigestArePresent() {
        let report = ReportFixtures.report()
        let markdown = MarkdownRenderer.render(report)
        #expect(markdown.contains("**likelihood 3 x impact 4 = 12**, class **high**"))
        #expect(markdown.contains("Report digest: <code>\(report.digest!)</code>"))
        #expect(markdown.contains("| Environment | production |"))
    }
}
