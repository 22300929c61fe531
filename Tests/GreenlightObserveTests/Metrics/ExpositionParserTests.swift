import Foundation
import Testing

@testable import GreenlightObserve

/// Parses `text` as Prometheus text (`om` false) or OpenMetrics.
func parse(_ text: String, openMetrics om: Bool = false) throws -> Exposition {
    try ExpositionParser.parse(Array(text.utf8), format: om ? .openMetrics : .prometheusText)
}

@Suite("Exposition parser: syntax")
struct ExpositionParserTests {
    @Test("HELP, TYPE and a sample with labels, a value and a timestamp")
    func basics() throws {
        let exposition = try parse(
            """
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            """)
        #expect(exposition.format == .prometheusText)
        let family = try #require(exposition.families.first)
        #expect(exposition.families.count == 1)
        #expect(family.name == "http_requests_total")
        #expect(family.type == .counter)
        #expect(family.help == "The total number of HTTP requests.")
        #expect(family.unit == nil)
        #expect(family.samples.count == 2)
        let first = family.samples[0]
        #expect(first.name == "http_requests_total")
        #expect(first.labels == [.init("method", "post"), .init("code", "200")])
        #expect(first.value == 1027)
        #expect(first.timestamp == 1_395_066_363)
        #expect(first.exemplar == nil)
        #expect(family.samples[1].value == 3)
        #expect(first.label("code") == "200")
        #expect(first.series == #"http_requests_total{method="post",code="200"}"#)
    }

    @Test("escapes in label values: \\\\, \\\" and \\n, in both formats")
    func labelEscapes() throws {
        for om in [false, true] {
            let text =
                #"msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9"#
            let exposition = try parse(text + "\n" + (om ? "# EOF\n" : ""), openMetrics: om)
            let sample = try #require(exposition.families.first?.samples.first)
            #expect(sample.label("path") == #"C:\DIR\FILE.TXT"#)
            #expect(sample.label("error") == "Cannot find file:\n\"FILE.TXT\"")
            #expect(sample.value == 1_458_255_915)
            #expect(sample.series == String(text[..<text.lastIndex(of: " ")!]))
        }
    }

    @Test("escapes in HELP: \\\\ and \\n in Prometheus text (\\\" stays as written); \\\" too in OpenMetrics")
    func helpEscapes() throws {
        let text = try parse(#"# HELP a One \\ two\nthree \"four\""# + "\n")
        #expect(text.families[0].help == "One \\ two\nthree \\\"four\\\"")
        let om = try parse(#"# HELP a One \\ two\nthree \"four\""# + "\n# EOF\n", openMetrics: true)
        #expect(om.families[0].help == "One \\ two\nthree \"four\"")
    }

    @Test("a histogram's _bucket, _sum and _count samples, with le up to +Inf, belong to it")
    func histogram() throws {
        let exposition = try parse(
            """
            # HELP http_request_duration_seconds A histogram of the request duration.
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="0.1"} 33444
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320
            # TYPE next gauge
            next 1

            """)
        #expect(exposition.families.map(\.name) == ["http_request_duration_seconds", "next"])
        let family = exposition.families[0]
        #expect(family.type == .histogram)
        #expect(
            family.samples.map(\.name) == [
                "http_request_duration_seconds_bucket", "http_request_duration_seconds_bucket",
                "http_request_duration_seconds_bucket", "http_request_duration_seconds_sum",
                "http_request_duration_seconds_count",
            ])
        #expect(family.samples.map { $0.label("le") } == ["0.05", "0.1", "+Inf", nil, nil])
        #expect(family.samples.last?.value == 144_320)
    }

    @Test("a summary's quantiles, _sum and _count belong to it")
    func summary() throws {
        let exposition = try parse(
            """
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.01"} 3102
            rpc_duration_seconds{quantile="0.99"} 76656
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693

            """)
        let family = try #require(exposition.families.first)
        #expect(exposition.families.count == 1)
        #expect(family.type == .summary)
        #expect(family.samples.map { $0.label("quantile") } == ["0.01", "0.99", nil, nil])
        #expect(family.samples[2].value == 17_560_473)
    }

    @Test(
        "values: integers, decimals, exponents, signs, +Inf, -Inf, NaN",
        arguments: [
            ("1", 1.0), ("-0.5", -0.5), (".5", 0.5), ("5.", 5), ("1e-3", 0.001), ("1.5E+3", 1500), ("+3", 3),
            ("0.005", 0.005), ("1.7976931348623157e308", 1.7976931348623157e308),
            ("1.7960501652257464e+09", 1_796_050_165.2257464), ("123456789012345678901234", 1.2345678901234568e23),
            ("0.1", 0.1), ("2.2250738585072014e-308", 2.2250738585072014e-308), ("+Inf", .infinity),
            ("-Inf", -.infinity), ("Inf", .infinity), ("inf", .infinity), ("-infinity", -.infinity),
            ("0", 0), ("-0", 0), ("00012", 12), ("9007199254740993", 9_007_199_254_740_993),
        ])
    func values(text: String, expected: Double) throws {
        for om in [false, true] {
            let exposition = try parse("a \(text)\n" + (om ? "# EOF\n" : ""), openMetrics: om)
            let value = try #require(exposition.families.first?.samples.first?.value)
            #expect(value == expected, "\(text) read as \(value)")
        }
    }

    @Test("NaN in any case; hexadecimal floats in Prometheus text only")
    func specialValues() throws {
        for text in ["NaN", "nan", "NAN"] {
            #expect(try parse("a \(text)\n").families[0].samples[0].value.isNaN)
        }
        #expect(try parse("a 0x1p-2\n").families[0].samples[0].value == 0.25)
        #expect(throws: ExpositionError.self) { try parse("a 0x1p-2\n# EOF\n", openMetrics: true) }
    }

    @Test("timestamps: milliseconds in Prometheus text, seconds (fractional too) in OpenMetrics")
    func timestamps() throws {
        let text = try parse("a 1 -1500\nb 2 1700000000123\n")
        #expect(text.families[0].samples[0].timestamp == -1.5)
        #expect(text.families[1].samples[0].timestamp == 1_700_000_000.123)
        let om = try parse("a 1 1700000000.5\nb 2 17\n# EOF\n", openMetrics: true)
        #expect(om.families[0].samples[0].timestamp == 1_700_000_000.5)
        #expect(om.families[1].samples[0].timestamp == 17)
    }

    @Test("Prometheus text's leniency: blanks, tabs, blank lines, free comments, a trailing comma, no final newline")
    func textLeniency() throws {
        let exposition = try parse(
            "# a comment that is neither HELP nor TYPE: \u{FF}\n\n   \n"
                + "  # TYPE\tspaced  gauge  \n"
                + "spaced { a = \"1\" , b=\"2\", }\t 7 \t 1000 \n"
                + "#\n"
                + "spaced{} 8")
        let family = try #require(exposition.families.first)
        #expect(exposition.families.count == 1)
        #expect(family.type == .gauge)
        #expect(family.samples.map(\.labels) == [[.init("a", "1"), .init("b", "2")], []])
        #expect(family.samples.map(\.value) == [7, 8])
        #expect(family.samples[0].timestamp == 1)
    }

    @Test("samples without metadata: one family of unknown type per name; untyped is unknown")
    func untyped() throws {
        let exposition = try parse(
            """
            # TYPE declared untyped
            declared 1
            loose_total 2
            loose_total{a="b"} 3
            other 4

            """)
        #expect(exposition.families.map(\.name) == ["declared", "loose_total", "other"])
        #expect(exposition.families.map(\.type) == [.unknown, .unknown, .unknown])
        #expect(exposition.families[1].samples.count == 2)
    }

    @Test("Prometheus text: a family's samples split by another family are gathered into one family")
    func splitFamily() throws {
        let exposition = try parse(
            """
            # TYPE a counter
            a{x="1"} 1
            # TYPE b gauge
            b 2
            a{x="2"} 3

            """)
        #expect(exposition.families.map(\.name) == ["a", "b"])
        #expect(exposition.families[0].samples.map(\.value) == [1, 3])
    }

    @Test("UTF-8 in label values and help; NUL inside a label value is a character like any other")
    func unicode() throws {
        let exposition = try parse("# HELP a Grüße, 世界 🎉\na{city=\"Zürich\",emoji=\"🎉\",nul=\"a\u{0}b\"} 1\n")
        let family = try #require(exposition.families.first)
        #expect(family.help == "Grüße, 世界 🎉")
        #expect(family.samples[0].label("city") == "Zürich")
        #expect(family.samples[0].label("emoji") == "🎉")
        #expect(family.samples[0].label("nul") == "a\u{0}b")
    }

    @Test("metric names with colons; label names with underscores and digits")
    func names() throws {
        let exposition = try parse("job:request_rate:5m{_a=\"1\",b_2=\"2\",__name_x=\"3\"} 1\n")
        #expect(exposition.families[0].name == "job:request_rate:5m")
        #expect(exposition.families[0].samples[0].labels.map(\.name) == ["_a", "b_2", "__name_x"])
    }

    @Test("an empty body is an exposition with no family (Prometheus text)")
    func empty() throws {
        #expect(try parse("").families.isEmpty)
        #expect(try parse("\n\n# just a comment\n").families.isEmpty)
    }

    @Test("strings repeated across samples are shared, not re-read (same values)")
    func repeatedStrings() throws {
        var text = "# TYPE h histogram\n"
        for route in ["/a", "/b"] {
            for le in ["0.1", "1", "+Inf"] { text += "h_bucket{route=\"\(route)\",le=\"\(le)\"} 1\n" }
            text += "h_sum{route=\"\(route)\"} 1\nh_count{route=\"\(route)\"} 1\n"
        }
        let family = try parse(text).families[0]
        #expect(
            family.samples.map { $0.label("route") } == ["/a", "/a", "/a", "/a", "/a", "/b", "/b", "/b", "/b", "/b"])
        #expect(family.samples.map(\.name).filter { $0 == "h_bucket" }.count == 6)
        #expect(family.samples.map { $0.label("le") } == ["0.1", "1", "+Inf", nil, nil, "0.1", "1", "+Inf", nil, nil])
    }
}

@Suite("Exposition parser: OpenMetrics")
struct OpenMetricsParserTests {
    @Test("a counter family x holds x_total and x_created; UNIT is read; exemplars are kept")
    func counter() throws {
        let exposition = try parse(
            """
            # TYPE http_requests counter
            # UNIT http_requests requests
            # HELP http_requests Requests.
            http_requests_total{route="/"} 2 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 1.0 1700000000.25
            http_requests_created{route="/"} 1700000000
            http_requests_total{route="/a"} 3 1700000001 # {} 1
            # EOF

            """, openMetrics: true)
        let family = try #require(exposition.families.first)
        #expect(exposition.families.count == 1)
        #expect(family.name == "http_requests")
        #expect(family.type == .counter)
        #expect(family.unit == "requests")
        #expect(family.help == "Requests.")
        #expect(family.samples.map(\.name) == ["http_requests_total", "http_requests_created", "http_requests_total"])
        let exemplar = try #require(family.samples[0].exemplar)
        #expect(exemplar.labels == [.init("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")])
        #expect(exemplar.value == 1)
        #expect(exemplar.timestamp == 1_700_000_000.25)
        #expect(family.samples[2].timestamp == 1_700_000_001)
        #expect(family.samples[2].exemplar == MetricFamily.Exemplar(labels: [], value: 1))
    }

    @Test("info, stateset, gaugehistogram (_gcount, _gsum) and unknown families")
    func otherTypes() throws {
        let exposition = try parse(
            """
            # TYPE build info
            build_info{version="v2"} 1
            # TYPE state stateset
            state{state="open"} 1
            state{state="closed"} 0
            # TYPE items gaugehistogram
            items_bucket{le="1"} 4
            items_bucket{le="+Inf"} 10
            items_gcount 10
            items_gsum 31
            # TYPE legacy unknown
            legacy NaN
            # EOF
            """, openMetrics: true)
        #expect(exposition.families.map(\.name) == ["build", "state", "items", "legacy"])
        #expect(exposition.families.map(\.type) == [.info, .stateset, .gaugehistogram, .unknown])
        #expect(
            exposition.families[2].samples.map(\.name) == [
                "items_bucket", "items_bucket", "items_gcount", "items_gsum",
            ])
        #expect(exposition.families[0].samples[0].name == "build_info")
    }

    @Test("histograms and summaries carry _created too")
    func created() throws {
        let exposition = try parse(
            """
            # TYPE d histogram
            d_bucket{le="+Inf"} 2
            d_count 2
            d_sum 3.5
            d_created 1700000000
            # TYPE s summary
            s_count 2
            s_sum 1
            s_created 1700000000
            # EOF

            """, openMetrics: true)
        #expect(exposition.families.map(\.samples.count) == [4, 3])
    }

    @Test(
        "the format comes from the Content-Type, else from a final '# EOF'",
        arguments: [
            ("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormat.openMetrics),
            ("application/openmetrics-text", .openMetrics),
            ("text/plain; version=0.0.4; charset=utf-8", .prometheusText),
            ("Text/Plain", .prometheusText),
        ])
    func contentType(_ contentType: String, _ format: ExpositionFormat) throws {
        let exposition = try ExpositionParser.parse(Array("a 1\n# EOF\n".utf8), contentType: contentType)
        #expect(exposition.format == format)
    }

    @Test("without a known Content-Type, '# EOF' at the end means OpenMetrics")
    func sniffing() throws {
        #expect(try ExpositionParser.parse(Array("a 1\n# EOF\n".utf8), contentType: nil).format == .openMetrics)
        #expect(try ExpositionParser.parse(Array("a 1\n# EOF".utf8), contentType: "text/html").format == .openMetrics)
        #expect(try ExpositionParser.parse(Array("a 1\n".utf8), contentType: nil).format == .prometheusText)
        #expect(try ExpositionParser.parse(Data("a 1\n".utf8), contentType: nil).families.count == 1)
    }

    @Test("'# EOF' may end without a newline")
    func eofWithoutNewline() throws {
        #expect(try parse("a 1\n# EOF", openMetrics: true).families.count == 1)
        #expect(try parse("# EOF", openMetrics: true).families.isEmpty)
    }
}
