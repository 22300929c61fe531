import Testing

@testable import GreenlightCore
@testable import GreenlightReports

@Suite struct HTMLRendererTests {
    @Test func hostileTextIsEscapedEverywhere() {
        let html = HTMLRenderer.render(ReportFixtures.hostileReport)
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"))
        #expect(!html.contains("\"quoted\""))
        #expect(!html.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!html.unicodeScalars.contains { (0x7F..<0xA0).contains($0.value) })
    }

    @Test func pageIsSelfContained() {
        let html = HTMLRenderer.render(ReportFixtures.report())
        for outside in ["<script", "<link", "src=", "@import", "url(", "<img"] {
            #expect(!html.contains(outside), "\(outside)")
        }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func onlyWebURLsBecomeLinks() {
        var checks = ReportFixtures.checks()
        checks[2].evidence = [
            .init(kind: "url", reference: "javascript:alert(1)"),
            .init(kind: "url", reference: "https://runbooks.example/rb"),
        ]
        let html = HTMLRenderer.render(ReportFixtures.report(checks: checks))
        #expect(!html.contains("href=\"javascript:"))
        #expect(html.contains("<a href=\"https://runbooks.example/rb\""))
    }

    @Test func noGoBannerListsTheBlockingReasons() {
        let html = HTMLRenderer.render(ReportFixtures.report())
        #expect(html.contains("<header class=\"banner nogo\">"))
        #expect(html.contains("<div class=\"verdict\" aria-label=\"verdict\">NO-GO</div>"))
        #expect(html.contains("<span class=\"pill s-not-run\">not run</span> Load testing: not run, which means NO-GO"))
        let reasons = html.components(separatedBy: "<ol class=\"reasons\">")[1].components(separatedBy: "</ol>")[0]
        #expect(reasons.components(separatedBy: "<li>").count - 1 == 3)
    }

    @Test func goBannerIsGreenWithoutReasons() {
        let html = HTMLRenderer.render(ReportFixtures.goReport)
        #expect(html.contains("<header class=\"banner go\">"))
        #expect(!html.contains("class=\"reasons\""))
    }

    @Test(arguments: [(3, 4), (1, 1), (5, 5), (2, 5)])
    func riskMatrixMarksTheReleasesCell(likelihood: Int, impact: Int) {
        let risk = ReportFixtures.risk(likelihood: likelihood, impact: impact)
        let svg = HTMLRenderer.riskMatrix(risk)
        #expect(svg.components(separatedBy: "<rect x=").count - 1 == 25)
        // Impact runs left to right from x 44, likelihood bottom to top from y 8, in 40-pixel cells.
        let x = 44 + (impact - 1) * 40 + 2
        let y = 8 + (5 - likelihood) * 40 + 2
        #expect(svg.contains("<rect class=\"marked\" x=\"\(x)\" y=\"\(y)\""))
        #expect(svg.components(separatedBy: "class=\"marked\"").count - 1 == 1)
    }

    @Test func matrixTintRunsFromGreenToRed() {
        #expect(HTMLRenderer.tint(score: 1).hasPrefix("hsl(130,"))
        #expect(HTMLRenderer.tint(score: 25).hasPrefix("hsl(0,"))
    }

    @Test func donutHasASegmentPerStatusPresent() {
        let report = ReportFixtures.report()
        let svg = HTMLRenderer.statusDonut(report.statusCounts)
        #expect(svg.components(separatedBy: "stroke-dasharray").count - 1 == 7)
        #expect(svg.contains("<title>2 fail</title>"))
        #expect(svg.contains(">9</text>"))
    }

    @Test func checksShowDetailsWaiverEvidenceAndFooter() {
        let report = ReportFixtures.report()
        let html = HTMLRenderer.render(report)
        #expect(html.contains("<details open><summary>never rehearsed: rehearse the rollback</summary>"))
        #expect(html.contains("Waived by <b>dana</b> until <b>2031-03-14</b>"))
        #expect(html.contains("sha256 <code class=\"hash\">\(String(repeating: "ab", count: 32))</code>"))
        #expect(html.contains("Report digest <code class=\"hash\">\(report.digest!)</code>"))
        #expect(html.contains("<time>2031-03-01T12:00:00Z</time>"))
        #expect(html.components(separatedBy: "<span class=\"pill s-").count - 1 >= report.checks.count)
    }
}
