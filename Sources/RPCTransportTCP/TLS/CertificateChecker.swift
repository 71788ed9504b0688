import Foundation
import NIOCore
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// Checks the certificate a peer presents against the trusted CAs (swift-certificates'
/// RFC 5280 verifier: signatures up to a trusted root, validity dates, CA constraints) and,
/// when it fails, says why in terms a deployer acts on: expired, not yet valid, or issued by
/// a CA this side does not trust. BoringSSL's own check says only «verify failed».
/// The host name a client connected to is checked by NIOSSL after this.
struct CertificateChecker: Sendable {
    let trusted: [Certificate]

    /// The verification callback for one connection's handshake; its finding goes to `findings`.
    func callback(_ findings: HandshakeFindings) -> NIOSSLCustomVerificationCallback {
        let trusted = self.trusted
        return { presented, promise in
            promise.completeWithTask {
                let problem = await Self.check(presented, trusted: trusted)
                findings.record(problem)
                return problem == nil ? .certificateVerified : .failed
            }
        }
    }

    static func check(_ presented: [NIOSSLCertificate], trusted: [Certificate], now: Date = Date()) async -> CertificateProblem? {
        let chain: [Certificate]
        do {
            chain = try presented.map { try Certificate(derEncoded: $0.toDERBytes()) }
        } catch {
            return .unreadable
        }
        guard let leaf = chain.first else { return .unreadable }
        var verifier = Verifier(rootCertificates: CertificateStore(trusted)) { RFC5280Policy() }
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore(Array(chain.dropFirst()))) {
            return nil
        }
        if leaf.notValidAfter < now { return .expired(subject: "\(leaf.subject)", notAfter: leaf.notValidAfter) }
        if leaf.notValidBefore > now { return .notYetValid(subject: "\(leaf.subject)", notBefore: leaf.notValidBefore) }
        return .unknownAuthority(subject: "\(leaf.subject)", issuer: "\(leaf.issuer)")
    }
}

/// Why a presented certificate was refused.
enum CertificateProblem: Equatable, Sendable {
    case expired(subject: String, notAfter: Date)
    case notYetValid(subject: String, notBefore: Date)
    case unknownAuthority(subject: String, issuer: String)
    case unreadable

    /// For a log line's `cause`: stable words a deployer can search for.
    var cause: String {
        switch self {
        case .expired: "certificate-expired"
        case .notYetValid: "certificate-not-yet-valid"
        case .unknownAuthority: "certificate-unknown-ca"
        case .unreadable: "certificate-unreadable"
        }
    }

    var detail: String {
        switch self {
        case .expired(let subject, let notAfter): "«\(subject)» expired at \(notAfter.formatted(.iso8601))"
        case .notYetValid(let subject, let notBefore): "«\(subject)» is valid only from \(notBefore.formatted(.iso8601))"
        case .unknownAuthority(let subject, let issuer): "«\(subject)» was issued by «\(issuer)», not by a CA in --tls-ca"
        case .unreadable: "it could not be parsed"
        }
    }
}

/// What one handshake learnt, written from the verification Task and the pipeline, read by
/// whichever handler reports the outcome.
final class HandshakeFindings: Sendable {
    private struct State {
        var problem: CertificateProblem?
        var peerCertificateVerified = false
        var firstByte: UInt8?
        var bytesReceived = false
        var failure: TLSFailure?
    }

    private let state = Mutex(State())

    func record(_ problem: CertificateProblem?) {
        state.withLock { state in
            state.problem = problem
            state.peerCertificateVerified = problem == nil
        }
    }

    func received(firstByte: UInt8) {
        state.withLock { state in
            if state.firstByte == nil { state.firstByte = firstByte }
            state.bytesReceived = true
        }
    }

    /// The connection's TLS failure, for a connect that fails before its handler is reached.
    var failure: TLSFailure? {
        get { state.withLock { $0.failure } }
        set { state.withLock { $0.failure = newValue } }
    }
    var problem: CertificateProblem? { state.withLock { $0.problem } }
    var peerCertificateVerified: Bool { state.withLock { $0.peerCertificateVerified } }
    /// The peer's first byte, before TLS: a TLS client's first record is a handshake (22).
    var firstByte: UInt8? { state.withLock { $0.firstByte } }
    var bytesReceived: Bool { state.withLock { $0.bytesReceived } }

    static let tlsHandshakeRecord: UInt8 = 0x16
}
