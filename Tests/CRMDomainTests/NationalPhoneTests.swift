import CRMDomain
import Testing

/// `NationalPhone`, the one phone rule every service applies (docs/API.md «Phones»).
@Suite("National phone numbers")
struct NationalPhoneTests {
    @Test("the forms in docs/API.md", arguments: [
        ("(937) 288-80-99", "9372888099"), ("+7 951-018-70-60", "9510187060"), ("8 937 288 80 99", "9372888099"),
        ("937,2888099", "9372888099"), ("812 5893369", "8125893369"),
    ])
    func documented(typed: String, national: String) {
        #expect(NationalPhone(typed)?.digits == national)
    }

    @Test("each separator people type is dropped, alone or repeated", arguments: [" ", "(", ")", "-", ".", ",", "\u{00A0}"])
    func separator(_ separator: String) {
        #expect(NationalPhone("937" + separator + "288" + separator + "80" + separator + "99")?.digits == "9372888099")
        #expect(NationalPhone("937" + separator + separator + "2888099" + separator)?.digits == "9372888099")
        #expect(NationalPhone("8" + separator + "9372888099")?.digits == "9372888099")
    }

    @Test("accepted", arguments: [
        // 10 digits as they are; 11 starting with 7 or 8 lose the first.
        ("9372888099", "9372888099"), ("79372888099", "9372888099"), ("89372888099", "9372888099"),
        ("+79372888099", "9372888099"), ("+7(937)288-80-99", "9372888099"), ("+ 7 937 288 80 99", "9372888099"),
        ("937.288.80.99", "9372888099"), ("937\u{00A0}288\u{00A0}80\u{00A0}99", "9372888099"), ("((937)) 288--80..99,,", "9372888099"),
        // Spaces around, before a leading + too.
        ("  9372888099  ", "9372888099"), ("  +7 937 288 80 99 ", "9372888099"), ("\u{00A0}+79372888099\u{00A0}", "9372888099"),
        // The first national digit: 3 and 4 (area codes), 8 (area codes, 800), 9 (mobile).
        ("3012345678", "3012345678"), ("4951234567", "4951234567"), ("8001234567", "8001234567"), ("88001234567", "8001234567"),
        ("78121234567", "8121234567"), ("+74951234567", "4951234567"), ("9001234567", "9001234567"),
    ])
    func accepted(typed: String, national: String) {
        #expect(NationalPhone(typed)?.digits == national)
    }

    @Test("refused", arguments: [
        // Nothing at all.
        "", " ", "   ", "+", "+ ", "()", "-",
        // A + anywhere but the start, twice, or followed by anything but 7.
        "937+2888099", "9372888099+", "++79372888099", "+ +79372888099", "(+7) 937 288 80 99", "7+9372888099",
        "+89372888099", "+9372888099", "+19372888099", "+375291234567", "+0 937 288 80 99",
        // Too few or too many digits; 11 digits starting with anything but 7 or 8.
        "937288809", "93728880", "1", "793728880999", "8937288809999", "99372888099", "19372888099", "09372888099", "39372888099",
        // A first national digit no Russian number has: 7xx is Kazakhstan; 0, 1, 2, 5, 6.
        "7012345678", "77012345678", "87012345678", "+77272123456", "0123456789", "1234567890", "2123456789", "5123456789",
        "6123456789", "80123456789", "+71234567890", "82123456789", "75123456789", "86123456789",
        // Letters and characters that are no separator.
        "937288809a", "937288809O", "9372888099 доб. 1", "тел. 9372888099", "937/288/80/99", "937_2888099", "937\t2888099",
        "937:2888099", "937*2888099", "#9372888099",
        // Digits that are not ASCII, or carry a combining mark.
        "９３７２８８８０９９", "٩٣٧٢٨٨٨٠٩٩", "9372888099\u{0301}", "93728\u{0301}88099", "937\u{20E3}2888099", "9\u{FE0F}\u{20E3}372888099",
    ])
    func refused(typed: String) {
        #expect(NationalPhone(typed)?.digits == nil)
    }
}
