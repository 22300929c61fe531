import GreenlightCore
import Synchronization

/// Hands out data rows to virtual users or iterations from any number of threads.
///
/// In `unique` mode each row goes out once, after which ``next()`` returns nil; in `cyclic` mode the
/// rows go round and round in file order.
package final class DataFeeder: Sendable {
    package let rows: DataRows
    package let mode: DataFeedSpec.Mode
    private let count = Mutex(0)

    package init(rows: DataRows, mode: DataFeedSpec.Mode) {
        self.rows = rows
        self.mode = mode
    }

    /// The next row, or nil when a unique feed is used up (or there are no rows at all).
    package func next() -> [String: String]? {
        let total = rows.rows.count
        let index: Int? = count.withLock { handed in
            guard total > 0 else { return nil }
            switch mode {
            case .unique:
                guard handed < total else { return nil }
                handed += 1
                return handed - 1
            case .cyclic:
                handed &+= 1
                return (handed &- 1) % total
            }
        }
        return index.map { rows.rows[$0] }
    }

    /// How many rows have been handed out so far, counting each time round in cyclic mode.
    package var handedOut: Int { count.withLock { $0 } }

    /// Whether ``next()`` has nothing more to give: a unique feed used up, or no rows.
    package var isExhausted: Bool {
        let total = rows.rows.count
        return total == 0 || (mode == .unique && handedOut >= total)
    }
}
