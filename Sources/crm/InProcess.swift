import ArgumentParser

/// `crm <arguments>` run inside this process: how the console's tests drive the real
/// commands through their prompts (`Console.input`) without a terminal.
enum InProcess {
    static func run(_ arguments: [String]) async throws {
        var command = try CRM.parseAsRoot(arguments)
        if var asynchronous = command as? any AsyncParsableCommand {
            try await asynchronous.run()
        } else {
            try command.run()
        }
    }
}
