/// The dashboard's stylesheet, inlined in every page (no external assets). Colours meet WCAG AA on their
/// backgrounds, every status is also written in words, focus is always visible, and tables scroll
/// sideways on a narrow screen. The risk matrix and load chart rules follow the HTML report's.
enum DashboardStyle {
    static let css = """
        :root {
          --fg: #1f2328; --muted: #57606a; --line: #d1d9e0; --bg: #f3f5f7; --card: #ffffff; --link: #0550ae;
          --pass: #116329; --pass-bg: #dafbe1; --fail: #a40e26; --fail-bg: #ffebe9; --warn: #7a4d00;
          --warn-bg: #fff4c2; --info: #0a5c78; --info-bg: #d4f3fb; --neutral: #424a53; --neutral-bg: #eaeef2;
          --focus: #0969da; --p50: #0969da; --p99: #bc4c00; --rps: #0969da; --target: #1f2328; --errors: #cf222e;
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; background: var(--bg); color: var(--fg);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        a { color: var(--link); }
        a:hover { text-decoration-thickness: 2px; }
        :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 3px; }
        main:focus { outline: none; }
        code, pre, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
          font-size: 0.88em; }
        .hash { word-break: break-all; }
        .skip { position: absolute; left: -9999px; top: 0; background: var(--card); padding: 8px 12px; z-index: 10; }
        .skip:focus { left: 8px; top: 8px; }
        .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
          white-space: nowrap; }
        .top { background: #1f2328; color: #fff; }
        .top .bar { max-width: 1200px; margin: 0 auto; padding: 10px 24px; display: flex; flex-wrap: wrap;
          align-items: center; gap: 8px 24px; }
        .top a, .top button.link { color: #fff; }
        .top :focus-visible { outline-color: #9cd1ff; }
        .brand { margin: 0; font-weight: 700; font-size: 17px; }
        .brand a { text-decoration: none; }
        .brand span { font-weight: 400; color: #d0d7de; font-size: 14px; margin-left: 4px; }
        .top nav ul { list-style: none; display: flex; gap: 4px; margin: 0; padding: 0; }
        .top nav a { display: inline-block; padding: 6px 10px; border-radius: 6px; text-decoration: none; }
        .top nav a:hover { background: rgba(255, 255, 255, 0.12); }
        .top nav a[aria-current="page"] { background: rgba(255, 255, 255, 0.18); font-weight: 600;
          text-decoration: underline; text-underline-offset: 4px; }
        .who { margin: 0 0 0 auto; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; font-size: 14px; }
        .who .muted { color: #d0d7de; }
        main { display: block; max-width: 1200px; margin: 0 auto; padding: 20px 24px 32px; }
        h1 { font-size: 26px; margin: 8px 0 14px; line-height: 1.25; overflow-wrap: anywhere; }
        h2 { font-size: 19px; margin: 0 0 10px; }
        h3 { font-size: 16px; margin: 18px 0 8px; }
        .muted { color: var(--muted); }
        .small { font-size: 13px; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px;
          margin: 16px 0; min-width: 0; }
        .card.alert { border-color: var(--fail); box-shadow: inset 4px 0 0 var(--fail); }
        .notice { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--info);
          padding: 10px 14px; border-radius: 6px; }
        .error { color: var(--fail); background: var(--fail-bg); padding: 10px 14px; border-radius: 6px; }
        .note { background: var(--info-bg); color: #053f52; padding: 8px 12px; border-radius: 6px; }
        .crumbs { font-size: 14px; margin-top: 4px; }
        .foot { max-width: 1200px; margin: 0 auto; padding: 0 24px 24px; color: var(--muted); font-size: 13px; }

        .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
        table { width: 100%; border-collapse: collapse; background: var(--card); }
        th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-top: 1px solid var(--line); }
        thead th { border-top: 0; color: var(--muted); font-size: 12px; text-transform: uppercase;
          letter-spacing: 0.05em; white-space: nowrap; }
        tbody th { font-weight: 600; }
        caption { text-align: left; color: var(--muted); padding: 4px 0 8px; }
        .num { text-align: right; white-space: nowrap; }
        td.wrap, th.wrap { overflow-wrap: anywhere; min-width: 14em; }
        table.releases td, table.releases th { white-space: nowrap; }
        table.checks td p { margin: 0; }
        table.checks thead th:first-child { width: 7.5em; } table.checks thead th:nth-child(2) { width: 32%; }
        .title { font-weight: 600; }
        code.id { color: var(--muted); font-weight: 400; overflow-wrap: anywhere; }
        details { margin-top: 6px; }
        details > summary { cursor: pointer; }
        .details, .evidence { margin: 6px 0 0; padding-left: 18px; }
        .details li, .evidence li { overflow-wrap: anywhere; }
        .evidence .kind { font-size: 11px; text-transform: uppercase; border: 1px solid var(--line);
          border-radius: 4px; padding: 0 5px; color: var(--muted); }

        .badge, .pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px;
          font-weight: 700; white-space: nowrap; border: 1px solid transparent; }
        .pill { text-transform: uppercase; letter-spacing: 0.03em; font-size: 12px; min-width: 5.5em; text-align: center; }
        .badge.big { font-size: 16px; padding: 4px 14px; margin-right: 6px; }
        .v-go { background: #1a7f37; color: #fff; }
        .v-nogo { background: #a40e26; color: #fff; }
        .v-none { background: var(--neutral-bg); color: var(--neutral); border-color: var(--line); }
        .g-open { background: var(--pass-bg); color: var(--pass); border-color: #8ddb9f; }
        .g-closed { background: var(--fail-bg); color: var(--fail); border-color: #ffb1b1; }
        .s-pass { color: var(--pass); background: var(--pass-bg); }
        .s-warn { color: var(--warn); background: var(--warn-bg); }
        .s-waived { color: var(--info); background: var(--info-bg); }
        .s-skipped, .s-not-run { color: var(--neutral); background: var(--neutral-bg); }
        .s-not-run { border: 1px dashed var(--neutral); }
        .s-fail { color: var(--fail); background: var(--fail-bg); }
        .s-error { color: #5a32a3; background: #f3ecff; }

        .summary p { margin: 0 0 12px; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
        .meta { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 14px; margin: 0 0 8px; }
        .meta dt { color: var(--muted); }
        .meta dd { margin: 0; overflow-wrap: anywhere; }
        .missing li { overflow-wrap: anywhere; }
        .commands { list-style: none; padding: 0; margin: 0; }
        .commands li { margin: 0 0 10px; }
        .commands .role { font-weight: 600; }
        pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 4px 0 0;
          white-space: pre-wrap; overflow-wrap: anywhere; }

        button, .button { font: inherit; font-weight: 600; padding: 6px 14px; border-radius: 6px; cursor: pointer;
          border: 1px solid #1f2328; background: var(--card); color: var(--fg); text-decoration: none;
          display: inline-block; min-height: 36px; }
        button.danger { background: #a40e26; border-color: #a40e26; color: #fff; }
        button:disabled { cursor: not-allowed; background: var(--neutral-bg); color: var(--neutral); border-color: var(--line); }
        button.link { background: none; border: 0; padding: 4px 6px; text-decoration: underline; min-height: 0;
          font-weight: 400; }
        form { margin: 0; }
        .login { max-width: 460px; display: grid; gap: 8px; }
        .login label { font-weight: 600; }
        .login input { font: inherit; padding: 8px 10px; border: 1px solid #6e7781; border-radius: 6px; width: 100%; }
        .confirm { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }

        .risk { display: flex; gap: 20px; flex-wrap: wrap; align-items: flex-start; }
        .risk > div:last-child { flex: 1 1 280px; min-width: 0; }
        .equation { font-size: 16px; margin-top: 0; }
        .requires { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
        .requires li { font-size: 13px; padding: 1px 8px; border-radius: 6px; background: var(--neutral-bg);
          border: 1px solid var(--line); }
        blockquote { margin: 12px 0 0; padding: 6px 12px; border-left: 3px solid var(--line); color: var(--muted); }
        svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; text-anchor: middle; }
        .matrix { max-width: 100%; height: auto; }
        .matrix .cell-score { font-size: 12px; fill: #3d444d; }
        .matrix .axis, .matrix .axis-title { font-size: 12px; fill: var(--muted); }
        .matrix .axis-title { font-weight: 600; }

        .load-wrap .card, .load-wrap section { background: var(--card); border: 1px solid var(--line);
          border-radius: 10px; padding: 16px 18px; margin: 16px 0; }
        .load-wrap h2 { font-size: 19px; }
        .load-title { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        .load-summary { margin: 2px 0 0; color: var(--muted); }
        figure.chart { margin: 16px 0 0; }
        figure.chart figcaption { color: var(--muted); font-size: 13px; margin-top: 2px; }
        .chart-svg { display: block; width: 100%; max-width: 1080px; height: auto; }
        .canary-chart { display: block; width: 100%; max-width: 820px; height: auto; }
        .chart-svg text, .canary-chart text { font-size: 12px; fill: var(--muted); }
        .chart-svg .ytick, .canary-chart .ytick { text-anchor: end; }
        .chart-svg .axis-title { font-weight: 600; }
        .chart-svg .legend text, .chart-svg .end-label { text-anchor: start; fill: var(--fg); }
        .chart-svg .end-label { font-weight: 600; }
        .chart-svg .grid, .canary-chart .grid { stroke: var(--line); stroke-width: 1; }
        .chart-svg .axis { stroke: var(--muted); stroke-width: 1; }
        .chart-svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
        .chart-svg .series.p50, .chart-svg .marker.p50 { stroke: var(--p50); }
        .chart-svg .series.p99, .chart-svg .marker.p99 { stroke: var(--p99); }
        .chart-svg .series.rps, .chart-svg .marker.rps { stroke: var(--rps); }
        .chart-svg .series.target { stroke: var(--target); stroke-width: 1.5; stroke-dasharray: 6 4; }
        .chart-svg .area.rps { fill: var(--rps); fill-opacity: 0.12; stroke: none; }
        .chart-svg rect.errors { fill: var(--errors); }
        .chart-svg .marker { fill: var(--card); stroke-width: 2; }
        .chart-svg .end-label.p50 { fill: var(--p50); } .chart-svg .end-label.p99 { fill: var(--p99); }
        .chart-svg .end-label.rps { fill: var(--rps); } .chart-svg .end-label.target { fill: var(--target); }
        .canary-chart { background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
        .canary-chart path.weight, .canary-chart line.weight { fill: none; stroke: #0969da; stroke-width: 2.5; }
        .canary-chart circle.score { fill: #bc4c00; stroke: #fff; stroke-width: 1.5; }
        .canary-chart .legend text { text-anchor: start; fill: var(--fg); }
        .canary-chart .xtick.start { text-anchor: start; } .canary-chart .xtick.end { text-anchor: end; }
        .canary-chart .axis-title { font-weight: 600; }
        td time, th time { white-space: nowrap; }
        .figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 0 0 12px; }
        .figures div { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px;
          min-width: 120px; }
        .figures dt { color: var(--muted); font-size: 13px; }
        .figures dd { margin: 0; font-size: 20px; font-weight: 700; }

        @media (max-width: 600px) {
          main { padding: 14px 14px 24px; }
          .top .bar { padding: 8px 14px; }
          .who { margin-left: 0; }
          h1 { font-size: 22px; }
          .card { padding: 12px; }
          .meta { grid-template-columns: 1fr; }
          .meta dt { margin-top: 6px; }
          .foot { padding: 0 14px 20px; }
          .figures { display: grid; grid-template-columns: 1fr 1fr; }
          .figures .asof { grid-column: 1 / -1; }
          .figures dd { font-size: 17px; }
          .figures .asof dd { font-size: 15px; }
          /* The chart's user units shrink about by half on a phone: larger text and lines keep it legible. */
          .canary-chart text { font-size: 20px; }
          .canary-chart path.weight, .canary-chart line.weight { stroke-width: 4; }
          .canary-chart circle.score { r: 7px; }
          /* The releases and the flags: one block per row, each cell with its column's name. */
          table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
          table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block;
            width: 100%; }
          table.stack tr { border-top: 1px solid var(--line); padding: 8px 0; }
          table.stack tbody th, table.stack td { border: 0; padding: 3px 12px; white-space: normal; text-align: left; }
          table.stack tbody th { font-size: 16px; }
          table.stack td[data-label]::before { content: attr(data-label); display: inline-block; min-width: 7.5em;
            color: var(--muted); font-size: 13px; }
          table.stack td.wrap { min-width: 0; }
          table.stack td.num { text-align: left; }
          table.stack caption { display: block; padding-left: 12px; }
          table.checks thead th:first-child, table.checks thead th:nth-child(2) { width: auto; }
        }
        """
}
