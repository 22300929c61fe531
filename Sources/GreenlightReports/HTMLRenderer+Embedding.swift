import GreenlightCore

/// Pieces of the HTML report that other HTML pages of greenlight show as well (the team server's
/// dashboard): the risk matrix and the load charts, as inline SVG, escaped as the report escapes them.
extension HTMLRenderer {
    /// The 5x5 likelihood × impact matrix with the release's cell marked.
    package static func riskMatrixSVG(_ risk: RiskAssessment) -> String { riskMatrix(risk) }

    /// The load test's section: headline numbers, latency and throughput over time.
    package static func loadChartsHTML(_ timeline: LoadTimeline) -> String { loadSection(timeline) }

    /// What the requirement list of a risk class reads, one phrase per requirement.
    package static func requirementPhrases(_ risk: RiskAssessment) -> [String] { risk.requirementPhrases }

    /// A check status as the report words it.
    package static func statusLabel(_ status: CheckStatus) -> String { status.label }
}
