import Foundation
import Testing

@testable import GreenlightObserve

@Suite("Exposition parser: errors at line and column")
struct ExpositionErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: [UInt8]
        var openMetrics: Bool
        var line: Int
        var column: Int
        var message: String

        init(_ input: String, om: Bool = false, _ line: Int, _ column: Int, _ message: String) {
            self.input = Array(input.utf8)
            self.openMetrics = om
            self.line = line
            self.column = column
            self.message = message
        }

        init(bytes: [UInt8], om: Bool = false, _ line: Int, _ column: Int, _ message: String) {
            self.input = bytes
            self.openMetrics = om
            self.line = line
            self.column = column
            self.message = message
        }

        var testDescription: String { "line \(line), column \(column): \(message)" }
    }

    static let elevenLines = (1...11).map { "line_\($0) \($0)\n" }.joined()

    static let cases: [Case] = [
        Case(
            elevenLines + "http_requests_total{method\"GET\"} 1\n", 12, 27,
            "expected '=' after label name 'method', found '\"'"),
        Case("a{b=\"c} 1\n", 1, 5, "the value of label 'b' is not closed with '\"' before the end of the line"),
        Case("a{b=\"c\" 1\n", 1, 9, "expected ',' or '}' after the value of label 'b', found '1'"),
        Case(
            "a{b=\"c\"} 1O\n", 1, 10,
            "the value of 'a' is '1O', not a number (such as 1, 0.5, 1e-3, +Inf or NaN)"),
        Case("a{b=\"c\"}\n", 1, 9, "the sample 'a' has no value"),
        Case("a 1 1.5\n", 1, 5, "the timestamp of 'a' is '1.5', not a whole number of milliseconds"),
        Case(
            "a 1 99999999999999999999\n", 1, 5,
            "the timestamp of 'a' is '99999999999999999999', not a whole number of milliseconds"),
        Case("a 1 2 3\n", 1, 7, "expected the end of the line after the sample 'a', found '3'"),
        Case(
            "# TYPE a countr\n", 1, 10,
            "unknown metric type 'countr'; expected counter, gauge, histogram, summary or untyped"),
        Case("# TYPE a gauge\n# TYPE a gauge\n", 2, 1, "a second '# TYPE' line for 'a'"),
        Case("# HELP a x\n# HELP a y\n", 2, 1, "a second '# HELP' line for 'a'"),
        Case("a 1\n# TYPE a gauge\n", 2, 1, "'# TYPE' line for 'a' after its samples; it must come first"),
        Case("# TYPE a\n", 1, 9, "expected a space before the type of 'a', found the end of the line"),
        Case("# TYPE a gauge extra\n", 1, 16, "expected the end of the line after the # TYPE line of 'a', found 'e'"),
        Case("# TYPE h histogram\nh_bucket{x=\"1\"} 1\n", 2, 1, "the histogram bucket 'h_bucket' has no 'le' label"),
        Case("# TYPE h histogram\nh_bucket 1\n", 2, 1, "the histogram bucket 'h_bucket' has no 'le' label"),
        Case("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", 2, 14, "the 'le' label of 'h_bucket' is 'x', not a number"),
        Case("# TYPE s summary\ns{a=\"1\"} 1\n", 2, 1, "the summary quantile 's' has no 'quantile' label"),
        Case(
            "# TYPE h histogram\nh 1\n", 2, 1,
            "the sample 'h' does not fit the histogram 'h', whose samples are named 'h_bucket', 'h_count', 'h_sum', 'h_created'"
        ),
        Case("a{b=\"1\",b=\"2\"} 1\n", 1, 9, "the label 'b' appears twice in the labels of 'a'"),
        Case("1a 1\n", 1, 1, "expected a metric name, '#' or the end of the line, found '1'"),
        Case("a{1=\"x\"} 1\n", 1, 3, "expected a label name or '}' in the labels of 'a', found '1'"),
        Case("a-b 1\n", 1, 2, "expected a space or '{' after the metric name 'a', found '-'"),
        Case(
            "a 1 # {x=\"y\"} 1\n", 1, 5,
            "'#' after the sample 'a': exemplars exist only in OpenMetrics, and comments take a line of their own"),
        Case(
            bytes: Array("a{x=\"é\",y=\"".utf8) + [0xFF] + Array("\"} 1\n".utf8), 1, 12,
            "the value of label 'y' is not valid UTF-8 (byte 0xFF)"),
        Case(
            bytes: Array("# HELP a caf".utf8) + [0xC3, 0x28] + Array("\n".utf8), 1, 13,
            "the help text is not valid UTF-8 (byte 0xC3)"),
        Case(
            bytes: Array("a 1\n".utf8) + [0] + Array("b 1\n".utf8), 2, 1,
            "expected a metric name, '#' or the end of the line, found a NUL byte"),
        Case(
            "a 1\r\n", 1, 3,
            "the value of 'a' is '1\\r', not a number (such as 1, 0.5, 1e-3, +Inf or NaN) (the line ends with \\r\\n; the format wants \\n alone)"
        ),
        Case("a{b=\"1\"", 1, 8, "the labels of 'a' are not closed with '}' before the end of the input"),
        Case("a{b=\"1", 1, 5, "the value of label 'b' is not closed with '\"' before the end of the input"),
        // OpenMetrics
        Case(
            "a 1\n", om: true, 2, 1,
            "the text ends without '# EOF', which OpenMetrics requires as its last line (was it cut short?)"),
        Case("a 1\n# EOF\nb 2\n", om: true, 3, 1, "text after '# EOF'; an OpenMetrics exposition ends there"),
        Case("a 1\n# EOF\n\n", om: true, 3, 1, "text after '# EOF'; an OpenMetrics exposition ends there"),
        Case("a 1\n\n# EOF\n", om: true, 2, 1, "empty line; OpenMetrics allows none"),
        Case(
            "# hello world\n# EOF\n", om: true, 1, 1,
            "'# hello' is not a line OpenMetrics allows; comments must be '# HELP', '# TYPE', '# UNIT' or '# EOF'"),
        Case(
            "#TYPE a gauge\n# EOF\n", om: true, 1, 1,
            "a line starting with '#' must be '# HELP', '# TYPE', '# UNIT' or '# EOF' in OpenMetrics"),
        Case("a  1\n# EOF\n", om: true, 1, 3, "expected the value of 'a' after one space, found a space"),
        Case("a 1 \n# EOF\n", om: true, 1, 4, "a space at the end of the sample 'a'; OpenMetrics allows none"),
        Case("a{b=\"1\"} \n# EOF\n", om: true, 1, 10, "the sample 'a' has no value"),
        Case(" a 1\n# EOF\n", om: true, 1, 1, "expected a metric name or '#', found a space"),
        Case("a{b=\"1\",} 1\n# EOF\n", om: true, 1, 9, "expected a label name in the labels of 'a', found '}'"),
        Case("a{b = \"1\"} 1\n# EOF\n", om: true, 1, 4, "expected '=' after label name 'b', found a space"),
        Case(
            "a{b=\"x\\ty\"} 1\n# EOF\n", om: true, 1, 7,
            "unknown escape in the value of label 'b': a backslash before 't'; OpenMetrics allows only \\\\, \\n and \\\""
        ),
        Case(
            "# TYPE a counter\na_total 1\nb 1\na_total 2\n# EOF\n", om: true, 4, 1,
            "the sample 'a_total' belongs to the family 'a' above, but other families came between; OpenMetrics keeps a family's lines together"
        ),
        Case(
            "# TYPE a gauge\na 1\n# TYPE b gauge\n# HELP a x\n# EOF\n", om: true, 4, 1,
            "'# HELP a' comes after other families; OpenMetrics keeps a family's lines together"),
        Case(
            "# UNIT a_bytes seconds\n# EOF\n", om: true, 1, 16,
            "the unit 'seconds' is not the end of the family name 'a_bytes'; OpenMetrics wants it named a_bytes_seconds"
        ),
        Case(
            "# TYPE a untyped\n# EOF\n", om: true, 1, 10,
            "unknown metric type 'untyped'; expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown"
        ),
        Case(
            "# HELP\n# EOF\n", om: true, 1, 7,
            "expected a space and a metric name after '# HELP', found the end of the line"),
        Case("a 1 x\n# EOF\n", om: true, 1, 5, "the timestamp of 'a' is 'x', not a number of seconds"),
        Case(
            "a 1 # x\n# EOF\n", om: true, 1, 7,
            "expected ' {' after '#' to start the exemplar of 'a', found 'x'"),
        Case(
            "a 1 # {x=\"y\"}\n# EOF\n", om: true, 1, 14,
            "expected a space before the exemplar value of 'a', found the end of the line"),
        Case("a 1 # {x=\"y\"} z\n# EOF\n", om: true, 1, 15, "the exemplar value of 'a' is 'z', not a number"),
        Case(
            "a 1 5 x\n# EOF\n", om: true, 1, 7,
            "expected '# {' (an exemplar) or the end of the line after the timestamp of 'a', found 'x'"),
        Case(
            "a 0x10\n# EOF\n", om: true, 1, 3,
            "the value of 'a' is '0x10', not a number (such as 1, 0.5, 1e-3, +Inf or NaN)"),
        Case("a 1\n# EOF x\n", om: true, 2, 6, "expected the end of the line after '# EOF', found a space"),
    ]

    @Test("each malformed exposition names what is wrong, at its line and column", arguments: cases)
    func located(_ c: Case) {
        do {
            let exposition = try ExpositionParser.parse(c.input, format: c.openMetrics ? .openMetrics : .prometheusText)
            Issue.record("parsed, with \(exposition.families.count) families")
        } catch {
            #expect(error.message == c.message)
            #expect(error.line == c.line)
            #expect(error.column == c.column)
            #expect(error.description == "line \(c.line), column \(c.column): \(c.message)")
        }
    }

    @Test("huge lines and huge label values end in a result or an error, quickly")
    func hugeLines() throws {
        let value = String(repeating: "x", count: 1 << 20)
        let ok = try parse("a{b=\"\(value)\"} 1\n")
        #expect(ok.families[0].samples[0].label("b")?.count == 1 << 20)
        #expect(throws: ExpositionError.self) { try parse("a{b=\"\(value)") }
        #expect(throws: ExpositionError.self) { try parse("a " + value + "\n") }
        let help = try parse("# HELP a " + value + "\n")
        #expect(help.families[0].help?.count == 1 << 20)
    }

    @Test("the message clips a long name")
    func clippedNames() {
        let name = String(repeating: "n", count: 500)
        #expect {
            try parse("\(name){b=\"1\",b=\"2\"} 1\n")
        } throws: { error in
            let message = (error as? ExpositionError)?.message ?? ""
            return message.count < 200 && message.contains("…")
        }
    }
}
