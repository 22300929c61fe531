import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightLoad

@Suite("Data feeder")
struct DataFeederTests {
    static func rows(_ count: Int) -> DataRows {
        DataRows(columns: ["id"], rows: (0..<count).map { ["id": String($0)] }, source: "users.csv")
    }

    @Test("unique hands each row out once, then nothing")
    func unique() {
        let feeder = DataFeeder(rows: Self.rows(3), mode: .unique)
        #expect(!feeder.isExhausted)
        #expect((0..<3).map { _ in feeder.next()?["id"] } == ["0", "1", "2"])
        #expect(feeder.isExhausted)
        #expect(feeder.next() == nil)
        #expect(feeder.next() == nil)
        #expect(feeder.handedOut == 3)
    }

    @Test("cyclic goes round in file order and is never used up")
    func cyclic() {
        let feeder = DataFeeder(rows: Self.rows(3), mode: .cyclic)
        #expect((0..<7).map { _ in feeder.next()?["id"] } == ["0", "1", "2", "0", "1", "2", "0"])
        #expect(feeder.handedOut == 7)
        #expect(!feeder.isExhausted)
    }

    @Test("no rows: nothing to hand out in either mode", arguments: [DataFeedSpec.Mode.unique, .cyclic])
    func empty(mode: DataFeedSpec.Mode) {
        let feeder = DataFeeder(rows: Self.rows(0), mode: mode)
        #expect(feeder.next() == nil)
        #expect(feeder.isExhausted)
        #expect(feeder.handedOut == 0)
    }

    @Test("8 threads drawing at once get each unique row exactly once")
    func concurrentUnique() {
        let total = 80_000
        let feeder = DataFeeder(rows: Self.rows(total), mode: .unique)
        let drawn = LockBox<[[String]]>([])
        let done = DispatchGroup()
        for _ in 0..<8 {
            done.enter()
            Thread {
                var mine: [String] = []
                while let row = feeder.next() { mine.append(row["id"] ?? "") }
                drawn.withValue { $0.append(mine) }
                done.leave()
            }.start()
        }
        done.wait()
        let ids = drawn.current.flatMap { $0 }
        #expect(ids.count == total)
        #expect(Set(ids).count == total)
        #expect(feeder.handedOut == total)
        #expect(feeder.isExhausted)
        // Each thread sees its rows in increasing order.
        let inOrder = drawn.current.allSatisfy { list in
            zip(list, list.dropFirst()).allSatisfy { Int($0)! < Int($1)! }
        }
        #expect(inOrder)
    }
}
