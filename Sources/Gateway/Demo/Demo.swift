import Foundation

/// The whole operator workflow against running services.
public enum Demo {
    /// Runs every part whose service is given; returns the record of the steps.
    public static func perform(endpoints: ServiceEndpoints, smsFile: URL) async -> DemoRun {
        let run = DemoRun()
        let session = await RegistryDemo(run: run, registry: endpoints.registry, smsFile: smsFile).perform()
        if let session {
            await SchedulingDemo(run: run, scheduling: endpoints.scheduling, session: session, smsFile: smsFile).perform()
            await CallsDemo(run: run, endpoints: endpoints, session: session, smsFile: smsFile).perform()
            await CollectionDemo(run: run, endpoints: endpoints, smsFile: smsFile).perform()
        }
        return run
    }
}
