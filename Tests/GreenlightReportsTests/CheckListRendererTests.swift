import Testing

@testable import GreenlightCore
@testable import GreenlightReports

/// `greenlight smoke | deps | parity` print through ``CheckListRenderer``.
@Suite struct CheckListRendererTests {
    static func check(_ status: CheckStatus, _ title: String = "Smoke: sign in", details: [String] = [])
        -> CheckResult
    {
        CheckResult(
            id: "x", title: title, category: .smoke, status: status, summary: "\(status.rawValue) summary",
            details: details)
    }

    @Test(
        "each status has its own marker, as in the full report",
        arguments: [
            (CheckStatus.pass, "✔"), (.fail, "✖"), (.warn, "!"), (.waived, "~"), (.notRun, "○"), (.skipped, "-"),
            (.error, "‼"),
        ])
    func markers(status: CheckStatus, marker: String) {
        let text = CheckListRenderer.render([Self.check(status)], color: false)
        #expect(text.hasPrefix("\(marker) Smoke: sign in: \(status.rawValue) summary\n"))
    }

    @Test("a server's escape sequences in a title, summary or detail print inert, colour on or off")
    func escapesAreInert() {
        let hostile = Self.check(
            .fail, "Smoke: \u{1B}]0;owned\u{07}title",
            details: ["body: \u{1B}[2J\u{1B}[31mred\u{1B}[0m", "bell \u{07} and \u{202E}reversed"])
        for color in [false, true] {
            let text = CheckListRenderer.render([hostile], color: color)
            #expect(!text.contains("\u{1B}]0;"))
            #expect(!text.contains("\u{1B}[2J"))
            #expect(!text.contains("\u{1B}[31mred"))
            #expect(!text.unicodeScalars.contains("\u{07}"))
            #expect(!text.unicodeScalars.contains("\u{202E}"))
            #expect(text.contains("\u{FFFD}[2J\u{FFFD}[31mred"))
        }
    }

    @Test("details of checks that did not pass, then the count of those that block")
    func detailsAndCount() {
        let text = CheckListRenderer.render(
            [Self.check(.pass, details: ["hidden"]), Self.check(.fail, details: ["expected 201, got 500"])],
            color: false)
        #expect(!text.contains("hidden"))
        #expect(text.contains("\n    expected 201, got 500\n"))
        #expect(text.hasSuffix("1 of 2 failed\n"))
        #expect(CheckListRenderer.render([Self.check(.pass)], color: false).hasSuffix("1 passed\n"))
    }
}
