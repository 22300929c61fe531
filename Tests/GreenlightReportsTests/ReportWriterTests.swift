import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightReports

@Suite struct ReportWriterTests {
    @Test func writesFourFilesAndTheJSONDecodesBackUnchanged() throws {
        let root = try TemporaryFolder("greenlight-reports")
        defer { root.remove() }
        let directory = root.appending("nested/out")
        let report = ReportFixtures.hostileReport

        let urls = try ReportWriter.write(report, to: directory)

        #expect(urls.map(\.lastPathComponent) == ["report.json", "report.md", "junit.xml", "report.html"])
        let decoded = try Report.decode(try Data(contentsOf: directory.appendingPathComponent("report.json")))
        #expect(decoded == report)
        let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown == MarkdownRenderer.render(report))
        let html = try String(contentsOf: directory.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html == HTMLRenderer.render(report))
        let junit = try String(contentsOf: directory.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit == JUnitRenderer.render(report))
    }

    @Test func rewritingReplacesTheFiles() throws {
        let folder = try TemporaryFolder("greenlight-reports")
        defer { folder.remove() }
        let directory = folder.appending("out")
        _ = try ReportWriter.write(ReportFixtures.report(), to: directory)
        _ = try ReportWriter.write(ReportFixtures.goReport, to: directory)
        let decoded = try Report.decode(try Data(contentsOf: directory.appendingPathComponent("report.json")))
        #expect(decoded.isGo)
    }

    @Test func aFileInTheWayIsAClearError() throws {
        let folder = try TemporaryFolder("greenlight-reports")
        defer { folder.remove() }
        let file = folder.appending("file")
        try Data("x".utf8).write(to: file)
        let error = #expect(throws: ReportWriteError.self) { try ReportWriter.write(ReportFixtures.report(), to: file) }
        #expect(error?.message.contains(file.path) == true)
        #expect(error?.message.contains("not a directory") == true)
    }

    @Test func aDirectoryThatCannotBeCreatedIsAClearError() throws {
        let folder = try TemporaryFolder("greenlight-reports")
        defer { folder.remove() }
        let file = folder.appending("file")
        try Data("x".utf8).write(to: file)
        let inside = file.appendingPathComponent("reports")
        let error = #expect(throws: ReportWriteError.self) {
            try ReportWriter.write(ReportFixtures.report(), to: inside)
        }
        #expect(error?.message.contains("cannot create the report directory \(inside.path)") == true)
    }
}
