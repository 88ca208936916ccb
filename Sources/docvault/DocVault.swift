import ArgumentParser

struct DocVault: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docvault",
        abstract: "A document OCR archive: ingest PDFs and images, search them by what is written in them.",
        subcommands: [IngestCommand.self, SearchCommand.self, ExportCommand.self, ShowCommand.self,
                      ListCommand.self, StatsCommand.self, RemoveCommand.self, OCRCommand.self,
                      ServeCommand.self, LinesCommand.self, RecogniseCommand.self, RenderCommand.self,
                      PagesCommand.self])
}
