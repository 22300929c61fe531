/// Alertmanager's own count of its notifications, from a scrape of its `/metrics`: how delivery is
/// seen when greenlight does not receive the notification itself.
///
/// `alertmanager_notifications_total` counts a notification when Alertmanager starts to send it and
/// `alertmanager_notifications_failed_total` when it gives up; each attempt in between (it retries)
/// is counted by `alertmanager_notification_requests_total`, and a failed one also by
/// `alertmanager_notification_requests_failed_total`. A delivery succeeded once attempts rose by more
/// than failed attempts did.
struct NotificationCounters: Sendable, Equatable {
    var notifications = 0.0
    var failedNotifications = 0.0
    var requests = 0.0
    var failedRequests = 0.0
    /// Whether the scrape had the per-attempt counters (Alertmanager 0.22 and later).
    var countsAttempts = false

    /// Attempts that succeeded.
    var deliveries: Double { requests - failedRequests }

    /// The counters in Prometheus text `exposition`, summed over the series of `integrations` (every
    /// integration when nil) and, where the series name their receiver (`receiver_name`, a feature of
    /// later Alertmanagers), of `receiver` only.
    ///
    /// A plain reading of these four counters line by line, kept in this one function so that a full
    /// exposition parser can stand in for it.
    static func read(_ exposition: String, integrations: Set<String>?, receiver: String) -> NotificationCounters {
        var counters = NotificationCounters()
        for line in exposition.split(separator: "\n") where line.hasPrefix("alertmanager_notification") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            var labels: [Substring: Substring] = [:]
            var rest = line.dropFirst(name.count)
            if rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else { continue }
                for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    let key = pair[..<equals].trimmingPrefix(" ")
                    labels[key] = pair[pair.index(after: equals)...].trimmingPrefix(" ").dropFirst().dropLast()
                }
                rest = rest[rest.index(after: close)...]
            }
            guard let value = rest.split(separator: " ").first.flatMap({ Double($0) }) else { continue }
            if let integrations, let integration = labels["integration"], !integrations.contains(String(integration)) {
                continue
            }
            if let name = labels["receiver_name"], name != receiver { continue }
            switch name {
            case "alertmanager_notifications_total": counters.notifications += value
            case "alertmanager_notifications_failed_total": counters.failedNotifications += value
            case "alertmanager_notification_requests_total":
                counters.requests += value
                counters.countsAttempts = true
            case "alertmanager_notification_requests_failed_total": counters.failedRequests += value
            default: break
            }
        }
        return counters
    }
}
