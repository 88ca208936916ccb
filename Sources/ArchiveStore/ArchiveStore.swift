// ArchiveStore: the archive database (one SQLite file, WAL, GRDB DatabasePool), its schema
// (migrations/NNNN_name.sql, embedded by scripts/embed-migrations), full-text search that works
// for Chinese and English, and export. Depends on GRDB only.
//
// The calls the pipeline and the CLI make:
//   let archive = try Archive(path: dbPath)                       // opens, migrates
//   try archive.document(withHash: sha)                           // already stored? (skip)
//   try archive.updatePath(documentID: id, to: newPath)           // a moved file
//   try archive.store(document: NewDocument(...))                 // one transaction, replaces
//   try archive.search("发票号码 2024", options: SearchOptions(...)) // grouped, ranked, highlighted
//   try archive.export(.csv(excel: true), query: nil, to: FileHandle.standardOutput)
//   try archive.document(matching: "12" | "3fa9c2..." | "/path")  // DOC argument of show/remove
//   try archive.content(ofDocument: id); try archive.documents(); try archive.stats()
//   try archive.remove(documentID: id); try archive.optimize()     // after a large ingest
