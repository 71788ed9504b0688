public import ArgumentParser
import Foundation

/// Every flag of a service command also read from the environment: `--auth-secret` from
/// `CRM_AUTH_SECRET`, `--metrics-listen` from `CRM_METRICS_LISTEN`, and so on (`CRM_` and the
/// flag's name in capitals, dashes as underscores). A flag given on the command line wins.
///
/// swift-argument-parser reads no environment itself; this turns the environment into
/// arguments before it parses, so a container is configured by env alone and `--help`
/// stays the one list of settings. The same names mean the same thing everywhere:
/// `CRM_SCHEDULING` is the scheduling service's address for the registry and for `crm`.
public enum EnvironmentArguments {
    public static let prefix = "CRM_"
    /// One-shot actions, never taken from the environment: a container's env must not turn
    /// every start into a backup.
    public static let commandLineOnly: Set<String> = ["backup-to"]

    /// The environment variable for a long flag name (`auth-secret` → `CRM_AUTH_SECRET`).
    public static func variable(forFlag name: String) -> String {
        prefix + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// `arguments` (without the program name) followed by the arguments the environment
    /// supplies for the command's flags not given on the command line. A subcommand named
    /// first is configured from its own flags.
    public static func merged(
        _ arguments: [String], environment: [String: String], command: any ParsableCommand.Type
    ) -> [String] {
        var command = command
        if let first = arguments.first,
           let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == first }) {
            command = sub
        }
        var result = arguments
        for flag in flags(of: command) where !given(flag.name, in: arguments) && !commandLineOnly.contains(flag.name) {
            guard let value = environment[variable(forFlag: flag.name)], !value.isEmpty else { continue }
            if flag.isSwitch {
                if ["1", "true", "yes", "on"].contains(value.lowercased()) { result.append("--\(flag.name)") }
            } else {
                result += ["--\(flag.name)", value]
            }
        }
        return result
    }

    struct Flag: Equatable {
        var name: String
        var isSwitch: Bool
    }

    /// The long names of a command's options and switches, found by reflecting over its
    /// property wrappers (`@Option var authSecret` → `auth-secret`), `@OptionGroup`s of
    /// `ServiceOptions` included.
    static func flags(of type: any ParsableArguments.Type) -> [Flag] {
        var flags: [Flag] = []
        for child in Mirror(reflecting: type.init()).children {
            guard let label = child.label, label.hasPrefix("_") else { continue }
            let wrapper = String(describing: Swift.type(of: child.value))
            let name = kebab(String(label.dropFirst()))
            if wrapper.hasPrefix("Option<") {
                flags.append(Flag(name: name, isSwitch: false))
            } else if wrapper.hasPrefix("Flag<") {
                flags.append(Flag(name: name, isSwitch: true))
            } else if wrapper == "OptionGroup<ServiceOptions>" {
                flags += Self.flags(of: ServiceOptions.self)
            }
        }
        return flags
    }

    /// ArgumentParser's own conversion of a property name to a long flag: words split at
    /// case changes, an acronym kept whole (`kannelURL` → `kannel-url`, `dlrListen` → `dlr-listen`).
    static func kebab(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    result.append("-")
                }
            }
            result.append(contentsOf: character.lowercased())
        }
        return result
    }

    private static func given(_ name: String, in arguments: [String]) -> Bool {
        arguments.contains { $0 == "--\(name)" || $0.hasPrefix("--\(name)=") }
    }
}

extension AsyncParsableCommand {
    /// Runs the command with flags from the command line and, for those not given there,
    /// from `CRM_*` environment variables (see `EnvironmentArguments`). Every file it
    /// creates is private to its user (`PrivateFiles`).
    public static func mainWithEnvironment() async {
        PrivateFiles.restrictNewFiles()
        let environment = ProcessInfo.processInfo.environment
        await main(EnvironmentArguments.merged(Array(CommandLine.arguments.dropFirst()), environment: environment, command: self))
    }
}
