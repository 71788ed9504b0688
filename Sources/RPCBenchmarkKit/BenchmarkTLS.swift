import Crypto
import Foundation
import NIOSSL
import RPCTransportTCP
import SwiftASN1
import Synchronization
import X509

/// The TLS of the benchmark's TLS rows: a CA made for the run and a P-256 server certificate
/// for 127.0.0.1, written to a temporary folder; the RPC takes them as a service would
/// (`TLSCredentials`), the raw echo as plain NIOSSL contexts with the same certificate, CA and
/// minimum version, so both negotiate the same TLS 1.3 session.
struct BenchmarkTLS: Sendable {
    let server: TLSCredentials
    let client: TLSCredentials
    let rawServer: NIOSSLContext
    let rawClient: NIOSSLContext

    private static let made = Mutex<BenchmarkTLS?>(nil)

    static func shared() throws -> BenchmarkTLS {
        try made.withLock { made in
            if let made { return made }
            let tls = try BenchmarkTLS()
            made = tls
            return tls
        }
    }

    private init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rpc-bench-tls-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("rpc-bench CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(86400),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(caKey)
        )
        let key = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(86400),
            issuer: caName, subject: try DistinguishedName { CommonName("127.0.0.1") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: .init(caKey)
        )
        func write(_ text: String, _ name: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let caFile = try write(ca.serializeAsPEM().pemString, "ca.pem")
        let certificateFile = try write(leaf.serializeAsPEM().pemString, "server.pem")
        let keyFile = try write(Certificate.PrivateKey(key).serializeAsPEM().pemString, "server.key")

        server = try TLSCredentials(TLSFiles(certificate: certificateFile, key: keyFile))
        client = try TLSCredentials(TLSFiles(ca: caFile))
        var rawServer = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        )
        rawServer.minimumTLSVersion = .tlsv12
        self.rawServer = try NIOSSLContext(configuration: rawServer)
        var rawClient = TLSConfiguration.makeClientConfiguration()
        rawClient.minimumTLSVersion = .tlsv12
        rawClient.trustRoots = .file(caFile)
        self.rawClient = try NIOSSLContext(configuration: rawClient)
    }
}
