import Testing

@testable import GreenlightCore
@testable import GreenlightReports

@Suite struct TerminalRendererTests {
    let report = ReportFixtures.report()

    @Test func quietIsTheOneVerdictLine() {
        let text = TerminalRenderer.render(report, color: false, quiet: true)
        #expect(text == "NO-GO checkout 2.14.0: 3 blocking checks\n")
    }

    @Test func quietGoLineNamesTheReleaseAndSaysNothingBlocks() {
        let text = TerminalRenderer.render(ReportFixtures.goReport, color: false, quiet: true)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.hasPrefix("GO checkout 2.14.0: 6 checks, none blocking"))
    }

    @Test func noColourMeansNoEscapeSequencesEvenFromHostileText() {
        for quiet in [false, true] {
            let text = TerminalRenderer.render(ReportFixtures.hostileReport, color: false, quiet: quiet)
            #expect(!text.unicodeScalars.contains("\u{1B}"))
            #expect(!text.unicodeScalars.contains("\u{07}"))
            #expect(!text.unicodeScalars.contains("\u{0}"))
        }
    }

    @Test func colourPaintsPassGreenAndNoGoRed() throws {
        let text = TerminalRenderer.render(report, color: true)
        let parityLine = try #require(text.split(separator: "\n").first { $0.contains("Environment parity") })
        #expect(parityLine.contains("\u{1B}[32m✔ pass"))
        #expect(text.contains("\u{1B}[1;31mNO-GO checkout 2.14.0: 3 blocking checks\u{1B}[0m"))
        #expect(TerminalRenderer.render(ReportFixtures.goReport, color: true).contains("\u{1B}[1;32mGO checkout"))
    }

    @Test func hostileEscapeSequencesDoNotSurviveWithColourOn() {
        let text = TerminalRenderer.render(ReportFixtures.hostileReport, color: true)
        #expect(!text.contains("\u{1B}[31mred"))
    }

    @Test(arguments: [
        ("Environment parity", "✔", "pass"), ("Load testing", "○", "not-run"), ("Monitoring hooks", "~", "waived"),
        ("Canary rollout", "✔", "pass"), ("Sign-off roles", "!", "warn"), ("Login works", "‼", "error"),
        ("Search works", "-", "skipped"), ("Promo banner shows", "✖", "fail"), ("Rollback plan", "✖", "fail"),
    ])
    func eachCheckHasItsMarkerAndStatus(title: String, marker: String, status: String) throws {
        let text = TerminalRenderer.render(report, color: false)
        let line = try #require(text.split(separator: "\n").first { $0.contains(title) })
        #expect(line.hasPrefix("  \(marker) \(status)"))
    }

    @Test func checksAreGroupedChecklistThenRiskThenOthers() throws {
        let lines = TerminalRenderer.render(report, color: false).split(separator: "\n").map(String.init)
        let checklist = try #require(lines.firstIndex(of: "CHECKLIST"))
        let risk = try #require(lines.firstIndex(of: "RISK CONTROLS"))
        let smoke = try #require(lines.firstIndex(of: "SMOKE TESTS"))
        let login = try #require(lines.firstIndex { $0.contains("Login works") })
        #expect(checklist < risk && risk < smoke && smoke < login)
    }

    @Test func titlesAndSummariesStartInAlignedColumns() throws {
        let lines = TerminalRenderer.render(report, color: false).split(separator: "\n").map(String.init)
        func column(of text: String, in line: String) -> Int? {
            line.range(of: text).map { line.distance(from: line.startIndex, to: $0.lowerBound) }
        }
        var titleColumns: Set<Int> = []
        var summaryColumns: Set<Int> = []
        for (title, summary) in [
            ("Environment parity", "3 checks passed"), ("Canary rollout", "a canary rollout"),
            ("Login works", "connection refused"), ("Search works", "skipped: login"),
        ] {
            let line = try #require(lines.first { $0.contains(title) })
            titleColumns.insert(try #require(column(of: title, in: line)))
            summaryColumns.insert(try #require(column(of: summary, in: line)))
        }
        #expect(titleColumns.count == 1)
        #expect(summaryColumns.count == 1)
    }

    @Test func everyLineFitsOneHundredColumns() {
        var long = ReportFixtures.checks()
        long[0].summary = String(repeating: "a very long summary that keeps going ", count: 12)
        long[1].title = String(repeating: "Long title ", count: 8)
        long[2].details = [String(repeating: "detail-without-spaces", count: 10)]
        let text = TerminalRenderer.render(ReportFixtures.report(checks: long), color: false)
        let widest = text.split(separator: "\n").map(\.count).max() ?? 0
        #expect(widest <= 100)
        #expect(text.contains("keeps going"))
    }

    @Test func notRunReadsAsNoGoInTheVerdict() throws {
        let text = TerminalRenderer.render(report, color: false)
        let verdict = try #require(text.range(of: "NO-GO checkout 2.14.0: 3 blocking checks"))
        let tail = text[verdict.upperBound...]
        #expect(tail.contains("○ Load testing: not run, which means NO-GO (the spec has no load section"))
        #expect(tail.contains("✖ Rollback plan: failed: never rehearsed"))
        #expect(tail.contains("‼ Login works: could not be checked (error)"))
        #expect(!tail.contains("Promo banner"))
        #expect(text.contains("██  ██"))
    }

    @Test func waiverShowsApproverAndExpiry() {
        let text = TerminalRenderer.render(report, color: false)
        #expect(text.contains("waiver: approved by dana, expires 2031-03-14 (without it: fail)"))
    }

    @Test func riskLineShowsTheEquationClassAndFactors() {
        let derived = ReportFixtures.report(
            risk: ReportFixtures.risk(likelihood: 2, impact: nil, blastRadius: .product))
        let text = TerminalRenderer.render(derived, color: false)
        #expect(text.contains("likelihood 2 x impact 4 = 8  ->  class medium"))
        #expect(text.contains("impact derived from: blast_radius product (4)"))
        #expect(text.contains("medium requires: canary rollout"))
    }

    @Test func headerNamesServiceVersionEnvironmentAndSpec() {
        let text = TerminalRenderer.render(report, color: false)
        #expect(text.contains("checkout 2.14.0"))
        #expect(text.contains("environment  production"))
        #expect(text.contains("spec         release.yaml"))
    }
}
