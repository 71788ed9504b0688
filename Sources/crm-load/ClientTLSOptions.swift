import ArgumentParser
import Foundation
import Gateway
import RPCTransportTCP

/// TLS to the services under test, as `crm` takes it: a CA turns it on.
struct ClientTLSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PEM CA certificate: connect over TLS, trusting only servers it issued (default: env CRM_TLS_CA).", valueName: "FILE"))
    var tlsCa: String?
    @Option(help: ArgumentHelp("PEM client certificate, for services that require one (default: env CRM_TLS_CERT).", valueName: "FILE"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("PEM key of --tls-cert (default: env CRM_TLS_KEY).", valueName: "FILE"))
    var tlsKey: String?

    func credentials() throws -> TLSCredentials? {
        let environment = ProcessInfo.processInfo.environment
        return try TLSCredentials.client(
            ca: tlsCa ?? environment["CRM_TLS_CA"], certificate: tlsCert ?? environment["CRM_TLS_CERT"], key: tlsKey ?? environment["CRM_TLS_KEY"]
        )
    }
}
