#if os(Linux)
/// Deadlines as a binary min-heap of (when, token, generation); an entry whose endpoint has since
/// re-armed or closed is skipped when it comes up, so nothing is ever removed from the middle.
struct TimerHeap {
    struct Entry {
        var at: UInt64
        var token: UInt64
        var generation: UInt32
    }
    private var entries: [Entry] = []

    var hasEntries: Bool { !entries.isEmpty }

    mutating func push(at: UInt64, token: UInt64, generation: UInt32) {
        entries.append(Entry(at: at, token: token, generation: generation))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard entries[parent].at > entries[i].at else { break }
            entries.swapAt(parent, i)
            i = parent
        }
    }

    mutating func popDue(now: UInt64) -> Entry? {
        guard let first = entries.first, first.at <= now else { return nil }
        let last = entries.removeLast()
        if entries.isEmpty { return first }
        entries[0] = last
        var i = 0
        while true {
            let left = 2 * i + 1
            let right = left + 1
            var smallest = i
            if left < entries.count, entries[left].at < entries[smallest].at { smallest = left }
            if right < entries.count, entries[right].at < entries[smallest].at { smallest = right }
            if smallest == i { break }
            entries.swapAt(i, smallest)
            i = smallest
        }
        return first
    }

    /// epoll_wait's timeout: until the first deadline (rounded up), or -1 without one.
    func nextTimeoutMilliseconds(now: UInt64) -> Int32 {
        guard let first = entries.first else { return -1 }
        if first.at <= now { return 0 }
        return Int32(min((first.at - now + 999_999) / 1_000_000, 60_000))
    }
}
#endif
