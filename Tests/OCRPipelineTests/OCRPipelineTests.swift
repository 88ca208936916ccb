import Testing
@testable import OCRPipeline
