import Testing

@testable import GreenlightLedger

@Suite("The ledger's format")
struct LedgerFormatTests {
    @Test("this greenlight writes ledger format 1")
    func format() { #expect(Ledger.formatVersion == 1) }
}
