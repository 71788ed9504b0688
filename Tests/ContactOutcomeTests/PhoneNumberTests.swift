import CRMDomain
@testable import ContactOutcome
import Testing

/// Contacts uses the one phone rule every service shares: what the registry refuses is
/// refused here too.
@Suite struct ContactsPhoneNumberTests {
    @Test(arguments: [("8 937 288 80 99", "9372888099"), ("812 5893369", "8125893369"), ("+7 495 123-45-67", "4951234567")])
    func acceptsWhatTheRegistryAccepts(typed: String, expected: String) throws {
        #expect(try NationalPhone(typed, field: "phone").digits == expected)
    }

    @Test(arguments: ["0123456789", "7012345678", "9372888099a", "+8 937 288 80 99", "12345"])
    func refusesWhatTheRegistryRefuses(typed: String) {
        #expect(throws: RuleError.self) { try NationalPhone(typed, field: "phone").digits }
    }
}
