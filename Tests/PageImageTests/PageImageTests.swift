import Testing
@testable import PageImage
