import Foundation
import NIOCore
import NIOSSL
import RPCCore
import X509

/// Behind the client's TLS handler: turns a handshake that failed, or a server that refused
/// this client before answering anything, into a `TLSFailure` with the cause, which the
/// connection's calls then fail with (UNAVAILABLE and a `TLS_*` reason).
///
/// This side knows its own check of the server's certificate exactly. A refusal by the server
/// arrives only as a TLS alert (in TLS 1.3 after this side's handshake is done); its cause is
/// read from what this client presented: no certificate, an expired one, or else one the
/// server's CA did not issue. The server's log names the cause it saw.
final class TLSClientFailureReport: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let findings: HandshakeFindings
    private let credentials: TLSCredentials
    private let serverAddress: String
    /// True once the server sent application data: a TLS error after that is not a refusal.
    private var answered = false
    private var reported = false

    init(findings: HandshakeFindings, credentials: TLSCredentials, serverAddress: String) {
        self.findings = findings
        self.credentials = credentials
        self.serverAddress = serverAddress
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !answered {
            answered = true
            // Nothing more to watch for: the rest of the connection's reads skip this handler.
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !answered, !reported, error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError else {
            context.fireErrorCaught(error)
            return
        }
        reported = true
        let failure = explain(error)
        findings.failure = failure
        context.fireErrorCaught(failure)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !answered, !reported {
            reported = true
            if !findings.bytesReceived {
                let failure = explain(nil)
                findings.failure = failure
                context.fireErrorCaught(failure)
            }
        }
        context.fireChannelInactive()
    }

    private func explain(_ error: (any Error)?) -> TLSFailure {
        let server = "the server at \(serverAddress)"
        let theServer = "The server at \(serverAddress)"
        if let problem = findings.problem {
            switch problem {
            case .expired:
                return TLSFailure(reason: .tlsCertificateExpired, message: "The certificate of \(server) is expired: \(problem.detail)")
            case .unknownAuthority:
                return TLSFailure(reason: .tlsUnknownCA, message: "The certificate of \(server) is not trusted: \(problem.detail)")
            case .notYetValid, .unreadable:
                return TLSFailure(reason: .tlsHandshakeFailed, message: "The certificate of \(server) is refused: \(problem.detail)")
            }
        }
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return TLSFailure(reason: .tlsWrongHost, message: "The certificate of \(server) does not name the host or address connected to")
        }
        if !findings.bytesReceived {
            return TLSFailure(
                reason: .tlsHandshakeFailed,
                message: "\(theServer) closed the connection without a TLS answer: does it serve plain TCP? (then connect without --tls-ca)"
            )
        }
        guard let own = credentials.certificate else {
            return TLSFailure(reason: .tlsHandshakeFailed, message: "The TLS handshake with \(server) failed: \(error.map { "\($0)" } ?? "closed")")
        }
        if own.notValidAfter < Date() {
            return TLSFailure(
                reason: .tlsCertificateExpired,
                message: "\(theServer) refused this client's certificate «\(own.subject)»: it expired at \(own.notValidAfter.formatted(.iso8601))"
            )
        }
        return TLSFailure(
            reason: .tlsUnknownCA,
            message: "\(theServer) refused this client's certificate «\(own.subject)» (issued by «\(own.issuer)»): not from a CA it trusts"
        )
    }
}
