import Testing

@testable import GreenlightLoad

@Suite("Reading /proc")
struct ProcessTableTests {
    @Test("the stat line is read after the last ')', whatever the command name holds")
    func statLine() throws {
        let line =
            "4242 (my (odd) name) x) S 1 4242 4242 0 -1 4194560 1510 0 0 0 250 75 0 0 20 0 7 0 123456 "
            + "12345678 2000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n"
        let stat = try #require(ProcessTable.Stat(parsing: line))
        #expect(stat == ProcessTable.Stat(parsing: line))
        #expect(stat.state == "S")
        #expect(stat.cpuTicks == 325)
        #expect(stat.threads == 7)
        #expect(stat.startTime == 123456)
        #expect(!stat.hasExited)
        #expect(ProcessTable.Stat(parsing: "4242 (cut short) S 1 2 3") == nil)
    }

    @Test("status and io fields are read whether tabs or spaces follow the name")
    func fields() {
        let status = "Name:\tnginx\nVmRSS:\t   20480 kB\nThreads:\t12\n"
        #expect(ProcessTable.field("VmRSS", in: status) == 20480)
        #expect(ProcessTable.field("Threads", in: status) == 12)
        #expect(ProcessTable.field("VmSwap", in: status) == nil)
        let io = "rchar: 100\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n"
        #expect(ProcessTable.field("read_bytes", in: io) == 4096)
        #expect(ProcessTable.field("write_bytes", in: io) == 8192)
    }
}
