import ArgumentParser

@main
struct DocVault: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docvault",
        abstract: "A document OCR archive: ingest PDFs and images, search them by what is written in them.",
        subcommands: [RenderCommand.self, PagesCommand.self, RecogniseCommand.self, ServeCommand.self])
}
