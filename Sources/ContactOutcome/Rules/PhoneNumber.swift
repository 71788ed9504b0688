import Foundation

import CRMDomain

/// The shared normalisation (CRMDomain), refusals as contacts errors naming the field.
public enum PhoneNumber {
    public static func normalize(_ text: String, field: String) throws(ContactsError) -> String {
        guard let number = NationalPhone.normalize(text) else {
            throw .invalidArgument(field: field, NationalPhone.invalidMessage)
        }
        return number
    }
}
