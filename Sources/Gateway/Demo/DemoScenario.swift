import Foundation

/// The people and numbers the demo's workflow uses: the registry's demo-data anchors
/// (Sources/ClientRegistry/DemoData), known here only as an operator would know them —
/// logins, phone numbers, contract numbers.
enum DemoScenario {
    struct Operator {
        var login: String
        var mobile: String
    }

    static let vcc = Operator(login: "vcc.ivanova", mobile: "9161234567")
    static let office = Operator(login: "office.smirnova", mobile: "9161234570")
    static let collector = Operator(login: "collector.volkov", mobile: "9161234573")

    /// Held by a Клиент card and an internet application of the same person.
    static let sharedPhone = "9372888099"
    /// The same number as operators type it.
    static let sharedPhoneShapes = ["(937) 288-80-99", "+7 937-288-80-99", "8 937 288 80 99", "937,2888099"]
    /// A work phone in Saint Petersburg, typed with its city code.
    static let cityPhoneShape = "812 5893369"
    static let thirdPartyPhone = "9510187060"
    static let debtContract = "Z600531987509"
    /// A borrower whose only contract has no debt: collection must not find it.
    static let paidUpPhone = "9031112233"
    static let clientPassport = (series: "3605", number: "123456")
}
