import Yams

extension AlertmanagerStatus {
    /// The names of the receivers in the configuration in force; nil when it cannot be read.
    var receiverNames: [String]? {
        receivers?.compactMap { $0["name"] as? String }
    }

    /// The integrations of receiver `name` (`webhook`, `slack`, `pagerduty`…), as its `*_configs` keys
    /// name them; nil when the configuration cannot be read or has no such receiver.
    func integrations(of name: String) -> Set<String>? {
        guard let receiver = receivers?.first(where: { $0["name"] as? String == name }) else { return nil }
        return Set(receiver.keys.filter { $0.hasSuffix("_configs") }.map { String($0.dropLast("_configs".count)) })
    }

    private var receivers: [[String: Any]]? {
        guard let config = (try? Yams.load(yaml: config.original)) as? [String: Any] else { return nil }
        return config["receivers"] as? [[String: Any]]
    }
}
