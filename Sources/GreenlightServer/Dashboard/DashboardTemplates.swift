internal import Foundation
import GreenlightCore
import Mustache

/// The dashboard's Mustache templates, compiled once.
///
/// They are Swift string literals rather than resource files: greenlight ships as one binary
/// (scripts/build-release), and on Linux `Bundle.module` looks for a resource bundle beside the
/// executable and stops the process when it is missing, so a copied binary would fail at its first page.
///
/// `{{ }}` HTML-escapes (the default content type of swift-mustache is HTML). `{{{ }}}` appears only for
/// the SVG charts and the load section, which greenlight builds and escapes itself, never for ledger text.
enum DashboardTemplates {
    /// Renders `name` with `value`; a template greenlight ships that does not render is a bug.
    static func render(_ name: String, _ value: Any) -> String {
        guard let text = library.render(value, withTemplate: name) else {
            preconditionFailure("the dashboard has no template \(name)")
        }
        return text
    }

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in templates {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("the dashboard's template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    /// The canary page's live refresh: every 2 s, fetch the fragment and swap it in. Without JavaScript
    /// the page is a plain page with a reload link.
    static let pollScript = """

        (function () {
          var live = document.getElementById("canary-live");
          if (!live || !window.fetch) return;
          var url = live.getAttribute("data-fragment");
          var status = document.getElementById("live-status");
          if (status) status.textContent = "Updates every 2 seconds.";
          function tick() {
            fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
              .then(function (response) {
                return response.text().then(function (text) {
                  live.innerHTML = text;
                  if (response.ok) { setTimeout(tick, 2000); }
                  else if (status) { status.textContent = "Live updates stopped."; }
                });
              })
              .catch(function () {
                if (status) status.textContent = "The server did not answer; retrying.";
                setTimeout(tick, 5000);
              });
          }
          setTimeout(tick, 2000);
        })();

        """

    /// The Content-Security-Policy source of ``pollScript``, the only script the pages run.
    static let scriptHash: String = {
        let hex = Hashing.sha256Hex(Data(pollScript.utf8))
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return "sha256-" + Data(bytes).base64EncodedString()
    }()

    static let templates: [String: String] = [
        "layout": layout, "login": login, "message": message, "releases": releases, "release": release,
        "canary": canary, "canaryLive": canaryLive, "flags": flags, "confirm": confirm,
    ]

    static let layout = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{$title}}greenlight{{/title}} · greenlight</title>
        <style>
        \#(DashboardStyle.css)
        </style>
        </head>
        <body>
        <a class="skip" href="#main">Skip to the content</a>
        <header class="top">
        <div class="bar">
        <p class="brand"><a href="/">greenlight</a> <span>release dashboard</span></p>
        {{#chrome}}
        <nav aria-label="Main">
        <ul>
        <li><a href="/"{{#onReleases}} aria-current="page"{{/onReleases}}>Releases</a></li>
        <li><a href="/flags"{{#onFlags}} aria-current="page"{{/onFlags}}>Flags</a></li>
        </ul>
        </nav>
        <form class="who" method="post" action="/logout">
        <span>Signed in as <b>{{signer}}</b> <span class="muted">({{roles}})</span></span>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="link">Sign out</button>
        </form>
        {{/chrome}}
        </div>
        </header>
        <main id="main" tabindex="-1">
        {{$main}}{{/main}}
        </main>
        <footer class="foot"><p>greenlight team server · every page is read from the release ledger</p></footer>
        {{$script}}{{/script}}
        </body>
        </html>

        """#

    static let login = #"""
        {{<layout}}
        {{$title}}Sign in{{/title}}
        {{$main}}
        <h1>Sign in</h1>
        <p>Paste your personal token. <code>greenlight token new --signer NAME</code> makes one (an admin runs it).</p>
        {{#error}}<p class="error" role="alert" id="login-error">{{error}}</p>{{/error}}
        <form class="card login" method="post" action="/login">
        <input type="hidden" name="next" value="{{next}}">
        <label for="token">Personal token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
          placeholder="glt_…"{{#error}} aria-describedby="login-error" aria-invalid="true"{{/error}}>
        <button type="submit">Sign in</button>
        </form>
        <p class="muted">The token stays on the server for the session (a cookie names the session); sign out, or
        revoke the token, to end it.</p>
        {{/main}}
        {{/layout}}
        """#

    static let message = #"""
        {{<layout}}
        {{$title}}{{title}}{{/title}}
        {{$main}}
        <h1>{{title}}</h1>
        <p class="notice">{{message}}</p>
        <p><a href="{{back}}">Back</a></p>
        {{/main}}
        {{/layout}}
        """#

    static let releases = #"""
        {{<layout}}
        {{$title}}Releases{{/title}}
        {{$main}}
        <h1>Releases</h1>
        {{#hasFailures}}
        <section class="card alert" aria-labelledby="deliveries">
        <h2 id="deliveries">Webhook deliveries that failed</h2>
        <div class="scroll" role="region" aria-labelledby="deliveries" tabindex="0">
        <table class="stack">
        <thead><tr><th scope="col">Time</th><th scope="col">Target</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Detail</th></tr></thead>
        <tbody>
        {{#failures}}
        <tr><td data-label="Time"><time>{{time}}</time></td><th scope="row" class="wrap">{{target}}</th><td data-label="Event">{{event}}</td><td data-label="Status"><span class="pill s-fail">{{status}}</span></td><td data-label="Detail" class="wrap">{{detail}}</td></tr>
        {{/failures}}
        </tbody>
        </table>
        </div>
        </section>
        {{/hasFailures}}
        {{#hasReleases}}
        <p class="muted">Newest activity first. The gate is open when the latest report is GO and every required role approved it.</p>
        <div class="scroll" role="region" aria-label="Releases" tabindex="0">
        <table class="releases stack">
        <caption class="sr-only">Releases with their verdict, risk class, gate and canary</caption>
        <thead><tr><th scope="col">Release</th><th scope="col">Verdict</th><th scope="col">Risk class</th><th scope="col">Gate</th><th scope="col">Canary</th><th scope="col">Weight</th><th scope="col">Reported</th></tr></thead>
        <tbody>
        {{#releases}}
        <tr>
        <th scope="row"><a href="{{link}}">{{name}}</a></th>
        <td data-label="Verdict"><span class="badge v-{{verdictClass}}">{{verdict}}</span></td>
        <td data-label="Risk class">{{riskClass}}</td>
        <td data-label="Gate"><span class="badge g-{{gateClass}}">{{gate}}</span>{{#missing}} <span class="muted small">{{missing}}</span>{{/missing}}</td>
        <td data-label="Canary"><a href="{{link}}/canary">{{canary}}</a></td>
        <td data-label="Weight" class="num">{{weight}}</td>
        <td data-label="Reported"><time>{{reportedAt}}</time></td>
        </tr>
        {{/releases}}
        </tbody>
        </table>
        </div>
        {{/hasReleases}}
        {{^hasReleases}}
        <p class="notice">The ledger holds no release yet. <code>greenlight check</code> records one.</p>
        {{/hasReleases}}
        {{/main}}
        {{/layout}}
        """#

    static let release = #"""
        {{<layout}}
        {{$title}}{{name}}{{/title}}
        {{$main}}
        <nav aria-label="Breadcrumb" class="crumbs"><a href="/">Releases</a> › <span aria-current="page">{{name}}</span></nav>
        <h1>{{name}}</h1>
        <div class="summary">
        <p><span class="badge big v-{{verdictClass}}">{{verdict}}</span>
        {{#gateOpen}}<span class="badge big g-open">gate open</span>{{/gateOpen}}{{^gateOpen}}<span class="badge big g-closed">gate closed</span>{{/gateOpen}}
        <a class="button" href="{{canaryLink}}">Canary</a></p>
        <dl class="meta">
        <dt>Owner</dt><dd>{{owner}}</dd>
        <dt>Author</dt><dd>{{author}}</dd>
        <dt>Ticket</dt><dd>{{#ticketLink}}<a href="{{ticketLink}}">{{ticket}}</a>{{/ticketLink}}{{^ticketLink}}{{ticket}}{{/ticketLink}}</dd>
        {{#report}}<dt>Report</dt><dd><code class="hash">{{digest}}</code> (record {{record}}, recorded <time>{{recordedAt}}</time>)</dd>{{/report}}
        </dl>
        {{^gateOpen}}
        <h2>What keeps the gate closed</h2>
        <ul class="missing">{{#missing}}<li>{{.}}</li>{{/missing}}</ul>
        {{/gateOpen}}
        </div>

        <section aria-labelledby="signoffs" class="card">
        <h2 id="signoffs">Sign-offs</h2>
        <p class="note">This page never signs: a sign-off is signed with the signer's private key on their own machine, and this server holds no private keys.</p>
        {{#hasRoles}}
        <div class="scroll" role="region" aria-labelledby="signoffs" tabindex="0">
        <table class="stack">
        <thead><tr><th scope="col">Role</th><th scope="col">State</th><th scope="col">Approved by</th><th scope="col">Signed at</th></tr></thead>
        <tbody>
        {{#roles}}
        <tr><th scope="row">{{role}}</th>
        {{#approved}}<td data-label="State"><span class="badge g-open">approved</span></td><td data-label="Approved by">{{signer}} <span class="muted small">(record {{record}})</span></td><td data-label="Signed at"><time>{{signedAt}}</time></td>{{/approved}}
        {{^approved}}<td data-label="State"><span class="badge g-closed">missing</span></td><td data-label="Approved by">—</td><td data-label="Signed at">—</td>{{/approved}}
        </tr>
        {{/roles}}
        </tbody>
        </table>
        </div>
        {{/hasRoles}}
        {{#hasPending}}
        <h3>To approve</h3>
        <p>Each role still missing signs with the CLI, with their own key (<code>--key</code> or <code>GREENLIGHT_KEY</code>) and their token in <code>GREENLIGHT_TOKEN</code>; <code>--report</code> pins the report shown here:</p>
        <ul class="commands">
        {{#pendingRoles}}<li><span class="role">{{role}}</span><pre><code>{{command}}</code></pre></li>{{/pendingRoles}}
        </ul>
        {{/hasPending}}
        {{#hasSignOffs}}
        <h3>Every sign-off recorded</h3>
        <div class="scroll" role="region" aria-label="Every sign-off recorded" tabindex="0">
        <table class="stack">
        <thead><tr><th scope="col">Record</th><th scope="col">Signer</th><th scope="col">Role</th><th scope="col">Decision</th><th scope="col">Comment</th><th scope="col">Signed at</th></tr></thead>
        <tbody>
        {{#signOffs}}
        <tr><td data-label="Record" class="num">{{record}}</td><th scope="row">{{signer}}</th><td data-label="Role">{{role}}</td><td data-label="Decision"><span class="pill s-{{decisionClass}}">{{decision}}</span></td><td data-label="Comment" class="wrap">{{comment}}</td><td data-label="Signed at"><time>{{signedAt}}</time></td></tr>
        {{/signOffs}}
        </tbody>
        </table>
        </div>
        {{/hasSignOffs}}
        {{#hasIgnored}}
        <h3>Not counted</h3>
        <ul>{{#ignored}}<li>{{.}}</li>{{/ignored}}</ul>
        {{/hasIgnored}}
        </section>

        {{#report}}
        <section aria-labelledby="risk" class="card">
        <h2 id="risk">Risk: class {{riskClass}}</h2>
        <div class="risk">
        <div class="matrix-wrap">{{{matrixSVG}}}</div>
        <div>
        <p class="equation">Likelihood <b>{{likelihood}}</b> × impact <b>{{impact}}</b> = <b>{{score}}</b>, class <b>{{riskClass}}</b></p>
        <p class="muted">Impact {{impactNote}}.</p>
        {{#hasFactors}}<ul>{{#factors}}<li><code>{{name}}</code> {{value}}: scores {{score}}</li>{{/factors}}</ul>{{/hasFactors}}
        <h3>Class {{riskClass}} requires</h3>
        <ul class="requires">{{#requirements}}<li>{{.}}</li>{{/requirements}}</ul>
        {{#riskSummary}}<blockquote>{{riskSummary}}</blockquote>{{/riskSummary}}
        </div>
        </div>
        </section>

        <section aria-labelledby="checklist" class="card">
        <h2 id="checklist">Checklist</h2>
        <p class="muted">The latest report, generated <time>{{generatedAt}}</time>.</p>
        <div class="scroll" role="region" aria-labelledby="checklist" tabindex="0">
        <table class="checks stack">
        <thead><tr><th scope="col">Status</th><th scope="col">Check</th><th scope="col">Summary and evidence</th></tr></thead>
        <tbody>
        {{#checks}}
        <tr>
        <td data-label="Status"><span class="pill s-{{statusClass}}">{{status}}</span></td>
        <th scope="row"><span class="title">{{title}}</span><br><code class="id">{{id}}</code><br><span class="muted small">{{required}}</span></th>
        <td data-label="Summary" class="wrap"><p>{{summary}}</p>
        {{#waiver}}<p class="muted">{{waiver}}</p>{{/waiver}}
        {{#hasMore}}<details><summary>Details and evidence</summary>
        {{#hasDetails}}<ul class="details">{{#details}}<li>{{.}}</li>{{/details}}</ul>{{/hasDetails}}
        {{#hasEvidence}}<ul class="evidence">{{#evidence}}<li><span class="kind">{{kind}}</span> {{reference}}{{#sha256}} <code class="hash">sha256 {{sha256}}</code>{{/sha256}}</li>{{/evidence}}</ul>{{/hasEvidence}}
        </details>{{/hasMore}}
        </td>
        </tr>
        {{/checks}}
        </tbody>
        </table>
        </div>
        </section>
        {{#loadHTML}}<div class="load-wrap">{{{loadHTML}}}</div>{{/loadHTML}}
        {{/report}}
        {{^report}}<p class="notice">No readiness report is recorded for {{name}} yet.</p>{{/report}}
        {{/main}}
        {{/layout}}
        """#

    static let canary = #"""
        {{<layout}}
        {{$title}}Canary of {{name}}{{/title}}
        {{$main}}
        <nav aria-label="Breadcrumb" class="crumbs"><a href="/">Releases</a> › <a href="{{releaseLink}}">{{name}}</a> › <span aria-current="page">Canary</span></nav>
        <h1>Canary of {{name}}</h1>
        <p class="muted"><span id="live-status">This page shows the state when it was loaded.</span> <a href="">Reload</a></p>
        <div id="canary-live" data-fragment="{{fragmentLink}}" aria-live="polite">
        {{#live}}{{>canaryLive}}{{/live}}
        </div>
        {{/main}}
        {{$script}}<script>\#(pollScript)</script>{{/script}}
        {{/layout}}
        """#

    static let canaryLive = #"""
        <dl class="figures">
        <div><dt>State</dt><dd>{{state}}</dd></div>
        <div><dt>Weight</dt><dd>{{weight}}</dd></div>
        <div><dt>Last score</dt><dd>{{lastScore}}</dd></div>
        <div class="asof"><dt>As of</dt><dd><time>{{updated}}</time></dd></div>
        </dl>
        <figure class="chart">{{{chartSVG}}}<figcaption>Weight (line) and the judge's score (points), in percent; {{count}}.</figcaption></figure>
        {{#hasEvents}}
        <div class="scroll" role="region" aria-label="Rollout events" tabindex="0">
        <table class="stack">
        <caption>Rollout events, newest first</caption>
        <thead><tr><th scope="col">Record</th><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Weight</th><th scope="col">Score</th><th scope="col">Outcome</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
        <tbody>
        {{#events}}
        <tr><td data-label="Record" class="num">{{record}}</td><td data-label="Time"><time>{{time}}</time></td><th scope="row">{{action}}</th><td data-label="Weight" class="num">{{from}} → {{to}}</td><td data-label="Score" class="num">{{score}}</td><td data-label="Outcome">{{outcome}}</td><td data-label="By">{{by}}</td><td data-label="Reason" class="wrap">{{reason}}</td></tr>
        {{/events}}
        </tbody>
        </table>
        </div>
        {{/hasEvents}}
        {{^hasEvents}}<p class="notice">No rollout events yet: <code>greenlight rollout</code> records them.</p>{{/hasEvents}}
        """#

    static let flags = #"""
        {{<layout}}
        {{$title}}Flags{{/title}}
        {{$main}}
        <h1>Flags</h1>
        {{^mayOperate}}<p class="notice" id="why-not">{{whyNot}}</p>{{/mayOperate}}
        {{#hasProblems}}<ul class="error">{{#problems}}<li>{{.}}</li>{{/problems}}</ul>{{/hasProblems}}
        {{#hasFlags}}
        <div class="scroll" role="region" aria-label="Flags" tabindex="0">
        <table class="flags stack">
        <thead><tr><th scope="col">Flag</th><th scope="col">State</th><th scope="col">Serving</th><th scope="col">Variants</th><th scope="col">Last change</th><th scope="col">Kill switch</th></tr></thead>
        <tbody>
        {{#flags}}
        <tr>
        <th scope="row"><code>{{key}}</code></th>
        <td data-label="State"><span class="pill s-{{stateClass}}">{{state}}</span></td>
        <td data-label="Serving">{{serving}}</td>
        <td data-label="Variants" class="wrap"><code>{{variants}}</code></td>
        <td data-label="Last change">{{changedBy}}, <time>{{changedAt}}</time> <span class="muted small">(record {{record}}){{#reason}}: {{reason}}{{/reason}}</span></td>
        <td data-label="Kill switch">
        {{#killed}}<form method="post" action="{{reviveAction}}"><button type="submit"{{^mayOperate}} disabled aria-describedby="why-not"{{/mayOperate}}>Revive {{key}}</button></form>{{/killed}}
        {{^killed}}<form method="post" action="{{killAction}}"><button type="submit" class="danger"{{^mayOperate}} disabled aria-describedby="why-not"{{/mayOperate}}>Kill {{key}}</button></form>{{/killed}}
        </td>
        </tr>
        {{/flags}}
        </tbody>
        </table>
        </div>
        {{/hasFlags}}
        {{^hasFlags}}<p class="notice">No flags yet: <code>greenlight flag set</code> makes one.</p>{{/hasFlags}}
        {{/main}}
        {{/layout}}
        """#

    static let confirm = #"""
        {{<layout}}
        {{$title}}{{verb}} {{key}}?{{/title}}
        {{$main}}
        <h1>{{#kill}}Kill{{/kill}}{{^kill}}Revive{{/kill}} the flag <code>{{key}}</code>?</h1>
        <p>{{consequence}}</p>
        <p>The change is recorded in the ledger in your name.</p>
        <form method="post" action="{{action}}" class="confirm">
        {{#chrome}}<input type="hidden" name="csrf" value="{{csrf}}">{{/chrome}}
        <input type="hidden" name="confirm" value="yes">
        <button type="submit"{{#kill}} class="danger"{{/kill}}>Yes, {{verb}} {{key}}</button>
        <a href="/flags">Cancel</a>
        </form>
        {{/main}}
        {{/layout}}
        """#
}
