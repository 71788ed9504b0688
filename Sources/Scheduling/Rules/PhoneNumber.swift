import Foundation

import CRMDomain

/// The shared normalisation (CRMDomain), refusals as scheduling errors.
public enum PhoneNumber {
    public static let invalidMessage = NationalPhone.invalidMessage

    public static func normalize(_ typed: String) -> String? {
        NationalPhone.normalize(typed)
    }

    public static func normalize(_ typed: String, field: String) throws(SchedulingError) -> String {
        guard let number = normalize(typed) else { throw .invalidArgument(field: field, invalidMessage) }
        return number
    }
}
