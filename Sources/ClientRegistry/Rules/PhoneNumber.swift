import Foundation
import CRMDomain

/// The registry's view of phone numbers: the shared normalisation (CRMDomain), refusals as
/// registry errors, and the login screen's masking.
public enum PhoneNumber {
    public static let invalidMessage = NationalPhone.invalidMessage

    /// The 10-digit national number, or nil.
    public static func normalize(_ typed: String) -> String? {
        NationalPhone.normalize(typed)
    }

    /// The normalised number, or INVALID_ARGUMENT naming `field`.
    public static func normalize(_ typed: String, field: String) throws(RegistryError) -> String {
        guard let number = normalize(typed) else { throw .invalidArgument(field: field, invalidMessage) }
        return number
    }

    /// Russian mobile numbers are the 9xx codes.
    public static func isMobile(_ normalized: String) -> Bool {
        normalized.count == 10 && normalized.first == "9"
    }

    /// «+7 *** ***-**-60»: what the login screen shows of the operator's mobile.
    public static func masked(_ normalized: String) -> String {
        "+7 *** ***-**-\(normalized.suffix(2))"
    }
}
