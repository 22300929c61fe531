/// The stylesheet of the HTML report, inlined so the file stands alone.
extension HTMLRenderer {
    static let stylesheet = """

        :root {
          --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f3f5f7; --card: #ffffff;
          --pass: #1a7f37; --pass-bg: #dafbe1; --warn: #8a6100; --warn-bg: #fff4c2;
          --waived: #0a6c8c; --waived-bg: #d4f3fb; --skipped: #57606a; --skipped-bg: #eaeef2;
          --not-run: #59636e; --not-run-bg: #f6f8fa; --fail: #cf222e; --fail-bg: #ffebe9;
          --error: #6e40c9; --error-bg: #f3ecff;
          --p50: #0969da; --p99: #bc4c00; --rps: #0969da; --target: #1f2328; --errors: #cf222e;
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; background: var(--bg); color: var(--fg);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
          font-size: 0.86em; }
        .hash { word-break: break-all; }
        .page { max-width: 1200px; margin: 0 auto; padding: 28px 24px 40px; }
        h1, h2 { margin: 0; line-height: 1.25; }
        h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted);
          margin-bottom: 14px; }
        a { color: #0550ae; }
        .muted { color: var(--muted); }

        .banner { display: flex; gap: 28px; align-items: flex-start; padding: 26px 30px; border-radius: 14px;
          color: #fff;
          box-shadow: 0 6px 20px rgba(31, 35, 40, 0.16); -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        .banner.go { background: linear-gradient(135deg, #1a7f37, #2da44e); }
        .banner.nogo { background: linear-gradient(135deg, #a40e26, #cf222e); }
        .verdict { font-size: 64px; font-weight: 800; letter-spacing: -0.02em; line-height: 1; white-space: nowrap;
          padding: 14px 22px; border: 3px solid rgba(255, 255, 255, 0.85); border-radius: 12px; }
        .banner-body { min-width: 0; }
        .banner h1 { font-size: 28px; font-weight: 700; overflow-wrap: anywhere; }
        .banner .version { font-weight: 400; opacity: 0.9; }
        .banner .where { margin: 4px 0 10px; opacity: 0.9; overflow-wrap: anywhere; }
        .banner .lead { margin: 0 0 6px; font-size: 17px; font-weight: 600; }
        .reasons { margin: 0; padding-left: 22px; }
        .reasons li { margin: 5px 0; overflow-wrap: anywhere; }
        .reasons .pill { box-shadow: 0 0 0 1px rgba(255, 255, 255, 0.7); }

        .cards { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.5fr) minmax(0, 0.8fr); gap: 18px;
          margin: 20px 0; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 18px 20px;
          min-width: 0;
          box-shadow: 0 1px 2px rgba(31, 35, 40, 0.06); }
        section.card { margin-top: 18px; }

        .meta { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 6px 14px; margin: 0; }
        .meta dt { color: var(--muted); }
        .meta dd { margin: 0; overflow-wrap: anywhere; }

        .risk-body { display: flex; gap: 16px; align-items: flex-start; }
        .risk-text { min-width: 0; }
        .risk-text p { margin: 0 0 6px; }
        .equation { font-size: 16px; }
        .class-badge { display: inline-block; padding: 1px 10px; border-radius: 999px; background: #1f2328; color: #fff;
          font-weight: 600; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        .factors { margin: 0 0 8px; padding-left: 18px; }
        .requires { list-style: none; margin: 4px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 5px; }
        .requires li { font-size: 12.5px; padding: 1px 8px; border-radius: 6px; background: var(--skipped-bg);
          border: 1px solid var(--line); }
        .factors .score { display: inline-block; min-width: 20px; text-align: center; border-radius: 6px;
          background: var(--skipped-bg); font-weight: 600; font-size: 12px; }
        .requires-title { font-weight: 600; margin-top: 8px !important; }
        blockquote { margin: 12px 0 0; padding: 6px 12px; border-left: 3px solid var(--line); color: var(--muted); }
        svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; text-anchor: middle; }
        .matrix { flex: none; }
        .matrix .cell-score { font-size: 12px; fill: #3d444d; }
        .matrix .axis { font-size: 12px; fill: var(--muted); }
        .matrix .axis-title { font-size: 12px; fill: var(--muted); font-weight: 600; }

        .status-body { display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
        .donut { flex: none; }
        .donut-total { font-size: 30px; font-weight: 700; fill: var(--fg); }
        .donut-label { font-size: 12px; fill: var(--muted); }
        .legend { list-style: none; margin: 0; padding: 0; min-width: 120px; }
        .legend li { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
        .legend b { margin-left: auto; padding-left: 12px; }
        .swatch { width: 12px; height: 12px; border-radius: 3px; display: inline-block;
          -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        .swatch.s-pass { background: #1a7f37; } .swatch.s-warn { background: #bf8700; }
        .swatch.s-waived { background: #0a7ea4; } .swatch.s-skipped { background: #8c959f; }
        .swatch.s-not-run { background: #6e7781; } .swatch.s-fail { background: #cf222e; }
        .swatch.s-error { background: #8250df; }

        .pill { display: inline-block; min-width: 64px; text-align: center; padding: 2px 10px; border-radius: 999px;
          font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; white-space: nowrap;
          -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        .pill.s-pass { color: var(--pass); background: var(--pass-bg); }
        .pill.s-warn { color: var(--warn); background: var(--warn-bg); }
        .pill.s-waived { color: var(--waived); background: var(--waived-bg); }
        .pill.s-skipped { color: var(--skipped); background: var(--skipped-bg); }
        .pill.s-not-run { color: var(--not-run); background: var(--not-run-bg); border: 1px dashed var(--not-run); }
        .pill.s-fail { color: var(--fail); background: var(--fail-bg); }
        .pill.s-error { color: var(--error); background: var(--error-bg); }

        .load-title { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        .load-summary { margin: 2px 0 0; color: var(--muted); }
        figure.chart { margin: 16px 0 0; }
        figure.chart figcaption { color: var(--muted); font-size: 13px; margin-top: 2px; }
        .chart-svg { display: block; width: 100%; max-width: 1080px; height: auto; }
        .chart-svg text { font-size: 12px; fill: var(--muted); }
        .chart-svg .ytick { text-anchor: end; }
        .chart-svg .axis-title { font-weight: 600; }
        .chart-svg .legend text, .chart-svg .end-label { text-anchor: start; fill: var(--fg); }
        .chart-svg .end-label { font-weight: 600; }
        .chart-svg .grid { stroke: var(--line); stroke-width: 1; }
        .chart-svg .axis { stroke: var(--muted); stroke-width: 1; }
        .chart-svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
        .chart-svg .series.p50, .chart-svg .marker.p50 { stroke: var(--p50); }
        .chart-svg .series.p99, .chart-svg .marker.p99 { stroke: var(--p99); }
        .chart-svg .series.rps, .chart-svg .marker.rps { stroke: var(--rps); }
        .chart-svg .series.target { stroke: var(--target); stroke-width: 1.5; stroke-dasharray: 6 4;
          stroke-linecap: butt; }
        .chart-svg .area.rps { fill: var(--rps); fill-opacity: 0.12; stroke: none; }
        .chart-svg rect.errors { fill: var(--errors); }
        .chart-svg .marker { fill: var(--card); stroke-width: 2; }
        .chart-svg .end-label.p50 { fill: var(--p50); } .chart-svg .end-label.p99 { fill: var(--p99); }
        .chart-svg .end-label.rps { fill: var(--rps); } .chart-svg .end-label.target { fill: var(--target); }

        table.checks { width: 100%; border-collapse: collapse; table-layout: fixed; }
        table.checks th, table.checks td { text-align: left; vertical-align: top; padding: 9px 10px;
          border-top: 1px solid var(--line); }
        table.checks thead th { border-top: 0; color: var(--muted); font-size: 12px; text-transform: uppercase;
          letter-spacing: 0.06em; }
        table.checks th:nth-child(1) { width: 110px; } table.checks th:nth-child(2) { width: 28%; }
        table.checks th:nth-child(4) { width: 76px; }
        table.checks .num { text-align: right; white-space: nowrap; color: var(--muted); }
        table.checks tr.group th { background: var(--bg); font-size: 13px; padding: 7px 10px; }
        table.checks tr.group span { color: var(--muted); font-weight: 400; margin-left: 6px; }
        table.checks tr.blocking td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
        .title { font-weight: 600; overflow-wrap: anywhere; }
        code.id { color: var(--muted); overflow-wrap: anywhere; }
        td p { margin: 0; overflow-wrap: anywhere; }
        details > summary { cursor: pointer; overflow-wrap: anywhere; }
        details > summary::marker { color: var(--muted); }
        .more { margin: 8px 0 2px; padding: 10px 12px; background: var(--bg); border-radius: 8px; font-size: 0.93em; }
        .details { margin: 0; padding-left: 18px; }
        .details li { overflow-wrap: anywhere; white-space: pre-wrap; }
        .measurements { border-collapse: collapse; margin: 8px 0 0; }
        .measurements th, .measurements td { padding: 2px 10px 2px 0; border: 0; font-weight: 400; text-align: left; }
        .measurements th { color: var(--muted); }
        .evidence-title { margin: 8px 0 2px !important; font-weight: 600; }
        .evidence { margin: 0; padding-left: 18px; }
        .evidence li { overflow-wrap: anywhere; }
        .evidence .kind { display: inline-block; font-size: 11px; text-transform: uppercase; color: var(--muted);
          border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; }
        .evidence .sha { color: var(--muted); }
        .waiver { margin-top: 6px !important; padding: 6px 10px; border-radius: 8px; background: var(--waived-bg);
          color: #084c61; font-size: 0.93em; }

        footer { margin-top: 22px; color: var(--muted); font-size: 13px; }
        footer p { margin: 2px 0; overflow-wrap: anywhere; }

        @media (max-width: 960px) {
          .cards { grid-template-columns: minmax(0, 1fr); }
          .banner { flex-direction: column; }
          .risk-body { flex-wrap: wrap; }
        }
        @media print {
          body { background: #fff; font-size: 12px; }
          .page { max-width: none; padding: 0; }
          .banner { box-shadow: none; }
          .card { box-shadow: none; break-inside: avoid; }
          .banner { flex-direction: row; padding: 18px 22px; }
          .verdict { font-size: 44px; }
          .cards { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; margin: 12px 0; }
          .cards .risk { grid-column: 1 / -1; order: 3; }
          .risk-body { flex-wrap: nowrap; }
          section.card { break-inside: auto; }
          table.checks tr { break-inside: avoid; }
          figure.chart { break-inside: avoid; }
          a { color: inherit; }
        }
        @media print {
          details::details-content { content-visibility: visible; display: block; }
        }

        """
}
