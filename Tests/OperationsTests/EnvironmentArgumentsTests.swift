import ArgumentParser
@testable import ServiceKit
import Testing

@Suite struct EnvironmentArgumentsTests {
    struct Service: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "svc")
        @OptionGroup var operations: ServiceOptions
        @Option var port = 7101
        @Option var authSecret: String?
        @Option var kannelURL: String?
        @Option var dlrPublicUrl: String?
        @Flag var seedOnly = false
    }

    @Test(arguments: [
        ("port", "port"), ("authSecret", "auth-secret"), ("kannelURL", "kannel-url"), ("dlrPublicUrl", "dlr-public-url"),
        ("smsProvider", "sms-provider"), ("seedClients", "seed-clients"), ("metricsListen", "metrics-listen"), ("to", "to"),
    ])
    func flagNamesFollowArgumentParser(property: String, flag: String) {
        #expect(EnvironmentArguments.kebab(property) == flag)
    }

    @Test func everyFlagOfTheCommandAndItsOperationsGroupIsFound() {
        let names = EnvironmentArguments.flags(of: Service.self).map(\.name)
        #expect(Set(names) == ["log-format", "log-level", "backup-to", "metrics-listen", "max-connections", "max-connections-per-peer", "max-calls-per-connection", "first-call-timeout", "idle-timeout", "frame-timeout", "release-memory-after", "exit-with-parent", "tls-cert", "tls-key", "tls-ca", "tls-require-client-cert", "port", "auth-secret", "kannel-url", "dlr-public-url", "seed-only"])
    }

    @Test func theEnvironmentFillsWhatTheCommandLineLeavesOut() throws {
        let environment = [
            "CRM_PORT": "9000", "CRM_AUTH_SECRET": "s3cret-s3cret-s3cret", "CRM_KANNEL_URL": "http://kannel:13013",
            "CRM_SEED_ONLY": "true", "CRM_LOG_FORMAT": "json", "CRM_UNRELATED": "x", "CRM_DLR_PUBLIC_URL": "",
        ]
        let arguments = EnvironmentArguments.merged(["--port", "7000"], environment: environment, command: Service.self)
        let parsed = try Service.parse(arguments)
        #expect(parsed.port == 7000)  // the command line wins
        #expect(parsed.authSecret == "s3cret-s3cret-s3cret")
        #expect(parsed.kannelURL == "http://kannel:13013")
        #expect(parsed.seedOnly)
        #expect(parsed.operations.logFormat == "json")
        #expect(parsed.dlrPublicUrl == nil)  // empty means unset
    }

    @Test func aSwitchTurnedOffInTheEnvironmentStaysOff() throws {
        let arguments = EnvironmentArguments.merged([], environment: ["CRM_SEED_ONLY": "0"], command: Service.self)
        #expect(try !Service.parse(arguments).seedOnly)
    }

    @Test func aBackupIsNeverAskedForByTheEnvironment() throws {
        let arguments = EnvironmentArguments.merged([], environment: ["CRM_BACKUP_TO": "/data/b.sqlite", "CRM_DATABASE": "/data/x"], command: Service.self)
        #expect(arguments.isEmpty)
        let backup = EnvironmentArguments.merged(["--backup-to", "/backups/x.sqlite"], environment: ["CRM_PORT": "1"], command: Service.self)
        #expect(try Service.parse(backup).operations.backupTo == "/backups/x.sqlite")
    }

    @Test func tlsComesFromTheEnvironmentAndHalfASettingIsRefused() throws {
        let environment = ["CRM_TLS_CERT": "/tls/cert.pem", "CRM_TLS_KEY": "/tls/key.pem", "CRM_TLS_CA": "/tls/ca.pem", "CRM_TLS_REQUIRE_CLIENT_CERT": "1"]
        let parsed = try Service.parse(EnvironmentArguments.merged([], environment: environment, command: Service.self))
        #expect(parsed.operations.tlsCert == "/tls/cert.pem")
        #expect(parsed.operations.tlsKey == "/tls/key.pem")
        #expect(parsed.operations.tlsCa == "/tls/ca.pem")
        #expect(parsed.operations.tlsRequireClientCert)
        #expect(throws: (any Error).self) { try Service.parse(["--tls-cert", "/tls/cert.pem"]) }
        #expect(throws: (any Error).self) { try Service.parse(["--tls-require-client-cert", "--tls-cert", "c", "--tls-key", "k"]) }
    }

    @Test func aBadOperationsFlagIsRefusedNamingIt() {
        #expect(throws: (any Error).self) { try Service.parse(["--log-format", "xml"]) }
        #expect(Service.message(for: ValidationError("--log-format: logfmt or json")).contains("--log-format"))
    }
}
