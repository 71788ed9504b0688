import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority made for one test, with P-256 keys: it issues server and client
/// certificates valid for 127.0.0.1 and localhost, with any validity window, and writes them
/// as PEM files into a temporary folder that `remove()` deletes.
struct TestCA {
    let name: String
    let key: P256.Signing.PrivateKey
    let certificate: Certificate
    let folder: URL

    init(_ name: String, folder: URL? = nil) throws {
        self.name = name
        self.folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600),
            notValidAfter: Date().addingTimeInterval(86400),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key)
        )
    }

    /// The CA's certificate as a PEM file (for `--tls-ca`).
    func caFile(_ name: String = "ca.pem") throws -> String {
        try write(certificate.serializeAsPEM().pemString, to: name)
    }

    /// A certificate and key for `commonName`, valid from `from` to `until` (seconds from
    /// now), written as `<file>.pem` and `<file>.key`.
    func issue(_ commonName: String, file: String, from: TimeInterval = -3600, until: TimeInterval = 86400) throws -> (certificate: String, key: String) {
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(leafKey.publicKey),
            notValidBefore: Date().addingTimeInterval(from),
            notValidAfter: Date().addingTimeInterval(until),
            issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: .init(key)
        )
        let pemKey = try Certificate.PrivateKey(leafKey).serializeAsPEM().pemString
        return (
            try write(leaf.serializeAsPEM().pemString, to: "\(file).pem"),
            try write(pemKey, to: "\(file).key")
        )
    }

    func write(_ text: String, to name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        // Replaced whole, as a deployer's `mv` does: a reader never sees half a file.
        let temporary = path + ".new"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        _ = rename(temporary, path)
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}
