import Foundation
import FoundationXML
import Testing

@testable import GreenlightCore
@testable import GreenlightReports

@Suite struct JUnitRendererTests {
    func parse(_ report: Report) throws -> XMLElement {
        let document = try XMLDocument(xmlString: JUnitRenderer.render(report), options: [])
        return try #require(document.rootElement())
    }

    func attribute(_ element: XMLElement, _ name: String) -> String? { element.attribute(forName: name)?.stringValue }

    func testCase(_ root: XMLElement, id: String) throws -> XMLElement {
        let cases = root.elements(forName: "testsuite").flatMap { $0.elements(forName: "testcase") }
        return try #require(cases.first { attribute($0, "name")?.hasPrefix(id + ": ") == true })
    }

    @Test func totalsCountEveryCheckByOutcome() throws {
        let root = try parse(ReportFixtures.report())
        #expect(root.name == "testsuites")
        #expect(attribute(root, "tests") == "9")
        // fail + not-run, both required; the failing banner check is not required.
        #expect(attribute(root, "failures") == "2")
        #expect(attribute(root, "errors") == "1")
        #expect(attribute(root, "skipped") == "2")
        #expect(attribute(root, "time") == "1.750")
    }

    @Test func eachSuiteIsACategoryAndItsCountsMatchItsCases() throws {
        let root = try parse(ReportFixtures.report())
        let suites = root.elements(forName: "testsuite")
        #expect(suites.compactMap { attribute($0, "name") } == ["checklist", "risk", "smoke"])
        for suite in suites {
            let cases = suite.elements(forName: "testcase")
            let name = try #require(attribute(suite, "name"))
            #expect(cases.allSatisfy { attribute($0, "classname") == "greenlight.\(name)" })
            #expect(attribute(suite, "tests") == String(cases.count))
            for (element, counter) in [("failure", "failures"), ("error", "errors"), ("skipped", "skipped")] {
                let n = cases.filter { !$0.elements(forName: element).isEmpty }.count
                #expect(attribute(suite, counter) == String(n), "\(name) \(counter)")
            }
        }
    }

    @Test func statusesMapToJUnitElements() throws {
        let root = try parse(ReportFixtures.report())

        let fail = try testCase(root, id: "checklist.rollback-plan")
        #expect(attribute(fail, "name") == "checklist.rollback-plan: Rollback plan")
        let failure = try #require(fail.elements(forName: "failure").first)
        #expect(attribute(failure, "message") == "never rehearsed: rehearse the rollback")
        #expect(failure.stringValue?.contains("fail: never rehearsed") == true)
        #expect(failure.stringValue?.contains("sha256:" + String(repeating: "ab", count: 32)) == true)

        let notRun = try #require(try testCase(root, id: "checklist.load-testing").elements(forName: "failure").first)
        #expect(attribute(notRun, "type") == "not-run")
        #expect(
            attribute(notRun, "message") == "not run: the spec has no load section, so nothing shows the item holds")

        let error = try testCase(root, id: "smoke.login")
        #expect(error.elements(forName: "error").count == 1)
        #expect(attribute(error, "time") == "1.500")

        let waived = try #require(
            try testCase(root, id: "checklist.monitoring-hooks").elements(forName: "skipped").first)
        #expect(attribute(waived, "message") == "waived by dana until 2031-03-14: vendor fix")

        #expect(try testCase(root, id: "smoke.search").elements(forName: "skipped").count == 1)

        let warn = try testCase(root, id: "risk.signoff-roles")
        #expect(warn.elements(forName: "failure").isEmpty && warn.elements(forName: "skipped").isEmpty)
        #expect(warn.elements(forName: "system-out").first?.stringValue?.hasPrefix("warning: ") == true)

        let pass = try testCase(root, id: "checklist.environment-parity")
        #expect(pass.children == nil || pass.children?.isEmpty == true)
        #expect(attribute(pass, "time") == "0.250")
    }

    @Test func aFailureThatIsNotRequiredDoesNotFailTheSuite() throws {
        let banner = try testCase(try parse(ReportFixtures.report()), id: "smoke.banner")
        #expect(banner.elements(forName: "failure").isEmpty)
        #expect(banner.elements(forName: "system-out").first?.stringValue?.contains("not required") == true)
    }

    @Test func hostileTextIsEscapedAndSurvivesParsing() throws {
        let xml = JUnitRenderer.render(ReportFixtures.hostileReport)
        #expect(!xml.contains("<script>"))
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let root = try parse(ReportFixtures.hostileReport)
        let failure = try #require(try testCase(root, id: "checklist.rollback-plan").elements(forName: "failure").first)
        // The parser gives back the text as written, less the characters XML cannot carry.
        let expected =
            "never rehearsed: rehearse the rollback"
            + "<script>alert('x')</script> & \"quoted\" | pipe [31mred\nnext line ]]>"
        #expect(attribute(failure, "message") == expected)
        let name = try #require(attribute(try testCase(root, id: "checklist.rollback-plan"), "name"))
        #expect(name.hasPrefix("checklist.rollback-plan: Rollback plan<script>"))
    }

    @Test func aGoReportHasNoFailuresOrErrors() throws {
        let root = try parse(ReportFixtures.goReport)
        #expect(attribute(root, "failures") == "0")
        #expect(attribute(root, "errors") == "0")
        #expect(attribute(root, "tests") == "6")
    }
}
